import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { compressBodies, stopCompressionWorkers } from './compress';

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
