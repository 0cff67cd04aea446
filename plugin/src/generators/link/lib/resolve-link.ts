import { assertLinkIsAcyclic, findModuleOrThrow } from '../../lib/link-modules';
import type { WorkspaceModule } from '../../lib/workspace-modules';
import type { NormalizedLinkOptions } from './normalize-options';

export interface ResolvedLink {
  from: WorkspaceModule;
  to: WorkspaceModule;
}

/** Finds both modules and refuses unknown ones and cycles, before anything is written. */
export function resolveLink(options: NormalizedLinkOptions): ResolvedLink {
  const from = findModuleOrThrow(options.packages, options.from, '--from');
  const to = findModuleOrThrow(options.packages, options.to, '--to');
  const modules = options.packages.filter((pkg): pkg is WorkspaceModule => pkg.esmx !== undefined);
  assertLinkIsAcyclic(modules, from, to);
  return { from, to };
}
