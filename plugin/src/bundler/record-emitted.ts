import type { MultiCompiler } from '@rspack/core' with { 'resolution-mode': 'import' };
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { gzip } from 'node:zlib';
import { HOT_UPDATE_DIR } from '../constants';
import type { BuildTarget } from '../protocol/types';
import { openCacheFile } from '../utils/cache-file';
import { computeIntegrity, readOutputNode, type OutputNode } from './create-manifest';

type Lexer = typeof import('es-module-lexer');

/** What a build needs of one emitted file, computed from the bytes Rspack wrote. */
export interface EmittedFile {
  /** Length in bytes of what was written. */
  raw: number;
  /** When it was written (with `raw`, checked against the file on disk before the record is trusted); 0 in the cache. */
  mtimeMs: number;
  /** sha384 of the bytes, production only. */
  integrity?: string;
  /** Static imports and export names, `.mjs` files only. */
  node?: OutputNode;
  /** gzip size for the size table: client JS and CSS only. */
  gzip?: number;
}

/** The files one target emitted in its last compilation, by path relative to its output folder. */
export interface EmittedTarget {
  files: Map<string, EmittedFile>;
  /** Settles when every emitted file has been hashed, lexed and compressed (never rejects). */
  ready: Promise<void>;
}

export type EmittedFiles = Partial<Record<BuildTarget, EmittedTarget>>;

export interface EmitRecorder {
  /**
   * The files of each target's latest compilation. Called synchronously in Rspack's callback, like the stats
   * collector: in watch mode the next compilation starts a new record and must not change this one.
   */
  snapshot(): EmittedFiles;
}

/**
 * What was read from production files, by `<target>/<file>`: the import graph and gzip size of a file depend on its
 * bytes and its path only, so a file emitted again with the same sha384 at the same path (a provider's react files,
 * a vendor chunk, an untouched export of a rebuilt module) is not lexed or compressed again.
 */
export interface OutputCache {
  entries: Map<string, EmittedFile>;
  /** Keeps the entries of `keep` (the files the manifests list now) on disk; writes only when that changes the file. */
  save(keep: Iterable<string>): void;
}

/** Bumped when what is stored per file changes: a cache of another version is dropped, not misread. */
const OUTPUT_CACHE_VERSION = 2;

function isCachedFile(value: unknown): value is EmittedFile {
  const entry = value as EmittedFile | undefined;
  const node = entry?.node;
  return (
    typeof entry?.raw === 'number' &&
    typeof entry.integrity === 'string' &&
    (entry.gzip === undefined || typeof entry.gzip === 'number') &&
    (node === undefined || [node.files, node.externals, node.lazyExternals, node.exports].every(Array.isArray))
  );
}

/** The output cache kept in `file` (a JSON file in the bundler's cache folder); empty when missing or unreadable. */
export function openOutputCache(file: string): OutputCache {
  const cache = openCacheFile(file, {
    header: { version: OUTPUT_CACHE_VERSION },
    isEntry: isCachedFile,
    identity: (entry) => entry.integrity!,
    // An mtime holds for the file this build wrote only: a cached entry is matched to a new file by its integrity.
    toStored: (entry) => ({ ...entry, mtimeMs: 0 }),
  });
  return {
    entries: cache.entries,
    save(keep) {
      const kept: Array<[string, EmittedFile]> = [];
      for (const key of keep) {
        const entry = cache.entries.get(key);
        if (entry?.integrity) kept.push([key, entry]);
      }
      cache.save(kept);
    },
  };
}

/**
 * Hashes, lexes and gzips each output file when Rspack emits it, from the bytes in memory, instead of reading the whole
 * output back once both targets are done. The work runs on the main thread while Rspack is still compiling (the other
 * target, or the minification of the remaining assets of this one), which would otherwise wait idle; only what is
 * emitted last is still being processed when the compilation ends. A file that is not recorded (not re-emitted in
 * watch mode because it did not change, or written by something other than Rspack's emit) is read from disk as before.
 * With `cache` (production), a file whose sha384 is in it is only hashed; new results are added to it.
 */
