import * as fs from 'node:fs';
import { isBuiltin } from 'node:module';
import * as path from 'node:path';
import { findSourceFile } from './check-targets';
import { createDiagnostic } from './diagnostics';
import { packageNameOf } from './installed-version';
import { scanImports } from './scan-imports';
import type { Diagnostic, ModuleInfo, Resolution } from './types';

const SCANNED_EXTENSIONS = new Set(['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs']);

/**
 * E_NOT_LINKED for each esmx module that the root module's sources import but that is not in its `uses` closure:
 * the bundler would not externalize it and Rspack would fail with a bare "Module not found". The sources are the
 * files reachable from its entries and exports through relative imports, as the bundler would see them.
 */
export function findUnlinkedImports(resolution: Resolution): Diagnostic[] {
  const module = resolution.modules[resolution.module];
  if (!module) return [];
  const reported = new Set<string>();
  const isModule = createModuleLookup(module.root);
  const diagnostics: Diagnostic[] = [];
  for (const { file, specifier, line } of listSourceImports(module)) {
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

/** Every import of the files reachable from the module's entries and exports, in the order they are met. */
function listSourceImports(module: ModuleInfo): Array<{ file: string; specifier: string; line: number }> {
  const targets = [module.entry.client, module.entry.server, ...module.exports.flatMap((e) => [e.client, e.server])];
  const queue = targets.flatMap((target) => (target === false ? [] : (findSourceFile(module.root, target) ?? [])));
  const seen = new Set<string>();
  const imports: Array<{ file: string; specifier: string; line: number }> = [];
  while (queue.length > 0) {
    const file = queue.shift() as string;
    if (seen.has(file) || !isOwnSource(module.root, file)) continue;
    seen.add(file);
    const source = readQuietly(file);
    if (source === undefined) continue;
    for (const found of scanImports(source)) {
      imports.push({ file, ...found });
      if (found.specifier.startsWith('./') || found.specifier.startsWith('../')) {
        const resolved = findSourceFile(path.dirname(file), found.specifier);
        if (resolved) queue.push(resolved);
      }
    }
  }
  return imports;
}

function isOwnSource(root: string, file: string): boolean {
  const relative = path.relative(root, file);
  return (
    SCANNED_EXTENSIONS.has(path.extname(file)) &&
    !relative.startsWith('..') &&
    !path.isAbsolute(relative) &&
    !relative.split(path.sep).includes('node_modules')
  );
}

function isBareSpecifier(specifier: string): boolean {
  return !/^(?:\.{0,2}\/|#|[a-z][a-z0-9+.-]*:)/i.test(specifier) && !isBuiltin(specifier);
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

function readQuietly(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    // Absent or unreadable: nothing to scan here; the file checks (E_TARGET_MISSING) report missing targets.
    return undefined;
  }
}
