import type { experiments } from '@rspack/core' with { 'resolution-mode': 'import' };
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { TAG } from '../constants';
import { createDiagnostic } from '../protocol/diagnostics';
import { packageNameOf } from '../protocol/installed-version';
import type { BuildTarget, Diagnostic, ModuleInfo } from '../protocol/types';
import { writeFileAtomic } from '../utils/atomic-write';

/** Conditions a target resolves package `exports` with (same as its Rspack config). */
export const TARGET_CONDITIONS: Record<BuildTarget, string[]> = {
  client: ['browser', 'import', 'module', 'default'],
  server: ['node', 'import', 'module-sync', 'module', 'default'],
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
  /** Module syntax (ESM); CommonJS otherwise. */
  esm: boolean;
  /** True when the module has a default export on this side: ESM that declares one, and every CommonJS file. */
  hasDefault: boolean;
  /** Every other export name, sorted. */
  names: string[];
  /** True when Node could not load the file and the names come from the lexers (see readStaticNames). */
  lexed: boolean;
  /** What loading the file in Node threw (first line), when it did. */
  loadError?: string;
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

/** One resolver per target, with the conditions and main fields of that target's build. */
export function createTargetResolvers(rspackModule: { experiments: typeof experiments }): Record<BuildTarget, ResolveFrom> {
  const create = (target: BuildTarget): ResolveFrom => {
    const resolver = new rspackModule.experiments.resolver.ResolverFactory({
      conditionNames: TARGET_CONDITIONS[target],
      mainFields: TARGET_MAIN_FIELDS[target],
      extensions: ['.js', '.mjs', '.cjs', '.json'],
    });
    return (directory, request) => resolver.sync(directory, request).path || undefined;
  };
  return { client: create('client'), server: create('server') };
}

/** The file each provided specifier resolves to, per target; E_NOT_INSTALLED for a specifier that does not resolve. */
export function resolveProvidedFiles(
  resolvers: Record<BuildTarget, ResolveFrom>,
  info: Pick<ModuleInfo, 'name' | 'root' | 'packageJsonPath'>,
  specifiers: string[],
  targets: BuildTarget[],
): { files: ProvidedFile[]; diagnostics: Diagnostic[] } {
  const files: ProvidedFile[] = [];
  const diagnostics: Diagnostic[] = [];
  const unresolved = new Map<string, BuildTarget[]>();
  for (const target of targets) {
    for (const specifier of specifiers) {
      const file = resolvers[target](info.root, specifier);
      if (file) files.push({ specifier, target, file });
      else unresolved.set(specifier, [...(unresolved.get(specifier) ?? []), target]);
    }
  }
  for (const [specifier, sides] of unresolved) {
    const pkg = packageNameOf(specifier);
    diagnostics.push(
      createDiagnostic({
        code: 'E_NOT_INSTALLED',
        module: info.name,
        package: pkg,
        tag: TAG.build,
        text: `esmx.provides lists "${specifier}", which does not resolve from ${info.root} for the ${sides.join(' and ')}`,
        found: `"${specifier}" not found (package not installed, or a subpath its package.json "exports" does not offer)`,
        required: `"${specifier}" resolvable with the ${sides.join(' and ')} conditions`,
        fix: `add "${pkg}" to the dependencies of ${info.packageJsonPath} and run npm install, or correct or remove "${specifier}" in esmx.provides`,
      }),
    );
  }
  return { files, diagnostics };
}

// Runs in ONE child process per target, so that NODE_ENV matches the build mode (React picks its prod or dev file on
// it), the target's conditions apply to what the files import (`--conditions=browser` for the client), and the parent's
// module cache is not polluted by packages loaded only to list their names. ESM files are loaded with import(): the
// namespace's keys are the names Node gives. CommonJS files are loaded with require(): the keys of the object it
// returns in this mode are the names a bundled import sees (Node's import() would miss names assigned in a loop and
// list dev-only names that are undefined in production).
const CHILD_SOURCE = `
const { pathToFileURL } = require('node:url');
const files = JSON.parse(process.argv[1]);
const out = {};
(async () => {
  for (const [file, esm] of files) {
    try {
      const value = esm ? await import(pathToFileURL(file).href) : require(file);
      out[file] = { names: value && (typeof value === 'object' || typeof value === 'function') ? Object.keys(value) : [] };
    } catch (error) {
      const name = error && error.name ? error.name + ': ' : '';
      out[file] = { error: name + String(error && error.message || error).split('\\n')[0] };
    }
  }
  // Some packages leave handles open (react-dom/server.browser creates a MessageChannel): exit explicitly.
  process.stdout.write(JSON.stringify(out), () => process.exit(0));
})();
`;

type LoadedNames = Record<string, { names?: string[]; error?: string }>;

function loadNamesInNode(files: Array<[file: string, esm: boolean]>, mode: string, target: BuildTarget): Promise<LoadedNames> {
  if (files.length === 0) return Promise.resolve({});
  const conditions = target === 'client' ? ['--conditions=browser'] : [];
  return new Promise((resolvePromise, reject) => {
    execFile(
      process.execPath,
      [...conditions, '-e', CHILD_SOURCE, JSON.stringify(files)],
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
 * Cache key of one file's names on one side. The names come from loading the file in a Node process with the target's
 * conditions, so they depend on the file, its package version, NODE_ENV (the mode), the target and the Node version.
 * Size and mtime are included too, so that a package edited in place (a linked workspace package, a patched
 * node_modules) is read again.
 */
function getNamesKey(file: string, mode: string, target: BuildTarget): string {
  const { size, mtimeMs } = statSync(file);
  const key = JSON.stringify([file, findOwnerVersion(file), mode, target, process.version, size, mtimeMs]);
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

type EsLexer = typeof import('es-module-lexer');
type CjsLexer = typeof import('cjs-module-lexer');

/** Resolves a request from a directory the way the target's build does; undefined when it does not resolve. */
export type ResolveFrom = (directory: string, request: string) => string | undefined;

function isModuleSyntax(file: string, source: string, esLexer: EsLexer): boolean {
  if (file.endsWith('.mjs')) return true;
  if (file.endsWith('.cjs')) return false;
  try {
    return esLexer.parse(source, file)[3];
  } catch {
    // Not parseable as a module (e.g. CommonJS using `import` as an identifier): CommonJS.
    return false;
  }
}

/**
 * The names of a file Node cannot load (browser-only code), read statically: an ES module's own exports plus, through
 * each `export * from`, the names of what it re-exports (resolved as the build resolves them); a CommonJS file's
 * exports and re-exports as cjs-module-lexer sees them (the analysis Node itself uses for import() of CommonJS).
 */
export function readStaticNames(file: string, resolveFrom: ResolveFrom, lexers: { es: EsLexer; cjs: CjsLexer }, seen = new Set<string>()): ExportNames {
  const empty: ExportNames = { esm: true, hasDefault: false, names: [], lexed: true };
  if (seen.has(file)) return empty;
  seen.add(file);
  let source: string;
  try {
    source = readFileSync(file, 'utf8');
  } catch {
    // A re-export target that does not exist: Rspack reports it when it builds the wrapper.
    return empty;
  }
  const names = new Set<string>();
  const esm = isModuleSyntax(file, source, lexers.es);
  const starSources: string[] = [];
  if (esm) {
    const [imports, exports] = lexers.es.parse(source, file);
    for (const exported of exports) names.add(exported.n);
    for (const imported of imports) {
      if (imported.n && imported.d === -1 && /^export\s*\*\s*from/.test(source.slice(imported.ss, imported.se))) starSources.push(imported.n);
    }
  } else {
    const parsed = lexers.cjs.parse(source);
    for (const name of parsed.exports) names.add(name);
    starSources.push(...parsed.reexports);
  }
  for (const request of starSources) {
    const target = resolveFrom(dirname(file), request);
    if (!target) continue;
    for (const name of readStaticNames(target, resolveFrom, lexers, seen).names) names.add(name);
  }
  const hasDefault = !esm || names.has('default');
  return { esm, hasDefault, names: keepExportNames([...names]), lexed: true };
}

/** Names a wrapper can re-export: identifiers, without `default` (handled apart) and CommonJS interop markers. */
function keepExportNames(names: string[]): string[] {
  return [...new Set(names)].filter((n) => n !== 'default' && n !== '__esModule' && n !== 'module.exports' && IDENTIFIER.test(n)).sort();
}

/**
 * Export names of each distinct file on one side, as Node loads it under the target's conditions and the build mode
 * (see CHILD_SOURCE); a file Node cannot load gets its names from readStaticNames and keeps the error in `loadError`.
 * With `cacheDir`, the names are kept on disk and the child process runs only for the misses.
 */
export async function readExportNames(
  files: string[],
  mode: string,
  target: BuildTarget,
  resolveFrom: ResolveFrom,
  cacheDir?: string,
): Promise<Map<string, ExportNames>> {
  const esLexer = await import('es-module-lexer');
  await esLexer.init;
  const result = new Map<string, ExportNames>();
  const cachePaths = new Map<string, string>();
  const missing: Array<[string, boolean]> = [];
  for (const file of new Set(files)) {
    const cachePath = cacheDir ? join(cacheDir, `${getNamesKey(file, mode, target)}.json`) : undefined;
    const cached = cachePath ? readCachedNames(cachePath) : undefined;
    if (cached) result.set(file, cached);
    else missing.push([file, isModuleSyntax(file, readFileSync(file, 'utf8'), esLexer)]);
    if (cachePath) cachePaths.set(file, cachePath);
  }
  const loaded = await loadNamesInNode(missing, mode, target);
  // cjs-module-lexer (WebAssembly) is initialised only when Node cannot load a file: a warm build needs no lexer.
  let cjsLexer: CjsLexer | undefined;
  for (const [file, esm] of missing) {
    const found = loaded[file] ?? { error: 'the child process gave no answer for this file' };
    let read: ExportNames;
    if (found.names) {
      read = { esm, hasDefault: !esm || found.names.includes('default'), names: keepExportNames(found.names), lexed: false };
    } else {
      if (!cjsLexer) {
        cjsLexer = require('cjs-module-lexer') as CjsLexer;
        await cjsLexer.init();
      }
      read = { ...readStaticNames(file, resolveFrom, { es: esLexer, cjs: cjsLexer }), loadError: found.error };
    }
    result.set(file, read);
    const cachePath = cachePaths.get(file);
    // Atomic, so that a parallel build never reads half a file.
    if (cachePath) writeFileAtomic(cachePath, JSON.stringify(read));
  }
  return result;
}

/**
 * Source of the `.mjs` wrapper that makes one provided specifier an entry: every name listed explicitly, so that Rspack
 * keeps the names that reach the file through `export *` from an external or from CommonJS (it drops them from a bare
 * `export *`), and `default` exactly when the module has one on this side.
 */
export function renderWrapper(file: string, names: ExportNames): string {
  const path = JSON.stringify(file);
  const lines = [`// Generated by @esmx/nx: provided specifier entry.`];
  if (names.names.length > 0) lines.push(`export { ${names.names.join(', ')} } from ${path};`);
  if (names.hasDefault) lines.push(`export { default } from ${path};`);
  // A module with no export at all is still an entry of its own (a side-effect-only package such as a polyfill).
  if (lines.length === 1) lines.push(`import ${path};`);
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

/**
 * Writes one wrapper per provided file; returns specifier → wrapper path per target, with the diagnostics of the names:
 * E_SERVER_IMPORT for a server file Node cannot load because it uses a browser global (SSR would throw the same when a
 * consumer imports it), W_DEFAULT_DRIFT for a specifier with a default export on one side only.
 */
export async function writeProvidedWrappers(
  info: Pick<ModuleInfo, 'name' | 'root' | 'packageJsonPath'>,
  mode: string,
  files: ProvidedFile[],
  resolvers: Record<BuildTarget, ResolveFrom>,
): Promise<{ wrappers: Record<BuildTarget, Map<string, string>>; diagnostics: Diagnostic[] }> {
  const wrappers: Record<BuildTarget, Map<string, string>> = { client: new Map(), server: new Map() };
  const namesBySide = new Map<string, Partial<Record<BuildTarget, ExportNames>>>();
  const base = getWrapperDir(info.root);
  for (const target of ['client', 'server'] as const) {
    const onSide = files.filter((f) => f.target === target);
    const names = await readExportNames(
      onSide.map((f) => f.file),
      mode,
      target,
      resolvers[target],
      getNamesCacheDir(info.root),
    );
    for (const provided of onSide) {
      const read = names.get(provided.file)!;
      namesBySide.set(provided.specifier, { ...namesBySide.get(provided.specifier), [target]: read });
      const path = join(base, mode, target, toWrapperFileName(provided.specifier));
      const source = renderWrapper(provided.file, read);
      // Unchanged bytes keep their mtime, so a watcher does not see a change.
      writeFileAtomic(path, source, { skipIfSame: true });
      wrappers[target].set(provided.specifier, path);
    }
  }
  const diagnostics: Diagnostic[] = [];
  for (const [specifier, sides] of namesBySide) {
    const diagnostic = checkProvidedNames(info, specifier, sides);
    if (diagnostic) diagnostics.push(diagnostic);
  }
  return { wrappers, diagnostics };
}

/** `ReferenceError: window is not defined`: the file needs a browser at load time. */
const BROWSER_ONLY = /^ReferenceError: \S+ is not defined/;

function checkProvidedNames(
  info: Pick<ModuleInfo, 'name' | 'packageJsonPath'>,
  specifier: string,
  sides: Partial<Record<BuildTarget, ExportNames>>,
): Diagnostic | undefined {
  const pkg = packageNameOf(specifier);
  const loadError = sides.server?.loadError;
  if (loadError && BROWSER_ONLY.test(loadError)) {
    return createDiagnostic({
      code: 'E_SERVER_IMPORT',
      module: info.name,
      package: pkg,
      tag: TAG.build,
      text: `"${specifier}" is listed in esmx.provides but cannot be imported under Node for server rendering: ${loadError}`,
      found: `a browser-only ${sides.server?.esm ? 'ES module' : 'CommonJS file'} on the server side`,
      required: `"${specifier}" importable in Node (the server build runs in Node)`,
      fix:
        `remove "${specifier}" from esmx.provides in ${info.packageJsonPath} and import it only in client code ` +
        `(inside \`if (!__ESMX_SSR__)\` or a dynamic import() in an effect), or use a version of ${pkg} with a Node build`,
    });
  }
  if (sides.client && sides.server && sides.client.hasDefault !== sides.server.hasDefault) {
    const withDefault = sides.client.hasDefault ? 'client' : 'server';
    const without = withDefault === 'client' ? 'server' : 'client';
    return createDiagnostic({
      code: 'W_DEFAULT_DRIFT',
      module: info.name,
      package: pkg,
      tag: TAG.build,
      text:
        `"${specifier}" has a default export on the ${withDefault} only: its ${withDefault} file is ` +
        `${sides[withDefault]!.esm ? 'an ES module with a default export' : 'CommonJS (its default is module.exports)'}, ` +
        `its ${without} file is an ES module without one`,
      found: `default export on the ${withDefault}, none on the ${without}`,
      required: 'the same exports on both sides',
      fix: `import named exports of "${specifier}" (import { … } or import * as ns), not its default: a default import fails the link of the ${without} build`,
    });
  }
  return undefined;
}
