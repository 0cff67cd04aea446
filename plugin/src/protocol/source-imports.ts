import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { isBuiltin } from 'node:module';
import * as path from 'node:path';
import { findSourceFile, type FolderListings } from './check-targets';
import { packageNameOf } from './installed-version';
import { scanImports, type ScannedImport } from './scan-imports';
import type { BuildTarget, ModuleInfo } from './types';

/** Extensions of JS and TS sources (what a module's own files are scanned in, what an import may leave out). */
export const SCRIPT_EXTENSIONS: ReadonlySet<string> = new Set(['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs']);
const BOTH_TARGETS: readonly BuildTarget[] = ['client', 'server'];

/** One import statement of one of a module's own files. */
export interface SourceImport extends ScannedImport {
  /** Absolute path of the importing file. */
  file: string;
}

/** What a module's own files take from outside on one side. */
export interface ImportSummary {
  /** Named imports of linked specifiers (provided to the module, or exports of modules): specifier → name → `file:line`. */
  names: Record<string, Record<string, string>>;
  /** Packages the module's own files import that stay bundled: provided to it by no module. */
  bundled: string[];
}

/** One file's imports and the files its relative imports resolve to; undefined when it is not the module's own or cannot be read. */
type ScannedFile = { imports: SourceImport[]; next: string[] } | undefined;

/** What a file's content imports, kept from build to build: reused while the content has the same hash. */
export interface KnownScan {
  hash: string;
  imports: ScannedImport[];
}

/**
 * Scans for one state of one module's sources (its client and server walks share most files). Whether a file is the
 * module's own depends on the module's root: two modules never share one cache, but they may share `known`.
 */
export interface SourceScanCache {
  files: Map<string, ScannedFile>;
  /** Relative imports resolved in this state, by `dir` NUL `specifier`: many files import the same `../x`. */
  resolved: Map<string, string | undefined>;
  /** The folders listed to resolve them, each once in this state. */
  listings: FolderListings;
  /** Scans by content, from earlier builds (bundler/source-scans.ts) and this one: a file is scanned again only when edited. */
  known: Map<string, KnownScan>;
}

export function createSourceScanCache(known = new Map<string, KnownScan>()): SourceScanCache {
  return { files: new Map(), resolved: new Map(), listings: new Map(), known };
}

/** The walk cache of each module of one resolution (made on first use), all sharing their scans by content: what validate's checks share. */
export type ModuleScans = (module: string) => SourceScanCache;

export function createModuleScans(): ModuleScans {
  const known = new Map<string, KnownScan>();
  const caches = new Map<string, SourceScanCache>();
  return (module) => {
    let cache = caches.get(module);
    if (!cache) caches.set(module, (cache = createSourceScanCache(known)));
    return cache;
  };
}

function resolveRelative(cache: SourceScanCache, dir: string, specifier: string): string | undefined {
  const key = `${dir}\0${specifier}`;
  if (!cache.resolved.has(key)) cache.resolved.set(key, findSourceFile(dir, specifier, cache.listings));
  return cache.resolved.get(key);
}

function scanFile(file: string, cache: SourceScanCache): ScannedFile {
  const source = readQuietly(file);
  if (source === undefined) return undefined;
  const hash = createHash('sha1').update(source).digest('base64');
  let known = cache.known.get(file);
  if (known?.hash !== hash) {
    known = { hash, imports: scanImports(source) };
    cache.known.set(file, known);
  }
  const imports: SourceImport[] = [];
  const next: string[] = [];
  const dir = path.dirname(file);
  for (const found of known.imports) {
    imports.push({ file, ...found });
    if (found.specifier.startsWith('./') || found.specifier.startsWith('../')) {
      const resolved = resolveRelative(cache, dir, found.specifier);
      if (resolved) next.push(resolved);
    }
  }
  return { imports, next };
}

/**
 * Every import of the module's own files reachable from its entries and exports on the given sides, through relative
 * imports, in the order they are met: the files the bundler compiles from the module itself (not node_modules).
 */
export function listSourceImports(
  module: ModuleInfo,
  targets: readonly BuildTarget[] = BOTH_TARGETS,
  cache: SourceScanCache = createSourceScanCache(),
): SourceImport[] {
  const starts = targets.flatMap((target) => [module.entry[target], ...module.exports.map((e) => e[target])]);
  const queue = starts.flatMap((start) => (start === false ? [] : (findSourceFile(module.root, start, cache.listings) ?? [])));
  const seen = new Set<string>();
  const imports: SourceImport[] = [];
  for (let i = 0; i < queue.length; i++) {
    const file = queue[i];
    if (seen.has(file)) continue;
    seen.add(file);
    if (!cache.files.has(file)) cache.files.set(file, isOwnSource(module.root, file) ? scanFile(file, cache) : undefined);
    const scanned = cache.files.get(file);
    if (!scanned) continue;
    imports.push(...scanned.imports);
    queue.push(...scanned.next);
  }
  return imports;
}

/** A package or module specifier (not relative, absolute, `#internal`, a URL or a Node built-in). */
export function isBareSpecifier(specifier: string): boolean {
  return !/^(?:\.{0,2}\/|#|[a-z][a-z0-9+.-]*:)/i.test(specifier) && !isBuiltin(specifier);
}

/**
 * Sorts a module's imports into named imports of linked specifiers (checked against the manifests at link time) and
 * packages it bundles (counted across modules for the supply diagnostics). `isLinked` says whether a bare specifier
 * stays a bare import for this module.
 */
export function summarizeImports(module: Pick<ModuleInfo, 'root'>, imports: SourceImport[], isLinked: (specifier: string) => boolean): ImportSummary {
  const names: ImportSummary['names'] = {};
  const bundled = new Set<string>();
  // By specifier: a module's files import the same few packages hundreds of times.
  const kinds = new Map<string, 'linked' | 'bundled' | 'other'>();
  for (const { file, specifier, line, names: bound } of imports) {
    let kind = kinds.get(specifier);
    if (kind === undefined) {
      kind = !isBareSpecifier(specifier) ? 'other' : isLinked(specifier) ? 'linked' : 'bundled';
      kinds.set(specifier, kind);
      if (kind === 'bundled') bundled.add(packageNameOf(specifier));
    }
    if (kind !== 'linked') continue;
    const byName = (names[specifier] ??= {});
    // Only the first import of a name is named: the place is worked out only for that one.
    let where: string | undefined;
    for (const name of bound) byName[name] ??= where ??= `${path.relative(module.root, file).split(path.sep).join('/')}:${line}`;
  }
  return { names, bundled: [...bundled].sort() };
}

function isOwnSource(root: string, file: string): boolean {
  const relative = path.relative(root, file);
  return (
    SCRIPT_EXTENSIONS.has(path.extname(file)) &&
    !relative.startsWith('..') &&
    !path.isAbsolute(relative) &&
    !relative.split(path.sep).includes('node_modules')
  );
}

export function readQuietly(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    // Absent or unreadable: nothing to scan here; the file checks (E_TARGET_MISSING) report missing targets.
    return undefined;
  }
}
