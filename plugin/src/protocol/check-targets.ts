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

/**
 * Folder listings read once for a whole walk of a module's sources, by folder: a candidate file is then looked up in
 * memory instead of costing a stat (a folder of 300 components is one readdir, not 900 stats). Keys are folded to
 * lower case where file systems ignore case by default, so that a lookup answers as a stat there would.
 * `undefined`: the folder could not be listed for another reason than being absent, so its candidates are stat'ed.
 */
export type FolderListings = Map<string, Map<string, fs.Dirent> | undefined>;

const foldCase = process.platform === 'darwin' || process.platform === 'win32' ? (name: string) => name.toLowerCase() : (name: string) => name;

function listFolder(dir: string, listings: FolderListings): Map<string, fs.Dirent> | undefined {
  if (listings.has(dir)) return listings.get(dir);
  let listing: Map<string, fs.Dirent> | undefined;
  try {
    listing = new Map(fs.readdirSync(dir, { withFileTypes: true }).map((entry) => [foldCase(entry.name), entry]));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // Absent, or a file: nothing in it. Otherwise (no read permission, …) a stat may still see its files.
    listing = code === 'ENOENT' || code === 'ENOTDIR' ? new Map() : undefined;
  }
  listings.set(dir, listing);
  return listing;
}

/**
 * `target` as the bundler resolves it from `root`: as written, with a source extension, or a folder's index file.
 * `listings`: folders already listed in this walk (see FolderListings); without it each candidate is stat'ed.
 */
export function findSourceFile(root: string, target: string, listings?: FolderListings): string | undefined {
  const base = path.resolve(root, target);
  const isFile = listings ? (file: string) => isListedFile(file, listings) : isStatFile;
  if (isFile(base)) return base;
  for (const ext of SOURCE_EXTENSIONS) if (isFile(base + ext)) return base + ext;
  for (const ext of SOURCE_EXTENSIONS) if (isFile(path.join(base, `index${ext}`))) return path.join(base, `index${ext}`);
  return undefined;
}

function isListedFile(file: string, listings: FolderListings): boolean {
  const listing = listFolder(path.dirname(file), listings);
  if (listing === undefined) return isStatFile(file);
  const entry = listing.get(foldCase(path.basename(file)));
  if (entry === undefined) return false;
  // A link's target is what the bundler reads.
  return entry.isSymbolicLink() ? isStatFile(file) : entry.isFile();
}

function isStatFile(file: string): boolean {
  try {
    // Most candidates are absent: no exception for them (building one costs more than the stat).
    return fs.statSync(file, { throwIfNoEntry: false })?.isFile() ?? false;
  } catch {
    // Absent or unreadable: either way the bundler cannot use it.
    return false;
  }
}