export function recordEmittedFiles(
  compiler: MultiCompiler,
  { mode, lexer, cache }: { mode: 'production' | 'development'; lexer: Lexer; cache?: OutputCache },
): EmitRecorder {
  const latest: EmittedFiles = {};
  for (const child of compiler.compilers) {
    const target = child.name as BuildTarget;
    if (target !== 'client' && target !== 'server') continue;
    let pending: Promise<void>[] = [];
    let record: EmittedTarget = { files: new Map(), ready: Promise.resolve() };
    child.hooks.compile.tap('esmx:emitted', () => {
      pending = [];
      record = { files: new Map(), ready: Promise.resolve() };
      latest[target] = record;
    });
    child.hooks.assetEmitted.tap('esmx:emitted', (file, info) => {
      // Hot-update files are the dev server's: no manifest or size table lists them.
      if (file.startsWith(`${HOT_UPDATE_DIR}/`)) return;
      // The bytes are read now, while the compilation still holds the asset; the work on them is deferred so that
      // Rspack's emit does not wait for it.
      const content = info.content;
      const files = record.files;
      // What a later rewrite of the file (same length or not) changes: the record is then not trusted.
      const mtimeMs = statSync(info.targetPath, { throwIfNoEntry: false })?.mtimeMs ?? -1;
      const work = () => describeEmittedFile(file, content, mtimeMs, target, mode, lexer, files, cache);
      const done = new Promise<void>((settle) => setImmediate(() => work().then(settle, settle)));
      pending.push(done);
      record.ready = Promise.all(pending).then(() => undefined);
    });
  }
  return { snapshot: () => ({ ...latest }) };
}

/** The gzip size the size table reports (level 6, what servers commonly send). */
export const gzipSize = (bytes: Buffer) =>
  new Promise<number>((resolve, reject) => gzip(bytes, { level: 6 }, (error, out) => (error ? reject(error) : resolve(out.length))));

/**
 * The records of `files` whose file in `dir` is still what Rspack emitted (nothing rewrote it since, same length or
 * not): one stat per file, made once per build for the manifest and the size table alike (synchronously: a round trip
 * through the thread pool per file costs more than the stat).
 */
export function keepUnchangedSinceEmit(dir: string, files: Map<string, EmittedFile> | undefined): Map<string, EmittedFile> {
  const kept = new Map<string, EmittedFile>();
  for (const [file, recorded] of files ?? []) {
    const stat = statSync(join(dir, file), { throwIfNoEntry: false });
    if (stat !== undefined && stat.size === recorded.raw && stat.mtimeMs === recorded.mtimeMs) kept.set(file, recorded);
  }
  return kept;
}

async function describeEmittedFile(
  file: string,
  content: Buffer,
  mtimeMs: number,
  target: BuildTarget,
  mode: 'production' | 'development',
  lexer: Lexer,
  files: Map<string, EmittedFile>,
  cache: OutputCache | undefined,
): Promise<void> {
  const name = file.split('\\').join('/');
  const integrity = mode === 'production' ? computeIntegrity(content) : undefined;
  const key = `${target}/${name}`;
  const cached = integrity ? cache?.entries.get(key) : undefined;
  if (cached && cached.integrity === integrity && cached.raw === content.length) {
    files.set(name, { ...cached, mtimeMs });
    return;
  }
  // Started first: compression runs on libuv's thread pool while this thread lexes.
  const compressing = target === 'client' && /\.(mjs|css)$/.test(name) ? gzipSize(content) : undefined;
  try {
    const entry: EmittedFile = { raw: content.length, mtimeMs, ...(integrity ? { integrity } : {}) };
    if (name.endsWith('.mjs')) entry.node = readOutputNode(name, content.toString('utf8'), lexer);
    if (compressing) entry.gzip = await compressing;
    files.set(name, entry);
    if (integrity) cache?.entries.set(key, entry);
  } catch {
    // Not recorded: the manifest step reads this file from disk and reports what fails there, with its message.
    await compressing?.catch(() => undefined);
  }
}
