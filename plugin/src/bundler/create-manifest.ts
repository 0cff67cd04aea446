import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, posix, relative, sep } from 'node:path';
import { HOT_UPDATE_DIR, MANIFEST_FILE, PROTOCOL_VERSION } from '../constants';
import type { ImportSummary } from '../protocol/source-imports';
import type { BuildManifest, BuildTarget, ManifestChunk, Resolution } from '../protocol/types';
import type { EmittedFile } from './record-emitted';
import type { EntryPlan } from './types';

type Lexer = typeof import('es-module-lexer');

/** What Rspack's stats say about one entrypoint (paths relative to the output directory). */
export interface EntrypointFiles {
  assets: string[];
  auxiliaryAssets: string[];
}

export interface ManifestInput {
  resolution: Resolution;
  target: BuildTarget;
  mode: 'production' | 'development';
  /** Directory holding the emitted files of this target. */
  dir: string;
  entries: EntryPlan[];
  entrypoints: Record<string, EntrypointFiles>;
  lexer: Lexer;
  /** What the module's own sources import on this side (protocol/source-imports). */
  sourceImports?: ImportSummary;
  /** The files this target's compilation emitted, hashed and lexed as they were written, still unchanged on disk (record-emitted.ts). */
  emitted?: Map<string, EmittedFile>;
}

/** One emitted JS file: the files and bare specifiers it imports statically, and the names it exports. */
export interface OutputNode {
  files: string[];
  externals: string[];
  /** Bare specifiers it imports dynamically with a literal (`import('cart/widget')`): their CSS belongs to the page. */
  lazyExternals: string[];
  exports: string[];
}

/** What the manifest needs from the emitted files: their list, static-import graph and (production) integrity. */
export interface OutputFiles {
  files: string[];
  graph: Map<string, OutputNode>;
  integrity: Record<string, string>;
}

export function listFiles(dir: string): string[] {
  const out: string[] = [];
  // A target with nothing to build has no output folder: its manifest lists no files.
  if (!existsSync(dir)) return out;
  const walk = (current: string) => {
    for (const dirent of readdirSync(current, { withFileTypes: true })) {
      const path = join(current, dirent.name);
      if (dirent.isDirectory()) walk(path);
      else out.push(relative(dir, path).split(sep).join('/'));
    }
  };
  walk(dir);
  // Hot-update files are the dev server's, fetched by the page's runtime: not part of what the module serves or links.
  return out.filter((f) => f !== MANIFEST_FILE && !f.startsWith(`${HOT_UPDATE_DIR}/`)).sort();
}

export function computeIntegrity(bytes: Buffer): string {
  return `sha384-${createHash('sha384').update(bytes).digest('base64')}`;
}

const BUILTINS = new Set(builtinModules);

function isBuiltin(specifier: string): boolean {
  return /^[a-z][a-z0-9+.-]*:/i.test(specifier) || BUILTINS.has(specifier) || BUILTINS.has(specifier.split('/')[0]);
}

/** The static imports (local files and bare specifiers), literal dynamic bare imports and export names of one JS file. */
export function readOutputNode(file: string, source: string, lexer: Lexer): OutputNode {
  const [imports, exports] = lexer.parse(source, file);
  const node: OutputNode = { files: [], externals: [], lazyExternals: [], exports: exports.map((e) => e.n).sort() };
  for (const imp of imports) {
    // A dynamic import with a literal bare specifier (d > -1, n set): loaded on demand and not preloaded, but its
    // stylesheets are the page's (a remote's island is server-rendered and must be styled on the first paint).
    if (imp.d > -1 && imp.n && !/^[./]/.test(imp.n) && !isBuiltin(imp.n)) node.lazyExternals.push(imp.n);
    // d === -1: a static import; dynamic imports are loaded on demand and not preloaded.
    if (imp.d !== -1 || !imp.n) continue;
    if (imp.n.startsWith('./') || imp.n.startsWith('../')) {
      node.files.push(posix.normalize(posix.join(posix.dirname(file), imp.n)));
    } else if (!imp.n.startsWith('/') && !isBuiltin(imp.n)) {
      node.externals.push(imp.n);
    }
  }
  return node;
}

