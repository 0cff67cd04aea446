import * as fs from 'node:fs';
import * as path from 'node:path';
import { createDiagnostic } from './diagnostics';
import type { Diagnostic, ModuleInfo } from './types';

/** Extensions the bundler resolves for an extensionless path, in its order. */
const SOURCE_EXTENSIONS = ['.ts', '.tsx', '.mts', '.js', '.jsx', '.mjs', '.cjs'];

/**
 * E_TARGET_MISSING for each entry or export file of `module` that is not on disk. A path may omit the
 * extension (the bundler resolves `./src/ui` to `./src/ui.tsx`) or name a directory with an index file.
 */
export function checkTargets(module: ModuleInfo): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const targets: Array<[string, string | false]> = [
    ['esmx.entry.client', module.entry.client],
    ['esmx.entry.server', module.entry.server],
  ];
  for (const exported of module.exports) {
    const key = exported.name === 'index' ? '.' : `./${exported.name}`;
    const where = `esmx.exports[${JSON.stringify(key)}]`;
    if (exported.client === exported.server) {
      targets.push([where, exported.client]);
    } else {
      targets.push([`${where}.client`, exported.client], [`${where}.server`, exported.server]);
    }
  }
  for (const [where, target] of targets) {
    if (target === false) continue;
    if (findSourceFile(module.root, target)) continue;
    diagnostics.push(
      createDiagnostic({
        code: 'E_TARGET_MISSING',
        module: module.name,
        text: `${where} points at ${target}, which does not exist in ${module.root}`,
        found: 'no such file',
        required: `${target} (or the same path with one of ${SOURCE_EXTENSIONS.join(' ')})`,
        fix: `create ${path.join(module.root, target)} or correct ${where} in ${module.packageJsonPath}`,
      }),
    );
  }
  return diagnostics;
}

export function findSourceFile(root: string, target: string): string | undefined {
  const base = path.resolve(root, target);
  const candidates = [base, ...SOURCE_EXTENSIONS.map((ext) => base + ext), ...SOURCE_EXTENSIONS.map((ext) => path.join(base, `index${ext}`))];
  return candidates.find((file) => isFile(file));
}

function isFile(file: string): boolean {
  try {
    return fs.statSync(file).isFile();
  } catch {
    // Absent or unreadable: either way the bundler cannot use it.
    return false;
  }
}
