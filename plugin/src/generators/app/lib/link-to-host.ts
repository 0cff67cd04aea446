import type { Tree } from '@nx/devkit';
import { addModuleUse, addWidgetImport, findModuleOrThrow, reportWidgetImport } from '../../lib/link-modules';
import { readWorkspacePackages } from '../../lib/workspace-modules';
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
