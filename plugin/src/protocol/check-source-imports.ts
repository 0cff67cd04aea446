import * as path from 'node:path';
import { DIST_DIR, MANIFEST_FILE, TAG } from '../constants';
import { checkImportedNames, checkSupply, type BundledPackages } from './check-imports';
import { packageNameOf } from './installed-version';
import { createModuleScans, listSourceImports, readQuietly, summarizeImports, type ModuleScans } from './source-imports';
import type { BuildManifest, BuildTarget, Diagnostic, ModuleInfo, Resolution } from './types';

const TARGETS: readonly BuildTarget[] = ['client', 'server'];

/**
 * What `validate` checks in sources, before any build: the named imports of the module's current files against the
 * built manifests of the modules it uses (those that have a build; an unbuilt one is E_NOT_BUILT's business), and the
 * supply checks over every module of the closure, from its sources when they are at hand (a workspace package) or
 * from its build otherwise. The link step runs the same checks over the recorded imports of every build. `scans` (each
 * module's walk cache) is shared with validate's other walk of the same sources, so that each file is read once.
 */
export function checkSourceImports(resolution: Resolution, scans: ModuleScans = createModuleScans()): Diagnostic[] {
  const self = resolution.modules[resolution.module];
  if (!self) return [];
  const diagnostics: Diagnostic[] = [];
  const reported = new Set<string>();
  const bundled: BundledPackages = {};
  for (const target of TARGETS) {
    const manifests: Record<string, BuildManifest | undefined> = {};
    for (const name of Object.keys(resolution.modules)) {
      if (name !== self.name) manifests[name] = readBuiltManifest(resolution, name, target);
    }
    for (const [name, module] of Object.entries(resolution.modules)) {
      const summary = hasSources(resolution, name)
        ? summarizeImports(module, listSourceImports(module, [target], scans(name)), (s) => isLinked(resolution, module, s))
        : { names: {}, bundled: manifests[name]?.bundled ?? [] };
      bundled[name] = [...new Set([...(bundled[name] ?? []), ...summary.bundled])];
      if (name !== self.name) continue;
      const wiring = Object.fromEntries(Object.entries(resolution.supply.wiring[name] ?? {}).map(([s, w]) => [s, w.provider]));
      for (const diagnostic of checkImportedNames({ consumer: name, target, imports: summary.names, wiring, manifests, tag: TAG.validate })) {
        // The same import missing on both sides is one mistake.
        if (reported.has(diagnostic.found ?? '')) continue;
        reported.add(diagnostic.found ?? '');
        diagnostics.push(diagnostic);
      }
    }
  }
  return [...diagnostics, ...checkSupply(resolution, bundled, TAG.validate)];
}

function isLinked(resolution: Resolution, module: ModuleInfo, specifier: string): boolean {
  return specifier in (resolution.supply.wiring[module.name] ?? {}) || packageNameOf(specifier) in resolution.modules;
}

/** A module mounted from a directory outside node_modules: its sources are the ones the next build compiles. */
function hasSources(resolution: Resolution, name: string): boolean {
  const root = resolution.mounts[name]?.root ?? resolution.modules[name]?.root;
  return root !== undefined && !root.split(path.sep).includes('node_modules');
}

function readBuiltManifest(resolution: Resolution, name: string, target: BuildTarget): BuildManifest | undefined {
  const mount = resolution.mounts[name];
  const root = mount?.root ?? resolution.modules[name]?.root;
  const dir = (target === 'client' ? mount?.clientDir : mount?.serverDir) ?? (root && path.join(root, DIST_DIR, target));
  const text = dir ? readQuietly(path.join(dir, MANIFEST_FILE)) : undefined;
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as BuildManifest;
  } catch {
    // A corrupt manifest is the link step's to report (E_PROTOCOL); validate checks against the builds it can read.
    return undefined;
  }
}