export function collectStaticClosure(
  entryFile: string,
  graph: Map<string, OutputNode>,
): { imports: string[]; externals: string[]; lazyExternals: string[] } {
  const seen = new Set<string>([entryFile]);
  const externals = new Set<string>();
  const lazyExternals = new Set<string>();
  const queue = [entryFile];
  while (queue.length > 0) {
    const node = graph.get(queue.pop()!);
    if (!node) continue;
    for (const ext of node.externals) externals.add(ext);
    for (const ext of node.lazyExternals) lazyExternals.add(ext);
    for (const file of node.files) {
      if (!seen.has(file)) {
        seen.add(file);
        queue.push(file);
      }
    }
  }
  seen.delete(entryFile);
  return { imports: [...seen].sort(), externals: [...externals].sort(), lazyExternals: [...lazyExternals].sort() };
}

/**
 * Integrity and import graph of every file in `dir`. A file recorded while Rspack emitted it and unchanged since
 * (`emitted`, see record-emitted.ts) is taken from that record; any other file is read once, its bytes
 * feeding both the hash and the lexer.
 */
export function readOutput(dir: string, mode: 'production' | 'development', lexer: Lexer, emitted?: Map<string, EmittedFile>): OutputFiles {
  const files = listFiles(dir);
  const integrity: Record<string, string> = {};
  const graph = new Map<string, OutputNode>();
  for (const file of files) {
    const needsText = file.endsWith('.mjs');
    if (mode !== 'production' && !needsText) continue;
    const recorded = emitted?.get(file);
    if (recorded && (mode !== 'production' || recorded.integrity) && (!needsText || recorded.node)) {
      if (recorded.integrity) integrity[file] = recorded.integrity;
      if (recorded.node) graph.set(file, recorded.node);
      continue;
    }
    const bytes = readFileSync(join(dir, file));
    if (mode === 'production') integrity[file] = computeIntegrity(bytes);
    if (needsText) graph.set(file, readOutputNode(file, bytes.toString('utf8'), lexer));
  }
  return { files, graph, integrity };
}

export function createManifest(input: ManifestInput): BuildManifest {
  const { resolution, target, dir } = input;
  const self = resolution.modules[resolution.module];
  const { files, graph, integrity } = readOutput(dir, input.mode, input.lexer, input.emitted);

  const provides: BuildManifest['provides'] = {};
  for (const group of resolution.supply.groups) {
    if (group.provider === resolution.module) provides[group.package] = { version: group.version };
  }
  const scopes: Record<string, string> = {};
  for (const [specifier, wiring] of Object.entries(resolution.supply.wiring[resolution.module] ?? {})) {
    scopes[specifier] = wiring.provider;
  }

  const exports: BuildManifest['exports'] = {};
  const chunks: BuildManifest['chunks'] = {};
  for (const entry of input.entries) {
    const ep = input.entrypoints[entry.name] ?? { assets: [], auxiliaryAssets: [] };
    const js = findEntryFile(ep.assets);
    exports[entry.name] = { name: entry.name, pkg: entry.pkg, file: js, identifier: entry.identifier, names: graph.get(js)?.exports ?? [] };
    const closure = collectStaticClosure(js, graph);
    const chunk: ManifestChunk = {
      js,
      css: ep.assets.filter((a) => a.endsWith('.css')),
      resources: [...new Set(ep.auxiliaryAssets.filter((a) => !a.endsWith('.map')))].sort(),
      imports: closure.imports,
      externals: closure.externals,
      ...(closure.lazyExternals.length ? { lazyExternals: closure.lazyExternals } : {}),
    };
    chunks[entry.name] = chunk;
  }

  return {
    protocol: PROTOCOL_VERSION,
    name: resolution.module,
    version: self?.version ?? '0.0.0',
    target,
    provides,
    uses: self ? [...self.uses] : [],
    exports,
    scopes,
    files,
    chunks,
    integrity,
    imports: input.sourceImports?.names ?? {},
    bundled: input.sourceImports?.bundled ?? [],
  };
}

/**
 * The file of an entry's own chunk among its entrypoint's files: the one outside `chunks/` (where the shared runtime
 * and shared chunks go); Rspack lists it last.
 */
export function findEntryFile(assets: string[]): string {
  const scripts = assets.filter((a) => a.endsWith('.mjs'));
  return scripts.find((a) => !a.startsWith('chunks/')) ?? scripts.at(-1) ?? '';
}
