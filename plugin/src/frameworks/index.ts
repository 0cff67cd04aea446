import type { ModuleInfo } from '../protocol/types';
import { findFramework, findWorkspaceRoot, loadFrameworks, type FrameworkTable } from './load-frameworks';
import type { FrameworkAdapter } from './types';

export { BUILT_IN_FRAMEWORKS, DEFAULT_FRAMEWORK } from './registry';
export { findFramework, findWorkspaceRoot, FrameworkError, loadAdapterFile, loadFrameworks, readFrameworksOf } from './load-frameworks';
export type { FrameworkTable } from './load-frameworks';
export type { FrameworkAdapter, FrameworkBuildContext } from './types';

/** The adapter a module builds with (`esmx.framework`, default react), from `table` or the workspace's frameworks. */
export async function resolveModuleFramework(
  info: ModuleInfo,
  table?: FrameworkTable,
): Promise<{ framework: FrameworkAdapter; table: FrameworkTable }> {
  const frameworks = table ?? (await loadFrameworks(findWorkspaceRoot(info.root)));
  return { framework: findFramework(frameworks, info.framework, `esmx.framework of ${info.name}`), table: frameworks };
}

/** Extensions that only other adapters compile, each with the first adapter that does. */
export function findForeignExtensions(table: FrameworkTable, framework: FrameworkAdapter): Map<string, string> {
  const own = new Set(framework.fileExtensions ?? []);
  const foreign = new Map<string, string>();
  for (const adapter of table.adapters.values()) {
    for (const extension of adapter.fileExtensions ?? []) {
      if (!own.has(extension) && !foreign.has(extension)) foreign.set(extension, adapter.name);
    }
  }
  return foreign;
}
