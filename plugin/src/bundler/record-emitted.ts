import type { MultiCompiler } from '@rspack/core' with { 'resolution-mode': 'import' };
import { gzip } from 'node:zlib';
import type { BuildTarget } from '../protocol/types';
import { computeIntegrity, readOutputNode, type OutputNode } from './create-manifest';

type Lexer = typeof import('es-module-lexer');

/** What a build needs of one emitted file, computed from the bytes Rspack wrote. */
export interface EmittedFile {
  /** Length in bytes of what was written (checked against the file on disk before it is trusted). */
  raw: number;
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
 * Hashes, lexes and gzips each output file when Rspack emits it, from the bytes in memory, instead of reading the whole
 * output back once both targets are done. The work runs on the main thread while Rspack is still compiling (the other
 * target, or the minification of the remaining assets of this one), which would otherwise wait idle; only what is
 * emitted last is still being processed when the compilation ends. A file that is not recorded (not re-emitted in
 * watch mode because it did not change, or written by something other than Rspack's emit) is read from disk as before.
 */
export function recordEmittedFiles(compiler: MultiCompiler, { mode, lexer }: { mode: 'production' | 'development'; lexer: Lexer }): EmitRecorder {
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
      // The bytes are read now, while the compilation still holds the asset; the work on them is deferred so that
      // Rspack's emit does not wait for it.
      const content = info.content;
      const files = record.files;
      const done = new Promise<void>((settle) => setImmediate(() => processFile(file, content, target, mode, lexer, files).then(settle, settle)));
      pending.push(done);
      record.ready = Promise.all(pending).then(() => undefined);
    });
  }
  return { snapshot: () => ({ ...latest }) };
}

const gzipSize = (bytes: Buffer) =>
  new Promise<number>((resolve, reject) => gzip(bytes, { level: 6 }, (error, out) => (error ? reject(error) : resolve(out.length))));

async function processFile(
  file: string,
  content: Buffer,
  target: BuildTarget,
  mode: 'production' | 'development',
  lexer: Lexer,
  files: Map<string, EmittedFile>,
): Promise<void> {
  const name = file.split('\\').join('/');
  // Started first: compression runs on libuv's thread pool while this thread hashes and lexes.
  const compressing = target === 'client' && /\.(mjs|css)$/.test(name) ? gzipSize(content) : undefined;
  try {
    const entry: EmittedFile = { raw: content.length };
    if (mode === 'production') entry.integrity = computeIntegrity(content);
    if (name.endsWith('.mjs')) entry.node = readOutputNode(name, content.toString('utf8'), lexer);
    if (compressing) entry.gzip = await compressing;
    files.set(name, entry);
  } catch {
    // Not recorded: the manifest step reads this file from disk and reports what fails there, with its message.
    await compressing?.catch(() => undefined);
  }
}
