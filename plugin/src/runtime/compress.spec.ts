import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { compressBodies, createCompressorPool, stopCompressionWorkers } from './compress';

const REPO = join(__dirname, '../../..');
const text = (n: number) => Buffer.from(Array.from({ length: n }, (_, i) => `export const v${i} = "${i % 7}";\n`).join(''));

afterAll(() => stopCompressionWorkers());

describe('compressBodies', () => {
  it('makes gzip and brotli bodies that decompress to the bytes, smaller than them', async () => {
    const data = text(3000);
    const { gzip, br } = await compressBodies(data);
    expect(gunzipSync(gzip).equals(data)).toBe(true);
    expect(brotliDecompressSync(br).equals(data)).toBe(true);
    expect(gzip.length).toBeLessThan(data.length);
    expect(br.length).toBeLessThan(gzip.length);
  });

  it('answers calls made at once each with the bodies of its own bytes', async () => {
    const inputs = [10, 200, 3000, 1, 500].map(text);
    const outputs = await Promise.all(inputs.map((data) => compressBodies(data)));
    expect(outputs.map(({ gzip }) => gunzipSync(gzip).toString())).toEqual(inputs.map(String));
    expect(outputs.map(({ br }) => brotliDecompressSync(br).toString())).toEqual(inputs.map(String));
  });

  // What the worker is for: a stream of another class run on this thread (zlib's callback API runs one) makes Node's
  // stream functions megamorphic for every later HTTP request of the process (see compress.ts).
  it('runs no stream on this thread', async () => {
    const push = jest.spyOn(Readable.prototype, 'push');
    try {
      await compressBodies(text(3000));
      expect(push).not.toHaveBeenCalled();
    } finally {
      push.mockRestore();
    }
  });

  it('fails the calls waiting on a stopped worker, and the next call starts a new one', async () => {
    const waiting = compressBodies(text(20_000));
    await stopCompressionWorkers();
    await expect(waiting).rejects.toThrow('the compression worker was stopped');
    const { gzip } = await compressBodies(text(5));
    expect(gunzipSync(gzip).toString()).toBe(String(text(5)));
  });

  it('does not keep a process alive once its results are in', () => {
    const script = `require('./plugin/src/runtime/compress.ts').compressBodies(Buffer.from('x'.repeat(4000))).then(({ br }) => console.log('compressed ' + br.length))`;
    const out = execFileSync(process.execPath, ['-r', '@swc-node/register', '-e', script], {
      cwd: REPO,
      env: { ...process.env, NODE_OPTIONS: '' },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(out).toMatch(/^compressed \d+\n$/);
  });
});

describe('createCompressorPool', () => {
  /** Resolves once `condition()` holds; rejects past the deadline (no sleep before asserting). */
  const until = async (condition: () => boolean, deadlineMs = 4_000) => {
    const end = Date.now() + deadlineMs;
    while (!condition()) {
      if (Date.now() > end) throw new Error('condition not met before the deadline');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };

  it('runs calls made at once on up to maxWorkers workers', async () => {
    const pool = createCompressorPool({ maxWorkers: 2 });
    try {
      const inputs = [400, 300, 200, 100].map(text);
      const outputs = Promise.all(inputs.map((data) => pool.compress(data)));
      expect(pool.size).toBe(2);
      expect((await outputs).map(({ gzip }) => gunzipSync(gzip).toString())).toEqual(inputs.map(String));
    } finally {
      await pool.stop();
    }
  });

  it('stops a worker idle for idleMs, and starts one again for the next call', async () => {
    const pool = createCompressorPool({ maxWorkers: 1, idleMs: 50 });
    try {
      await pool.compress(text(10));
      expect(pool.size).toBe(1);
      await until(() => pool.size === 0);
      const { br } = await pool.compress(text(20));
      expect(brotliDecompressSync(br).toString()).toBe(String(text(20)));
      expect(pool.size).toBe(1);
    } finally {
      await pool.stop();
    }
  });
});
