import { mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { httpRequest, rawHttpRequest } from './fixtures/composed-host/spawn-server';
import { decodeStaticPath, describeFile, describeMemoryFile, indexDirectory, negotiateEncoding, sendStatus, serveFile, type StaticIndex } from './static-files';

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

  it('compresses the file itself instead, and a file gone too answers 404 for that request only', async () => {
    unlinkSync(join(dir, 'app.mjs.gz'));
    const fallback = await httpRequest(port, '/app.mjs', { headers: { 'accept-encoding': 'gzip' } });
    expect([fallback.status, fallback.headers['content-encoding'], gunzipSync(fallback.body).toString()]).toEqual([200, 'gzip', body]);
    writeFileSync(join(dir, 'app.mjs.gz'), gzipSync(body));
    index = indexDirectory(dir);
    unlinkSync(join(dir, 'app.mjs.gz'));
    unlinkSync(join(dir, 'app.mjs'));
    const gone = await httpRequest(port, '/app.mjs', { headers: { 'accept-encoding': 'gzip' } });
    expect([gone.status, gone.text]).toEqual([404, '404 Not Found\n']);
    writeFileSync(join(dir, 'app.mjs'), body);
    const again = await httpRequest(port, '/app.mjs', { headers: { 'accept-encoding': 'gzip' } });
    expect([again.status, again.headers['content-encoding']]).toEqual([200, 'gzip']);
  });
});

describe('a file held in memory', () => {
  it('is compressed on its first request, not when it is described', async () => {
    const body = Buffer.from('export const shim = "' + 'y'.repeat(3000) + '";\n');
    const file = describeMemoryFile('shim.1234abcd.final.js', body, 'seed');
    expect(file.bodies).toBeUndefined();
    const server = createServer((req, res) => void serveFile(req, res, file));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const response = await httpRequest(port, '/shim.js', { headers: { 'accept-encoding': 'br' } });
      expect([response.status, response.headers['content-encoding']]).toEqual([200, 'br']);
      expect(brotliDecompressSync(response.body).equals(body)).toBe(true);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
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

describe('sendStatus after a writeHead that threw (an invalid header value from a handler)', () => {
  it('answers with the status line of its own status, not the one the failed writeHead left behind', async () => {
    const server = createServer((req, res) => {
      res.setHeader('x-kept-out', 'set before the failure');
      try {
        res.writeHead(200, { 'x-bad': 'a\nb' });
      } catch {
        sendStatus(res, 500);
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.address() as AddressInfo).port;
      const raw = await rawHttpRequest(port, '/');
      expect(raw.text.split('\r\n')[0]).toBe('HTTP/1.1 500 Internal Server Error');
      expect(raw.text).not.toContain('x-kept-out');
      expect(raw.text.endsWith('\r\n\r\n500 Internal Server Error\n')).toBe(true);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('negotiateEncoding (negotiator)', () => {
  const all = { identity: Buffer.from('i'), gzip: Buffer.from('g'), br: Buffer.from('b') };
  it.each([
    [undefined, 'identity'],
    ['', 'identity'],
    ['gzip, br', 'br'],
    ['gzip', 'gzip'],
    ['GZIP', 'gzip'],
    ['br;q=0, *', 'gzip'],
    ['br;q=0, gzip;q=0, *', 'identity'],
    ['*;q=0, gzip', 'gzip'],
    ['gzip;q=0.5, br;q=0.4', 'gzip'],
    ['gzip;q=0.5, identity', 'identity'],
    ['deflate', 'identity'],
    ['br;q=0', 'identity'],
    // Nothing acceptable, identity included: identity anyway (RFC 9110 §12.5.3), never a 406 for a script.
    ['identity;q=0', 'identity'],
    ['*;q=0', 'identity'],
  ])('%j → %s', (header, coding) => expect(negotiateEncoding(header, all)).toBe(coding));

  it('offers only the codings it has', () => {
    expect(negotiateEncoding('br, gzip', { identity: all.identity, gzip: all.gzip })).toBe('gzip');
    expect(negotiateEncoding('br', { identity: all.identity })).toBe('identity');
  });
});

describe('dotfiles and dot-folders', () => {
  it('are not indexed', () => {
    const dir = mkdtempSync(join(tmpdir(), 'esmx-dot-'));
    try {
      for (const file of ['.env', '.git/config', 'a/.hidden/x.mjs', 'a/ok.mjs', '.well-known/x']) {
        mkdirSync(join(dir, file, '..'), { recursive: true });
        writeFileSync(join(dir, file), 'SECRET');
      }
      expect([...indexDirectory(dir).keys()]).toEqual(['a/ok.mjs']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each(['.env', '%2eenv', '%2Eenv', '.git/config', '%2egit/config', 'a/.hidden/x', 'a/%2ehidden/x', '.well-known/x'])(
    'answers 404 for %j before any lookup',
    (raw) => expect(decodeStaticPath(raw)).toEqual({ status: 404 }),
  );
});

describe('serveFile over HTTP', () => {
  let dir: string;
  let server: Server;
  let port: number;
  let index: StaticIndex;
  const text = 'export const text = "' + 'y'.repeat(3000) + '";\n';
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'esmx-serve-'));
    writeFileSync(join(dir, 'a.mjs'), text);
    writeFileSync(join(dir, 'gone.mjs'), text);
    writeFileSync(join(dir, 'gone.png'), 'not really a png');
    index = indexDirectory(dir);
    server = createServer((req, res) => {
      const rel = req.url!.slice(1);
      serveFile(req, res, index.get(rel)!, index, rel).catch(() => sendStatus(res, 500));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  it('honours q=0 for br with a wildcard, and says the response varies with Accept-Encoding', async () => {
    const res = await httpRequest(port, '/a.mjs', { headers: { 'accept-encoding': 'br;q=0, *' } });
    expect([res.status, res.headers['content-encoding'], res.headers.vary]).toEqual([200, 'gzip', 'accept-encoding']);
    const plain = await httpRequest(port, '/a.mjs', { headers: { 'accept-encoding': 'identity;q=0' } });
    expect([plain.status, plain.headers['content-encoding'], plain.headers.vary, plain.text]).toEqual([200, undefined, 'accept-encoding', text]);
  });

  it.each(['gone.mjs', 'gone.png'])('answers 404 for %s deleted after indexing', async (name) => {
    unlinkSync(join(dir, name));
    const res = await httpRequest(port, `/${name}`, { headers: { 'accept-encoding': 'gzip, br' } });
    expect([res.status, res.text]).toEqual([404, '404 Not Found\n']);
  });
});
