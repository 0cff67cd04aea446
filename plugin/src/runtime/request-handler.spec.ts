/**
 * `createRequestHandler` inside the user's own node:http server (fixture run-handler.ts, in a child process: the
 * resolve hook needs real Node): its pages and files under /shop/, the user's JSON route next to them, `next` for
 * the rest, per-request data in rc.params, reload without restart, and the options it refuses.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CACHE_CONTROL_IMMUTABLE } from '../constants';
import { createComposedHost, deployCart, type ComposedHost } from './fixtures/composed-host/create-fixture';
import { httpRequest, spawnTsProcess, type SpawnedServer } from './fixtures/composed-host/spawn-server';
import { createRequestHandler } from './index';

jest.setTimeout(60_000);

let workspace: string;
let host: ComposedHost;
let server: SpawnedServer;

beforeAll(async () => {
  workspace = mkdtempSync(join(tmpdir(), 'esmx-handler-'));
  host = createComposedHost(workspace);
  server = await spawnTsProcess(join(__dirname, 'fixtures/composed-host/run-handler.ts'), [host.root, '{}']);
});

afterAll(() => {
  server?.child.kill('SIGKILL');
  rmSync(workspace, { recursive: true, force: true });
});

describe('createRequestHandler inside a node:http server of the user', () => {
  it('renders the composed page under the base, with every URL of the page under it', async () => {
    const res = await httpRequest(server.port, '/shop/');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.text).toContain('<section id="cart" data-version="v1">Cart v1 (2 items) for &lt;alice&gt;</section>');
    const map = JSON.parse(/<script type="importmap">([\s\S]*?)<\/script>/.exec(res.text)![1]);
    expect(Object.values(map.imports).every((url) => (url as string).startsWith('/shop/'))).toBe(true);
  });

  it('leaves the user\'s own route to the user\'s server', async () => {
    const res = await httpRequest(server.port, '/api/ping');
    expect(res.status).toBe(200);
    expect(JSON.parse(res.text)).toEqual({ pong: true, generation: 1 });
  });

  it('passes a request outside the base to next, and redirects the base without its slash', async () => {
    const outside = await httpRequest(server.port, '/elsewhere?x=1');
    expect(outside.status).toBe(418);
    expect(outside.text).toBe('next: /elsewhere?x=1');
    const bare = await httpRequest(server.port, '/shop');
    expect(bare.status).toBe(301);
    expect(bare.headers.location).toBe('/shop/');
  });

  it('serves the linked modules\' files under the base with the immutable cache policy', async () => {
    const page = await httpRequest(server.port, '/shop/');
    const src = /"cart\/widget":"(\/shop\/cart\/[^"]+)"/.exec(page.text)![1];
    const file = await httpRequest(server.port, src);
    expect(file.status).toBe(200);
    expect(file.headers['cache-control']).toBe(CACHE_CONTROL_IMMUTABLE);
    expect(file.text).toContain('renderWidget');
  });

  it('adds the caller\'s per-request data to rc.params, never over url, method or headers', async () => {
    const res = await httpRequest(server.port, '/shop/params?q=1', { headers: { 'x-user': 'bob' } });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.text)).toEqual({ user: 'bob', tenant: 'acme', url: '/params?q=1', method: 'GET' });
  });

  it('answers 500 when the caller\'s extendParams throws, logs why, and keeps serving', async () => {
    const res = await httpRequest(server.port, '/shop/', { headers: { 'x-explode': '1' } });
    expect(res.status).toBe(500);
    await server.waitForLog('auth lookup failed');
    expect((await httpRequest(server.port, '/shop/')).status).toBe(200);
  });

  it('reloads a new remote version without a restart', async () => {
    deployCart(host, 'v2');
    const reply = await server.reload();
    expect(reply).toEqual({ type: 'reloaded', generation: 2 });
    const res = await httpRequest(server.port, '/shop/');
    expect(res.text).toContain('data-version="v2"');
    expect(JSON.parse((await httpRequest(server.port, '/api/ping')).text).generation).toBe(2);
  });
});

describe('publicUrl: the host\'s own client files from a CDN', () => {
  const cdn = 'https://cdn.example.com/shell/1.0.0/client/';
  let withCdn: SpawnedServer;

  beforeAll(async () => {
    withCdn = await spawnTsProcess(join(__dirname, 'fixtures/composed-host/run-handler.ts'), [host.root, JSON.stringify({ publicUrl: cdn.slice(0, -1) })]);
  });
  afterAll(() => withCdn?.child.kill('SIGKILL'));

  it('names the host\'s files at the CDN in the import map, preloads and integrity; the other modules stay under the base', async () => {
    const { text } = await httpRequest(withCdn.port, '/shop/');
    const manifest = JSON.parse(readFileSync(join(host.root, 'dist/client/manifest.json'), 'utf8'));
    const entry = manifest.exports['entry.client'].file;
    const map = JSON.parse(/<script type="importmap">([\s\S]*?)<\/script>/.exec(text)![1]);
    expect(map.imports['shell/entry.client']).toBe(`${cdn}${entry}`);
    expect(map.imports['cart/widget']).toMatch(/^\/shop\/cart\//);
    expect(map.integrity[`${cdn}${entry}`]).toBe(manifest.integrity[entry]);
    expect(text).toContain(`<link rel="modulepreload" href="${cdn}${entry}" integrity="${manifest.integrity[entry]}" crossorigin="anonymous">`);
    expect(text).not.toContain('/shop/shell/');
  });

  it('keeps serving the host\'s files under the base', async () => {
    const manifest = JSON.parse(readFileSync(join(host.root, 'dist/client/manifest.json'), 'utf8'));
    const res = await httpRequest(withCdn.port, `/shop/shell/${manifest.exports['entry.client'].file}`);
    expect(res.status).toBe(200);
  });
});

describe('createRequestHandler refuses what it cannot serve', () => {
  it.each(['/static/shell/', 'ftp://cdn.example.com/shell/', 'https://cdn.example.com/shell/?v=1'])('a publicUrl that is not an http(s) folder URL: %s', async (publicUrl) => {
    await expect(createRequestHandler({ root: host.root, publicUrl })).rejects.toThrow(
      /^\[esmx:ssr\] option "publicUrl" must be the http\(s\) URL of the folder holding the host's dist\/client files, found .*; fix: pass e\.g\. --publicUrl=https:/,
    );
  });

  it('a PUBLIC_URL that is not a URL, naming the variable', async () => {
    process.env.PUBLIC_URL = 'cdn.example.com';
    try {
      await expect(createRequestHandler({ root: host.root })).rejects.toThrow(/^\[esmx:ssr\] environment variable PUBLIC_URL must be .*found "cdn\.example\.com"; fix: pass e\.g\. PUBLIC_URL=https:/);
    } finally {
      delete process.env.PUBLIC_URL;
    }
  });

  it('options without a root', async () => {
    await expect(createRequestHandler({} as never)).rejects.toThrow(
      /^\[esmx:ssr\] createRequestHandler expected options with "root".*found undefined; fix: createRequestHandler\(\{ root:/,
    );
  });

  it('an extendParams that is not a function', async () => {
    await expect(createRequestHandler({ root: host.root, extendParams: 'user' as never })).rejects.toThrow(
      /^\[esmx:ssr\] option "extendParams" must be a function \(req, res\) => object, found string; fix:/,
    );
  });

  it('a base that is a URL', async () => {
    await expect(createRequestHandler({ root: host.root, base: 'https://cdn.example/shop/' })).rejects.toThrow(
      /^\[esmx:ssr\] option "base" must be a URL path such as \/shop\/, found the URL/,
    );
  });

  it('a root with no build', async () => {
    await expect(createRequestHandler({ root: join(workspace, 'nothing-here') })).rejects.toThrow(
      /^\[esmx:ssr\] expected the link file at .*link\.json, found no file\. Fix: build/,
    );
  });
});
