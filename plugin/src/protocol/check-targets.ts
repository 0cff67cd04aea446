import * as fs from 'node:fs';
import * as path from 'node:path';
import { createDiagnostic } from './diagnostics';
import type { Diagnostic, ModuleInfo, Resolution } from './types';

/** Extensions the bundler resolves for an extensionless path, in its order. */
const SOURCE_EXTENSIONS = ['.ts', '.tsx', '.mts', '.js', '.jsx', '.mjs', '.cjs'];

/**
 * E_TARGET_MISSING for each entry or export file of `module` that is not on disk. A path may omit the
 * extension (the bundler resolves `./src/ui` to `./src/ui.tsx`) or name a directory with an index file.
 */
export function checkTargets(module: ModuleInfo, usage: { usedBy?: string; exportsOnly?: boolean } = {}): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const targets: Array<[string, string | false]> = usage.exportsOnly
    ? []
    : [
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
        text: `${where} points at ${target}, which does not exist in ${module.root}${usage.usedBy ? ` (${module.name} is used by ${usage.usedBy}, whose build imports it through this export)` : ''}`,
        found: 'no such file',
        required: `${target} (or the same path with one of ${SOURCE_EXTENSIONS.join(' ')})`,
        fix: `create ${path.join(module.root, target)} or correct ${where} in ${module.packageJsonPath}`,
      }),
    );
  }
  return diagnostics;
}

/**
 * E_TARGET_MISSING for each export file of every module that the root uses (its `uses` closure) and whose sources
 * are at hand: mounted from a directory that is not inside node_modules (a workspace package or a linked checkout).
 * A published package ships its build, not its sources, and a URL mount has no files here.
 */
export function checkUsedTargets(resolution: Resolution): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  for (const [name, module] of Object.entries(resolution.modules)) {
    if (name === resolution.module) continue;
    const root = resolution.mounts[name]?.root;
    if (root === undefined || root.split(path.sep).includes('node_modules')) continue;
    diagnostics.push(...checkTargets(module, { usedBy: resolution.mounts[name].declaredBy ?? resolution.module, exportsOnly: true }));
  }
  return diagnostics;
}

/** `target` as the bundler resolves it from `root`: as written, with a source extension, or a folder's index file. */
export function findSourceFile(root: string, target: string): string | undefined {
  const base = path.resolve(root, target);
  if (isFile(base)) return base;
  for (const ext of SOURCE_EXTENSIONS) if (isFile(base + ext)) return base + ext;
  for (const ext of SOURCE_EXTENSIONS) if (isFile(path.join(base, `index${ext}`))) return path.join(base, `index${ext}`);
  return undefined;
}

function isFile(file: string): boolean {
  try {
    // Most candidates are absent: no exception for them (building one costs more than the stat).
    return fs.statSync(file, { throwIfNoEntry: false })?.isFile() ?? false;
  } catch {
    // Absent or unreadable: either way the bundler cannot use it.
    return false;
  }
}
