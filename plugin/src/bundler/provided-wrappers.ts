import type { experiments } from '@rspack/core' with { 'resolution-mode': 'import' };
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { TAG } from '../constants';
import type { BuildTarget } from '../protocol/types';
import { writeFileAtomic } from '../utils/atomic-write';

/** Conditions a target resolves package `exports` with (same as its Rspack config). */
export const TARGET_CONDITIONS: Record<BuildTarget, string[]> = {
  client: ['browser', 'import', 'module', 'default'],
  server: ['node', 'import', 'module', 'default'],
};
export const TARGET_MAIN_FIELDS: Record<BuildTarget, string[]> = {
  client: ['browser', 'module', 'main'],
  server: ['module', 'main'],
};

export interface ProvidedFile {
  specifier: string;
  target: BuildTarget;
  /** Absolute file the specifier resolves to with the target's conditions. */
  file: string;
}

export interface ExportNames {
  /** Module syntax (ESM): re-exported with `export *`. */
  esm: boolean;
  hasDefault: boolean;
  /** Explicit named exports (CommonJS), `default` excluded. */
  names: string[];
  /** True when the names could not be read by `require()` and come from the lexer. */
  lexed: boolean;
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** The bundler's cache folder for one module root: outside the user's sources. */
export function getCacheDir(root: string): string {
  const hash = createHash('sha1').update(root).digest('hex').slice(0, 12);
  return join(tmpdir(), 'esmx-nx', hash);
}

/** Where generated wrappers live. */
export function getWrapperDir(root: string): string {
  return join(getCacheDir(root), 'provided');
}

/** Where the export names read by the child process are kept, so that it runs only when a provided file changes. */
export function getNamesCacheDir(root: string): string {
  return join(getCacheDir(root), 'export-names');
}

/** The file each provided specifier resolves to, per target, with the conditions of that target's build. */
export function resolveProvidedFiles(
  rspackModule: { experiments: typeof experiments },
  root: string,
  specifiers: string[],
  targets: BuildTarget[],
): { files: ProvidedFile[]; errors: string[] } {
  const files: ProvidedFile[] = [];
  const errors: string[] = [];
  for (const target of targets) {
    const resolver = new rspackModule.experiments.resolver.ResolverFactory({
      conditionNames: TARGET_CONDITIONS[target],
      mainFields: TARGET_MAIN_FIELDS[target],
      extensions: ['.js', '.mjs', '.cjs', '.json'],
    });
    for (const specifier of specifiers) {
      const found = resolver.sync(root, specifier);
      if (found.path) files.push({ specifier, target, file: found.path });
      else
        errors.push(
          `${TAG.build} "${specifier}" is listed in esmx.provides but cannot be resolved from ${root} for the ${target} ` +
            `(${found.error ?? 'not found'}). Fix: install it in this module (npm install ${specifier}) or remove it from provides.`,
        );
    }
  }
  return { files, errors };
}

// Runs in ONE child process so that NODE_ENV matches the build mode (React picks its prod or dev file on it)
// and the parent's module cache is not polluted by packages loaded only to list their keys.
const CHILD_SOURCE = `
const files = JSON.parse(process.argv[1]);
const out = {};
for (const file of files) {
  try { const value = require(file); out[file] = { names: value && (typeof value === 'object' || typeof value === 'function') ? Object.keys(value) : [] }; }
  catch (error) { out[file] = { error: String(error && error.message || error).split('\\n')[0] }; }
}
// Some packages leave handles open (react-dom/server.browser creates a MessageChannel): exit explicitly.
process.stdout.write(JSON.stringify(out), () => process.exit(0));
`;

function readRequireKeys(files: string[], mode: string): Promise<Record<string, { names?: string[]; error?: string }>> {
  if (files.length === 0) return Promise.resolve({});
  return new Promise((resolvePromise, reject) => {
    execFile(
      process.execPath,
      ['-e', CHILD_SOURCE, JSON.stringify(files)],
      { env: { ...process.env, NODE_ENV: mode, NODE_OPTIONS: '' }, maxBuffer: 16 * 1024 * 1024, timeout: 60_000 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`${TAG.build} listing the exports of provided packages failed: ${stderr || error.message}`));
        else resolvePromise(JSON.parse(stdout));
      },
    );
  });
}

/** Version of the package that owns `file` (nearest package.json with a version), or '' when there is none. */
function findOwnerVersion(file: string): string {
  let dir = dirname(file);
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        const version = (JSON.parse(readFileSync(pkg, 'utf8')) as { version?: unknown }).version;
        if (typeof version === 'string') return version;
      } catch {
        // An unreadable package.json (e.g. a nested `{"type":"module"}` marker being edited) does not own a version: keep walking.
      }
    }
    const parent = dirname(dir);
    if (parent === dir) return '';
    dir = parent;
  }
}

/**
 * Cache key of one file's names. The names come from `require()` in a plain Node process, so they depend on the file,
 * its package version, NODE_ENV (the mode) and the Node version, not on the build target (the target only decides
 * which file a specifier resolves to, and that file is part of the key). Size and mtime are included too, so that a
 * package edited in place (a linked workspace package, a patched node_modules) is read again.
 */
function getNamesKey(file: string, mode: string): string {
  const { size, mtimeMs } = statSync(file);
  const key = JSON.stringify([file, findOwnerVersion(file), mode, process.version, size, mtimeMs]);
  return createHash('sha1').update(key).digest('hex');
}

