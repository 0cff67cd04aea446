import * as path from 'node:path';
import { createDiagnostic } from './diagnostics';
import { packageNameOf } from './installed-version';
import { createModuleScans, isBareSpecifier, listSourceImports, readQuietly, type ModuleScans } from './source-imports';
import type { Diagnostic, Resolution } from './types';

/**
 * E_NOT_LINKED for each esmx module that the root module's sources import but that is not in its `uses` closure:
 * the bundler would not externalize it and Rspack would fail with a bare "Module not found". The sources are the
 * files reachable from its entries and exports through relative imports, as the bundler would see them. `scans` (each
 * module's walk cache) is shared with validate's other walk of the same sources, so that each file is read once.
 */
export function findUnlinkedImports(resolution: Resolution, scans: ModuleScans = createModuleScans()): Diagnostic[] {
  const module = resolution.modules[resolution.module];
  if (!module) return [];
  const reported = new Set<string>();
  const isModule = createModuleLookup(module.root);
  const diagnostics: Diagnostic[] = [];
  for (const { file, specifier, line } of listSourceImports(module, undefined, scans(module.name))) {
    if (!isBareSpecifier(specifier)) continue;
    const pkg = packageNameOf(specifier);
    if (pkg === module.name || resolution.modules[pkg] || reported.has(pkg) || !isModule(pkg)) continue;
    reported.add(pkg);
    const where = `${path.relative(module.root, file).split(path.sep).join('/')}:${line}`;
    diagnostics.push(
      createDiagnostic({
        code: 'E_NOT_LINKED',
        module: module.name,
        package: pkg,
        // Same shape as the bundler's build-time check, which reports the same code for the same mistake.
        text:
          `${where} imports "${specifier}", but "${pkg}" is not in the esmx.uses of ${module.name}: "${pkg}" is an esmx module, ` +
          `so the import is neither linked nor safe to bundle (it would be a second, private copy of that module)`,
        found: `"${specifier}" in ${where}`,
        required: `"${pkg}" in esmx.uses`,
        fix: `add "${pkg}" to esmx.uses in ${module.packageJsonPath}, or remove the import`,
      }),
    );
  }
  return diagnostics;
}

/** Whether `node_modules/<pkg>` seen from `root` (as Node and the bundler look it up) is an esmx module. */
function createModuleLookup(root: string): (pkg: string) => boolean {
  const cache = new Map<string, boolean>();
  return (pkg) => {
    let known = cache.get(pkg);
    if (known === undefined) {
      known = readEsmxField(root, pkg);
      cache.set(pkg, known);
    }
    return known;
  };
}

function readEsmxField(root: string, pkg: string): boolean {
  for (let dir = root; ; dir = path.dirname(dir)) {
    if (path.basename(dir) !== 'node_modules') {
      const text = readQuietly(path.join(dir, 'node_modules', pkg, 'package.json'));
      if (text !== undefined) {
        try {
          const json = JSON.parse(text);
          return typeof json === 'object' && json !== null && typeof json.esmx === 'object' && json.esmx !== null;
        } catch {
          // A corrupt package.json is not this check's to report: the package is not known to be a module.
          return false;
        }
      }
    }
    if (path.dirname(dir) === dir) return false;
  }
}
