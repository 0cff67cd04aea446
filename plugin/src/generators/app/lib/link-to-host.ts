import type { Tree } from '@nx/devkit';
import { addModuleUse, addWidgetImport, findModuleOrThrow, reportWidgetImport } from '../../lib/link-modules';
import { readWorkspacePackages, type WorkspaceModule } from '../../lib/workspace-modules';
import type { NormalizedAppOptions } from './normalize-options';

/** `--host`: the host uses the new remote and renders its widget (checked by assertCanGenerate). */
export function linkToHost(tree: Tree, options: NormalizedAppOptions): void {
  if (!options.host) return;
  const packages = readWorkspacePackages(tree);
  const host = findModuleOrThrow(packages, options.host, '--host');
  const remote = findModuleOrThrow(packages, options.name, '--name');
  addModuleUse(tree, host, remote.name);
  reportWidgetImport(addWidgetImport(tree, host, remote), host, remote);
}

/** `--remotes` naming an existing remote: the new host uses it and renders its widget. */
export function linkRemote(tree: Tree, hostName: string, remote: WorkspaceModule): void {
  const host = findModuleOrThrow(readWorkspacePackages(tree), hostName, '--name');
  addModuleUse(tree, host, remote.name);
  reportWidgetImport(addWidgetImport(tree, host, remote), host, remote);
}