function readCachedNames(path: string): ExportNames | undefined {
  if (!existsSync(path)) return undefined;
  try {
    const value = JSON.parse(readFileSync(path, 'utf8')) as ExportNames;
    if (typeof value.esm === 'boolean' && typeof value.hasDefault === 'boolean' && typeof value.lexed === 'boolean' && Array.isArray(value.names)) {
      return value;
    }
  } catch {
    // A corrupt entry (an interrupted write on another filesystem) is a miss: the names are read again and rewritten.
  }
  return undefined;
}

function writeCachedNames(path: string, names: ExportNames): void {
  // Atomic, so that a parallel build never reads half a file.
  writeFileAtomic(path, JSON.stringify(names));
}

/**
 * Export names of each distinct file: es-module-lexer for ESM, `require()` keys for CommonJS (lexer as fallback).
 * With `cacheDir`, the names of CommonJS files are kept on disk and the child process runs only for the misses.
 */
export async function readExportNames(files: string[], mode: string, cacheDir?: string): Promise<Map<string, ExportNames>> {
  const esLexer = await import('es-module-lexer');
  await esLexer.init;
  // cjs-module-lexer (WebAssembly) is initialised only when require() fails for a file: a warm build needs no lexer.
  let cjsLexer: typeof import('cjs-module-lexer') | undefined;
  const result = new Map<string, ExportNames>();
  const cjsFiles: string[] = [];
  for (const file of new Set(files)) {
    const source = readFileSync(file, 'utf8');
    let esm = file.endsWith('.mjs');
    let exportNames: string[] = [];
    try {
      const [, exports, , hasModuleSyntax] = esLexer.parse(source, file);
      esm = esm || hasModuleSyntax;
      exportNames = exports.map((e) => e.n);
    } catch {
      // Not parseable as a module (e.g. CommonJS using `import` as an identifier): treat it as CommonJS.
    }
    if (esm) result.set(file, { esm: true, hasDefault: exportNames.includes('default'), names: [], lexed: true });
    else cjsFiles.push(file);
  }
  const cachePaths = new Map<string, string>();
  const missing: string[] = [];
  for (const file of cjsFiles) {
    const cachePath = cacheDir ? join(cacheDir, `${getNamesKey(file, mode)}.json`) : undefined;
    const cached = cachePath ? readCachedNames(cachePath) : undefined;
    if (cached) result.set(file, cached);
    else missing.push(file);
    if (cachePath) cachePaths.set(file, cachePath);
  }
  const keys = await readRequireKeys(missing, mode);
  for (const file of missing) {
    let names = keys[file]?.names;
    let lexed = false;
    if (!names) {
      // require() failed (browser-only code): the lexer's direct exports are real in every mode;
      // re-exports are left to `export *`, which Rspack resolves statically.
      if (!cjsLexer) {
        cjsLexer = require('cjs-module-lexer') as typeof import('cjs-module-lexer');
        await cjsLexer.init();
      }
      names = cjsLexer.parse(readFileSync(file, 'utf8')).exports;
      lexed = true;
    }
    const filtered = [...new Set(names)].filter((n) => n !== 'default' && n !== '__esModule' && IDENTIFIER.test(n)).sort();
    const read: ExportNames = { esm: false, hasDefault: true, names: filtered, lexed };
    result.set(file, read);
    const cachePath = cachePaths.get(file);
    if (cachePath) writeCachedNames(cachePath, read);
  }
  return result;
}

/** Source of the `.mjs` wrapper that makes one provided specifier an entry with every export preserved. */
export function renderWrapper(file: string, names: ExportNames): string {
  const path = JSON.stringify(file);
  const lines = [`// Generated by @esmx/nx: provided specifier entry.`];
  if (names.esm || names.lexed) lines.push(`export * from ${path};`);
  if (names.names.length > 0) lines.push(`export { ${names.names.join(', ')} } from ${path};`);
  if (names.hasDefault) lines.push(`import __esmx_default from ${path};`, `export default __esmx_default;`);
  return lines.join('\n') + '\n';
}

/**
 * The wrapper's file name of a specifier, one-to-one: lowercase letters, digits, `.` and `-` stay, every other UTF-16
 * unit becomes `_<hex>_` (`@a/b` → `_40_a_2f_b.mjs`, `a/b` → `a_2f_b.mjs`). Since `_` itself is escaped, no two
 * specifiers share a file, and uppercase being escaped keeps that true on case-insensitive disks.
 */
export function toWrapperFileName(specifier: string): string {
  return specifier.replace(/[^a-z0-9.-]/g, (unit) => `_${unit.charCodeAt(0).toString(16)}_`) + '.mjs';
}

/** Writes one wrapper per provided file; returns specifier → wrapper path per target. */
export async function writeProvidedWrappers(
  root: string,
  mode: string,
  files: ProvidedFile[],
): Promise<Record<BuildTarget, Map<string, string>>> {
  const names = await readExportNames(
    files.map((f) => f.file),
    mode,
    getNamesCacheDir(root),
  );
  const out: Record<BuildTarget, Map<string, string>> = { client: new Map(), server: new Map() };
  const base = getWrapperDir(root);
  for (const provided of files) {
    const path = join(base, mode, provided.target, toWrapperFileName(provided.specifier));
    const source = renderWrapper(provided.file, names.get(provided.file)!);
    // Unchanged bytes keep their mtime, so a watcher does not see a change.
    if (!existsSync(path) || readFileSync(path, 'utf8') !== source) writeFileAtomic(path, source);
    out[provided.target].set(provided.specifier, path);
  }
  return out;
}
