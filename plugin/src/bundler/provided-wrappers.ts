import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TAG } from '../constants';
import type { BuildTarget } from '../protocol/types';

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

/** Where generated wrappers live: outside the user's sources, one folder per module root. */
export function getWrapperDir(root: string): string {
  const hash = createHash('sha1').update(root).digest('hex').slice(0, 12);
  return join(tmpdir(), 'esmx-nx', hash, 'provided');
}

type Resolver = { sync(dir: string, request: string): { path?: string; error?: string } };

export function resolveProvidedFiles(
  rspackModule: { experiments: { resolver: { ResolverFactory: new (o: object) => Resolver } } },
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

/** Export names of each distinct file: es-module-lexer for ESM, `require()` keys for CommonJS (lexer as fallback). */
export async function readExportNames(files: string[], mode: string): Promise<Map<string, ExportNames>> {
  const esLexer = await import('es-module-lexer');
  await esLexer.init;
  const cjsLexer = require('cjs-module-lexer') as typeof import('cjs-module-lexer');
  await cjsLexer.init();
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
  const keys = await readRequireKeys(cjsFiles, mode);
  for (const file of cjsFiles) {
    const entry = keys[file];
    let names = entry?.names;
    let lexed = false;
    if (!names) {
      // require() failed (browser-only code): the lexer's direct exports are real in every mode;
      // re-exports are left to `export *`, which Rspack resolves statically.
      names = cjsLexer.parse(readFileSync(file, 'utf8')).exports;
      lexed = true;
    }
    const filtered = [...new Set(names)].filter((n) => n !== 'default' && n !== '__esModule' && IDENTIFIER.test(n)).sort();
    result.set(file, { esm: false, hasDefault: true, names: filtered, lexed });
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

function toFileName(specifier: string): string {
  return specifier.replace(/^@/, '').replace(/[^\w.-]+/g, '__') + '.mjs';
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
  );
  const out: Record<BuildTarget, Map<string, string>> = { client: new Map(), server: new Map() };
  const base = getWrapperDir(root);
  for (const provided of files) {
    const dir = join(base, mode, provided.target);
    mkdirSync(dir, { recursive: true });
    const path = join(dir, toFileName(provided.specifier));
    const source = renderWrapper(provided.file, names.get(provided.file)!);
    // Unchanged bytes keep their mtime, so a watcher does not see a change.
    if (!existsSync(path) || readFileSync(path, 'utf8') !== source) writeFileSync(path, source);
    out[provided.target].set(provided.specifier, path);
  }
  return out;
}
