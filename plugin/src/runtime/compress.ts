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
type Compressor = { worker: Worker; pending: Map<number, Pending> };

/**
 * Up to as many workers as libuv's thread pool had threads for zlib's own asynchronous calls (4, or fewer cores): the
 * first page after a start asks for its files at once, and brotli at quality 11 takes about 250 ms for a 200 KB chunk.
 */
const MAX_WORKERS = Math.max(1, Math.min(4, availableParallelism()));
const compressors: Compressor[] = [];
let nextId = 0;

const toBuffer = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

/** Every call waiting on `compressor` fails with `error`, and it is no longer used. */
function retire(compressor: Compressor, error: Error): void {
  const at = compressors.indexOf(compressor);
  if (at !== -1) compressors.splice(at, 1);
  for (const { reject } of compressor.pending.values()) reject(error);
  compressor.pending.clear();
}

function startCompressor(): Compressor {
  const compressor: Compressor = { worker: new Worker(WORKER_SOURCE, { eval: true }), pending: new Map() };
  const { worker, pending } = compressor;
  worker.on('message', ({ id, gzip, br, error }: Reply) => {
    const call = pending.get(id);
    pending.delete(id);
    // Unref'd while idle: a server that closed must not be kept alive by its compressors.
    if (pending.size === 0) worker.unref();
    if (!call) return;
    if (error !== undefined || !gzip || !br) call.reject(new Error(`compressing a static file failed: ${error ?? 'no output'}`));
    else call.resolve({ gzip: toBuffer(gzip), br: toBuffer(br) });
  });
  worker.on('error', (error) => retire(compressor, error));
  worker.on('exit', (code) => retire(compressor, new Error(`the compression worker exited with code ${code}`)));
  compressors.push(compressor);
  return compressor;
}

/** An idle worker, else a new one while under MAX_WORKERS, else the one with the shortest queue. */
function pickCompressor(): Compressor {
  const idle = compressors.find((c) => c.pending.size === 0);
  if (idle) return idle;
  if (compressors.length < MAX_WORKERS) return startCompressor();
  return compressors.reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
}

/** gzip (level 9) and brotli (quality 11) of `data`, made on a compression worker (started on first use). */
export function compressBodies(data: Uint8Array): Promise<CompressedBodies> {
  const { worker, pending } = pickCompressor();
  const id = nextId++;
  const result = new Promise<CompressedBodies>((resolve, reject) => pending.set(id, { resolve, reject }));
  // Ref'd while a result is awaited: an event loop with nothing else to do would otherwise exit mid-wait.
  worker.ref();
  worker.postMessage({ id, data });
  return result;
}

/** Stops the workers, failing the calls that wait on them; the next call starts a new one. */
export async function stopCompressionWorkers(): Promise<void> {
  const stopping = [...compressors];
  for (const compressor of stopping) retire(compressor, new Error('the compression worker was stopped'));
  await Promise.all(stopping.map(({ worker }) => worker.terminate()));
}
