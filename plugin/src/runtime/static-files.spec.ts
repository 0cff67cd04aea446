import { mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { httpRequest } from './fixtures/composed-host/spawn-server';
import { describeFile, indexDirectory, sendStatus, serveFile, type StaticIndex } from './static-files';

describe('serveFile when a precompressed sibling vanished after indexing', () => {
  let dir: string;
  let server: Server;
  let port: number;
  let index: StaticIndex;
  const body = 'export const text = "' + 'x'.repeat(2000) + '";\n';
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'esmx-static-'));
    writeFileSync(join(dir, 'app.mjs'), body);
    writeFileSync(join(dir, 'app.mjs.gz'), gzipSync(body));
    index = indexDirectory(dir);
    server = createServer((req, res) => {
      serveFile(req, res, index.get('app.mjs')!, index, 'app.mjs').catch(() => {
        res.writeHead(500);
        res.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  it('fails that request only, and serves the file again once the sibling is back', async () => {
    unlinkSync(join(dir, 'app.mjs.gz'));
    expect((await httpRequest(port, '/app.mjs', { headers: { 'accept-encoding': 'gzip' } })).status).toBe(500);
    writeFileSync(join(dir, 'app.mjs.gz'), gzipSync(body));
    const again = await httpRequest(port, '/app.mjs', { headers: { 'accept-encoding': 'gzip' } });
    expect([again.status, again.headers['content-encoding']]).toEqual([200, 'gzip']);
  });
});

describe('describeFile', () => {
  it.each([
    ['a.mjs', 'text/javascript; charset=utf-8', true],
    ['a.js', 'text/javascript; charset=utf-8', true],
    ['a.css', 'text/css; charset=utf-8', true],
    ['a.json', 'application/json; charset=utf-8', true],
    ['a.map', 'application/json; charset=utf-8', true],
    ['a.svg', 'image/svg+xml', true],
    ['a.wasm', 'application/wasm', true],
    ['a.woff2', 'font/woff2', false],
    ['a.PNG', 'image/png', false],
    ['a.unknown-ext', 'application/octet-stream', false],
  ])('types %s as %s (compressible: %s)', (name, type, compressible) => {
    const file = describeFile('', name, 4096, name);
    expect([file.contentType, file.compressible]).toEqual([type, compressible]);
  });

  it('does not compress a file too small to gain from it', () => {
    expect(describeFile('', 'a.mjs', 100, 'a').compressible).toBe(false);
  });
});

describe('sendStatus', () => {
  it("answers with Node's status text", async () => {
    const server = createServer((req, res) => sendStatus(res, Number(req.url!.slice(1))));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.address() as AddressInfo).port;
      expect((await httpRequest(port, '/405')).text).toBe('405 Method Not Allowed\n');
      expect((await httpRequest(port, '/503')).text).toBe('503 Service Unavailable\n');
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
