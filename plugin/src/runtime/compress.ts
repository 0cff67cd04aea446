/**
 * gzip and brotli bodies of static files, compressed on a worker thread. Not with `zlib.gzip` on this thread: its
 * callback API runs a zlib stream through Node's stream machinery (`Readable.push`, `Writable.write`, …), the same
 * functions every HTTP request runs through for its socket and its request object. Fed objects of other stream
 * classes, V8's inline caches in those functions go megamorphic for the life of the process: a server that had
 * gzip- and brotli-compressed one file served about 16 % fewer pages per second afterwards (tools/bench/ssr.mjs's
 * host page, three server processes of each kind). A worker's isolate has its own copies of those functions, and its
 * synchronous zlib calls block only that worker.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

export interface CompressedBodies {
  gzip: Buffer;
  br: Buffer;
}

/**
 * Runs in the worker (a string, so that no bundler rewrites its `require`): gzip level 9 and brotli quality 11, the
 * sizes a static file is worth once it is kept in memory for every later request.
 */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const zlib = require('node:zlib');
parentPort.on('message', ({ id, data }) => {
  try {
    const gzip = zlib.gzipSync(data, { level: 9 });
    const br = zlib.brotliCompressSync(data, {
      params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: data.length },
    });
    parentPort.postMessage({ id, gzip, br });
  } catch (error) {
    parentPort.postMessage({ id, error: String(error && error.message || error) });
  }
});
`;

type Pending = { resolve: (bodies: CompressedBodies) => void; reject: (error: Error) => void };
type Reply = { id: number; gzip?: Uint8Array; br?: Uint8Array; error?: string };
type Compressor = { worker: Worker; pending: Map<number, Pending>; idle?: NodeJS.Timeout };

export interface CompressorPool {
  /** gzip (level 9) and brotli (quality 11) of `data`, made on one of the pool's workers. */
  compress(data: Uint8Array): Promise<CompressedBodies>;
  /** Workers running now. */
  readonly size: number;
  /** Stops the workers, failing the calls that wait on them; the next call starts a new one. */
  stop(): Promise<void>;
}

export interface CompressorPoolOptions {
  /**
   * Default: as many as libuv's thread pool had threads for zlib's own asynchronous calls (4, or fewer cores). The
   * first page after a start asks for its files at once, and brotli at quality 11 takes about 250 ms for a 200 KB chunk.
   */
  maxWorkers?: number;
  /** A worker idle this long is stopped (each holds about 6–11 MB). Default 30 s. */
  idleMs?: number;
}

const toBuffer = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

export function createCompressorPool(options: CompressorPoolOptions = {}): CompressorPool {
  const maxWorkers = options.maxWorkers ?? Math.max(1, Math.min(4, availableParallelism()));
  const idleMs = options.idleMs ?? 30_000;
  const compressors: Compressor[] = [];
  let nextId = 0;

  /** Every call waiting on `compressor` fails with `error`, and it is no longer used. */
  const retire = (compressor: Compressor, error: Error) => {
    clearTimeout(compressor.idle);
    const at = compressors.indexOf(compressor);
    if (at !== -1) compressors.splice(at, 1);
    for (const { reject } of compressor.pending.values()) reject(error);
    compressor.pending.clear();
  };

  const start = (): Compressor => {
    const compressor: Compressor = { worker: new Worker(WORKER_SOURCE, { eval: true }), pending: new Map() };
    const { worker, pending } = compressor;
    worker.on('message', ({ id, gzip, br, error }: Reply) => {
      const call = pending.get(id);
      pending.delete(id);
      if (pending.size === 0) {
        // Unref'd while idle, so that a server that closed is not kept alive by it; stopped after idleMs.
        worker.unref();
        compressor.idle = setTimeout(() => {
          retire(compressor, new Error('the compression worker was stopped while idle'));
          void worker.terminate();
        }, idleMs).unref();
      }
      if (!call) return;
      if (error !== undefined || !gzip || !br) call.reject(new Error(`compressing a static file failed: ${error ?? 'no output'}`));
      else call.resolve({ gzip: toBuffer(gzip), br: toBuffer(br) });
    });
    worker.on('error', (error) => retire(compressor, error));
    worker.on('exit', (code) => retire(compressor, new Error(`the compression worker exited with code ${code}`)));
    compressors.push(compressor);
    return compressor;
  };

  /** An idle worker, else a new one while under maxWorkers, else the one with the shortest queue. */
  const pick = (): Compressor => {
    const idle = compressors.find((c) => c.pending.size === 0);
    if (idle) return idle;
    if (compressors.length < maxWorkers) return start();
    return compressors.reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
  };

  return {
    compress(data) {
      const compressor = pick();
      clearTimeout(compressor.idle);
      const id = nextId++;
      const result = new Promise<CompressedBodies>((resolve, reject) => compressor.pending.set(id, { resolve, reject }));
      // Ref'd while a result is awaited: an event loop with nothing else to do would otherwise exit mid-wait.
      compressor.worker.ref();
      compressor.worker.postMessage({ id, data });
      return result;
    },
    get size() {
      return compressors.length;
    },
    async stop() {
      const stopping = [...compressors];
      for (const compressor of stopping) retire(compressor, new Error('the compression worker was stopped'));
      await Promise.all(stopping.map(({ worker }) => worker.terminate()));
    },
  };
}

/** The process's pool, shared by every server and handler in it. */
const shared = createCompressorPool();

/** gzip (level 9) and brotli (quality 11) of `data`, made on a compression worker (started on first use). */
export const compressBodies = (data: Uint8Array): Promise<CompressedBodies> => shared.compress(data);

/** Stops the process's compression workers (specs). */
export const stopCompressionWorkers = (): Promise<void> => shared.stop();
