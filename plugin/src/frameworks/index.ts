import { TAG } from '../constants';
import { createDiagnostic } from '../protocol/diagnostics';
import type { Diagnostic, ModuleInfo, Resolution } from '../protocol/types';
import { findFramework, findWorkspaceRoot, FrameworkError, loadFrameworks, type FrameworkTable } from './load-frameworks';
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

/**
 * W_NOT_PROVIDED when the module's framework runtime (`react`, `vue`, `svelte`…) comes from no provider of its `uses`
 * closure: the module then bundles a copy of its own, and a page with a second module of that framework runs two.
 */
export function checkRuntimeSupply(resolution: Resolution, framework: FrameworkAdapter): Diagnostic[] {
  const runtime = framework.runtimePackage;
  const info = resolution.modules[resolution.module];
  // Only a declared framework: a module from before `esmx.framework` builds with React's rules without being React.
  if (!runtime || !info?.framework) return [];
  const wired = Object.values(resolution.supply.wiring[info.name] ?? {}).some((wiring) => wiring.package === runtime);
  if (wired) return [];
  return [
    createDiagnostic({
      code: 'W_NOT_PROVIDED',
      module: info.name,
      package: runtime,
      tag: TAG.build,
      text: `its framework is ${framework.name}, but no module of its uses closure provides ${runtime}: it bundles a copy of its own`,
      found: info.uses.length ? `uses: ${info.uses.join(', ')}` : 'no esmx.uses',
      required: `a provider of ${runtime} in esmx.uses`,
      fix: `add a provider of ${runtime} to esmx.uses of ${info.packageJsonPath} (nx g @esmx/nx:app libs/${framework.name}-kit --role=provider --framework=${framework.name}, then nx g @esmx/nx:link --from=${info.name} --to=${framework.name}-kit)`,
    }),
  ];
}

/**
 * What `validate` checks of a module's framework before any build: an `esmx.framework` no adapter answers to
 * (E_SCHEMA, listing the known ones), and W_NOT_PROVIDED for its runtime (see checkRuntimeSupply).
 */
export async function checkModuleFramework(resolution: Resolution, table?: FrameworkTable): Promise<Diagnostic[]> {
  const info = resolution.modules[resolution.module];
  if (!info?.framework) return [];
  try {
    const { framework } = await resolveModuleFramework(info, table);
    return checkRuntimeSupply(resolution, framework);
  } catch (error) {
    if (!(error instanceof FrameworkError)) throw error;
    const [text, fix] = error.message.replace(/^\[esmx:framework\] /, '').split(' Fix: ');
    return [
      createDiagnostic({
        code: 'E_SCHEMA',
        module: info.name,
        tag: TAG.framework,
        text,
        found: JSON.stringify(info.framework),
        required: 'a built-in framework or one named under "frameworks" in the plugin options',
        fix: fix ?? 'correct esmx.framework',
      }),
    ];
  }
}
