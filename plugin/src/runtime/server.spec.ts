/**
 * The production server over a hand-written fixture dist (host shell + remotes cart and nav + provider shared),
 * real HTTP on 127.0.0.1, the server in a child process (module.register() hooks need real Node, not Jest's VM).
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { CACHE_CONTROL_IMMUTABLE, CACHE_CONTROL_REVALIDATE } from '../constants';
import { createComposedHost, deployCart, type ComposedHost } from './fixtures/composed-host/create-fixture';
import { httpRequest, rawHttpRequest, spawnServer, type SpawnedServer } from './fixtures/composed-host/spawn-server';

jest.setTimeout(60_000);

let workspace: string;
let host: ComposedHost;
let server: SpawnedServer;

const manifestOf = (root: string, target: 'client' | 'server') =>
  JSON.parse(readFileSync(join(root, 'dist', target, 'manifest.json'), 'utf8'));
const sha384 = (body: Buffer) => `sha384-${createHash('sha384').update(body).digest('base64')}`;
const scriptsOf = (html: string) => [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)].map((m) => ({ attrs: m[1], body: m[2] }));
const importMapOf = (html: string) => JSON.parse(scriptsOf(html).find((s) => s.attrs.includes('type="importmap"'))!.body);

beforeAll(async () => {
  workspace = mkdtempSync(join(tmpdir(), 'esmx-ssr-'));
  host = createComposedHost(workspace);
  writeFileSync(join(workspace, 'secret.txt'), 'TOP-SECRET-WORKSPACE');
  writeFileSync(join(host.roots.cart, 'dist', 'secret.txt'), 'TOP-SECRET-DIST');
  server = await spawnServer(host.root);
});

afterAll(async () => {
  server?.child.kill('SIGKILL');
  rmSync(workspace, { recursive: true, force: true });
});

describe('SSR of the composed page', () => {
  it('renders markup from the host, both remotes and the provider', async () => {
    const res = await httpRequest(server.port, '/');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.text).toContain('<title>Shell &lt;composed&gt;</title>');
    expect(res.text).toContain('<nav id="nav"><a href="/">Home</a><a href="/cart">Cart</a></nav>');
    expect(res.text).toContain('<section id="cart" data-version="v1">Cart v1 (2 items) for &lt;alice&gt;</section>');
    expect(res.text).toContain('<script type="module">import "shell/entry.client";</script>');
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/`);
  });

  it('inlines the composed client import map with integrity keyed by URL', async () => {
    const { text } = await httpRequest(server.port, '/');
    const map = importMapOf(text);
    const cart = manifestOf(host.roots.cart, 'client');
    const nav = manifestOf(host.roots.nav, 'client');
    const shared = manifestOf(host.roots.shared, 'client');
    const shell = manifestOf(host.roots.shell, 'client');
    expect(map.imports).toEqual({
      'cart/widget': `/cart/${cart.exports.widget.file}`,
      'nav/menu': `/nav/${nav.exports.menu.file}`,
      'shell/entry.client': `/shell/${shell.exports['entry.client'].file}`,
      tpl: `/shared/${shared.exports.tpl.file}`,
    });
    expect(map.scopes).toEqual({});
    expect(map.integrity[`/cart/${cart.exports.widget.file}`]).toBe(cart.integrity[cart.exports.widget.file]);
    expect(Object.keys(map.integrity)).toHaveLength(
      [cart, nav, shared, shell].reduce((n, m) => n + Object.keys(m.integrity).length, 0),
    );
  });

  it('emits modulepreload for the whole static graph, with integrity matching the served bytes', async () => {
    const { text } = await httpRequest(server.port, '/');
    const links = [...text.matchAll(/<link rel="modulepreload" href="([^"]+)" integrity="([^"]+)" crossorigin="anonymous">/g)];
    const cart = manifestOf(host.roots.cart, 'client');
    const shell = manifestOf(host.roots.shell, 'client');
    const shared = manifestOf(host.roots.shared, 'client');
    const nav = manifestOf(host.roots.nav, 'client');
    expect(links.map((l) => l[1])).toEqual([
      `/shell/${shell.exports['entry.client'].file}`,
      `/shell/${shell.chunks['entry.client'].imports[0]}`,
      `/cart/${cart.exports.widget.file}`,
      `/cart/${cart.chunks.widget.imports[0]}`,
      `/shared/${shared.exports.tpl.file}`,
      `/nav/${nav.exports.menu.file}`,
    ]);
    for (const [, href, integrity] of links) {
      const file = await httpRequest(server.port, href);
      expect(file.status).toBe(200);
      expect(sha384(file.body)).toBe(integrity);
    }
    const css = `/shell/${shell.chunks['entry.client'].css[0]}`;
    expect(text).toContain(`<link rel="stylesheet" href="${css}" integrity="${shell.integrity[shell.chunks['entry.client'].css[0]]}" crossorigin="anonymous">`);
    expect(text).toContain(`<link rel="preload" as="style" href="${css}" integrity="${shell.integrity[shell.chunks['entry.client'].css[0]]}" crossorigin="anonymous">`);
    expect(text).toContain(`<link rel="preload" as="font" href="/shell/${shell.chunks['entry.client'].resources[0]}" crossorigin="anonymous">`);
  });

  it('adds the es-module-shims feature test and serves the shim from its own origin under a hashed name', async () => {
    const { text } = await httpRequest(server.port, '/');
    const test = scriptsOf(text).find((s) => s.body.includes('HTMLScriptElement.supports'))!;
    const src = /src:"([^"]+)"/.exec(test.body)![1];
    const integrity = /integrity:"([^"]+)"/.exec(test.body)![1];
    expect(src).toMatch(/^\/_esmx\/es-module-shims\.[0-9a-f]{8}\.final\.js$/);
    expect(test.body.startsWith('HTMLScriptElement.supports&&HTMLScriptElement.supports("importmap")||')).toBe(true);
    const shim = await httpRequest(server.port, src);
    expect(shim.status).toBe(200);
    expect(shim.headers['cache-control']).toBe(CACHE_CONTROL_IMMUTABLE);
    expect(sha384(shim.body)).toBe(integrity);
    expect(shim.body.equals(readFileSync(require.resolve('es-module-shims')))).toBe(true);
    expect((await httpRequest(server.port, '/_esmx/es-module-shims.00000000.final.js')).status).toBe(404);
  });

  it('answers a status, a redirect and HEAD from the render handler', async () => {
    expect((await httpRequest(server.port, '/missing')).status).toBe(404);
    const redirect = await httpRequest(server.port, '/redirect');
    expect(redirect.status).toBe(302);
    expect(redirect.headers.location).toBe('/landing');
    const get = await httpRequest(server.port, '/');
    const head = await httpRequest(server.port, '/', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers['content-length']).toBe(String(get.body.length));
    expect(head.body.length).toBe(0);
  });

  it('lets a handler override content-type whatever the case of its header name, sending each header once', async () => {
    const res = await rawHttpRequest(server.port, '/plain');
    const head = res.text.slice(0, res.text.indexOf('\r\n\r\n'));
    const names = head.split('\r\n').slice(1).map((line) => line.slice(0, line.indexOf(':')).toLowerCase());
    expect(names.filter((n) => n === 'content-type')).toEqual(['content-type']);
    expect(head).toMatch(/\r\ncontent-type: text\/plain; charset=utf-8\r\n/i);
    expect(head).toMatch(/\r\nx-frame-options: DENY\r\n/i);
    expect(res.text.endsWith('\r\n\r\nplain')).toBe(true);
  });

  it('gives the handler a local URL even for a path with extra leading slashes', async () => {
    const res = await rawHttpRequest(server.port, '//plain');
    expect(res.text.endsWith('\r\n\r\nplain')).toBe(true);
  });
});

describe('static files', () => {
  const widgetPath = () => `/cart/${manifestOf(host.roots.cart, 'client').exports.widget.file}`;

  it('serves .final. files immutable as text/javascript with an ETag, and 304 on a match', async () => {
    const res = await httpRequest(server.port, widgetPath());
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(res.headers['cache-control']).toBe(CACHE_CONTROL_IMMUTABLE);
    expect(res.headers.etag).toMatch(/^"[\w-]{22}"$/);
    expect(res.body.equals(readFileSync(join(host.roots.cart, 'dist/client', widgetPath().slice('/cart/'.length))))).toBe(true);
    const again = await httpRequest(server.port, widgetPath(), { headers: { 'if-none-match': res.headers.etag as string } });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
    expect(again.headers.etag).toBe(res.headers.etag);
    const other = await httpRequest(server.port, widgetPath(), { headers: { 'if-none-match': '"nope"' } });
    expect(other.status).toBe(200);
  });

  it('serves other files no-cache', async () => {
    const res = await httpRequest(server.port, '/cart/manifest.json');
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe(CACHE_CONTROL_REVALIDATE);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
  });

  it('answers HEAD with the headers of GET and no body', async () => {
    const get = await httpRequest(server.port, widgetPath());
    const head = await httpRequest(server.port, widgetPath(), { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers['content-length']).toBe(String(get.body.length));
    expect(head.headers.etag).toBe(get.headers.etag);
    expect(head.body.length).toBe(0);
    expect((await httpRequest(server.port, widgetPath(), { method: 'POST' })).status).toBe(405);
  });

  it('compresses with brotli and gzip by Accept-Encoding', async () => {
    const plain = await httpRequest(server.port, widgetPath());
    const br = await httpRequest(server.port, widgetPath(), { headers: { 'accept-encoding': 'gzip, deflate, br' } });
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers.vary).toBe('accept-encoding');
    expect(br.body.length).toBeLessThan(plain.body.length);
    expect(brotliDecompressSync(br.body).equals(plain.body)).toBe(true);
    const gz = await httpRequest(server.port, widgetPath(), { headers: { 'accept-encoding': 'gzip' } });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.body).equals(plain.body)).toBe(true);
    const refused = await httpRequest(server.port, widgetPath(), { headers: { 'accept-encoding': 'br;q=0, gzip' } });
    expect(refused.headers['content-encoding']).toBe('gzip');
    const headBr = await httpRequest(server.port, widgetPath(), { method: 'HEAD', headers: { 'accept-encoding': 'br' } });
    expect(headBr.headers['content-length']).toBe(String(br.body.length));
    // One strong validator per representation: the brotli ETag revalidates only the brotli copy.
    expect(br.headers.etag).toBe(`${(plain.headers.etag as string).slice(0, -1)}-br"`);
    expect(gz.headers.etag).toBe(`${(plain.headers.etag as string).slice(0, -1)}-gz"`);
    const brAgain = await httpRequest(server.port, widgetPath(), {
      headers: { 'accept-encoding': 'br', 'if-none-match': br.headers.etag as string },
    });
    expect(brAgain.status).toBe(304);
    const crossed = await httpRequest(server.port, widgetPath(), { headers: { 'if-none-match': br.headers.etag as string } });
    expect(crossed.status).toBe(200);
  });

  const hostile = [
    '/cart/../cart/package.json',
    '/cart/../../secret.txt',
    '/cart/..%2f..%2fsecret.txt',
    '/cart/%2e%2e/secret.txt',
    '/cart/%2E%2E/%2E%2E/secret.txt',
    '/cart/.%2e/secret.txt',
    '/cart/%2e./secret.txt',
    '/cart/%252e%252e/secret.txt',
    '/cart/%252e%252e%252fsecret.txt',
    '/cart/..\\secret.txt',
    '/cart/%5c..%5csecret.txt',
    '/cart/chunks/../../secret.txt',
    '/cart/chunks/..%2f..%2f..%2fsecret.txt',
    '/cart/widget.mjs%00.txt',
    '/cart//etc/passwd',
    '/cart/%2fetc%2fpasswd',
    '/cart/C:/Windows/win.ini',
    '/cart/C:%5cWindows%5cwin.ini',
    '/cart/%c0%ae%c0%ae/secret.txt',
    '/cart/%u002e%u002e/secret.txt',
    '/cart/./manifest.json',
    '/cart/file:///etc/passwd',
    '/cart/%2e%2e%5csecret.txt',
    '/shell/../cart/../../secret.txt',
    '/cart/chunks/%2e%2e/%2e%2e/secret.txt',
  ];

  it.each(hostile)('never serves a file outside dist/client for %s', async (path) => {
    const res = await rawHttpRequest(server.port, path);
    expect([400, 404]).toContain(res.status);
    expect(res.text).not.toContain('TOP-SECRET');
    expect(res.text).not.toContain('"esmx"');
  });

  it('rejects a raw NUL byte and an absolute path inside the module folder', async () => {
    const nul = await rawHttpRequest(server.port, '/cart/widget\0.mjs');
    expect(nul.status).toBe(400);
    const absolute = await rawHttpRequest(server.port, `/cart/${join(workspace, 'secret.txt')}`);
    expect(absolute.status).toBe(400);
    expect(absolute.text).not.toContain('TOP-SECRET');
  });
});

describe('state and failure isolation', () => {
  it('escapes state against </script>, <!-- and U+2028/9, and keeps the data intact', async () => {
    const data = { a: '</script><script>alert(1)</script>', b: '<!-- x -->', c: 'line\u2028sep\u2029para', d: "'\"&" };
    const res = await httpRequest(server.port, `/?state=${encodeURIComponent(JSON.stringify(data))}`);
    const state = scriptsOf(res.text).find((s) => s.body.includes('__SHELL_STATE__'))!;
    expect(state.body).not.toMatch(/<\/script|<!--|\u2028|\u2029/i);
    const window: Record<string, unknown> = {};
    runInNewContext(state.body, { window });
    expect(window.__SHELL_STATE__).toEqual(data);
    expect(res.text.match(/<\/script>/g)!.length).toBe(scriptsOf(res.text).length);
  });

  it("renders the host's fallback when a remote's part throws, and logs the error", async () => {
    const res = await httpRequest(server.port, '/fallback');
    expect(res.status).toBe(200);
    expect(res.text).toContain('<main><p id="cart-fallback">Cart is unavailable</p></main>');
    expect(res.text).toContain('<nav id="nav">');
    await server.waitForLog('[esmx:ssr] a page part failed and its fallback was rendered: Error: cart widget v1 exploded');
  });

  it('answers an uncaught render error with a short 500 page, logs its stack, and keeps serving', async () => {
    const res = await httpRequest(server.port, '/throw');
    expect(res.status).toBe(500);
    expect(res.text).toContain('<h1>500 Internal Server Error</h1>');
    expect(res.text).not.toContain('exploded');
    await server.waitForLog('[esmx:ssr] rendering GET /throw failed (render error 1 since start); answered 500: Error: shell render exploded');
    const log = server.logs.join('\n');
    expect(log).toMatch(/at render \(file:\/\/.*entry\.server\.[0-9a-f]{8}\.final\.mjs\?esmx=[0-9a-f]{12}:\d+:\d+\)/);
    expect((await httpRequest(server.port, '/')).status).toBe(200);
  });
});

describe('faults a render raises outside the promise it returns, and renders that never settle', () => {
  let faulty: SpawnedServer;
  const health = async () => {
    const res = await httpRequest(faulty.port, '/_esmx/health');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    return JSON.parse(res.text);
  };
  beforeAll(async () => {
    faulty = await spawnServer(host.root, { renderTimeoutMs: 300, healthPath: '/_esmx/health' });
  });
  afterAll(() => faulty?.child.kill('SIGKILL'));

  it('reports an idle server on the health endpoint (and nothing there without healthPath)', async () => {
    const report = await health();
    expect(report).toMatchObject({
      status: 'ok',
      generation: 1,
      inFlight: 0,
      faults: { unhandledRejections: 0, uncaughtExceptions: 0, renderErrors: 0, renderTimeouts: 0 },
    });
    expect(report.uptimeSeconds).toBeGreaterThanOrEqual(0);
    expect(report.rssBytes).toBeGreaterThan(0);
    expect((await httpRequest(server.port, '/_esmx/health')).status).toBe(404);
  });

  it('logs the first fault untraced (tracing is armed by it, the default) and keeps serving', async () => {
    expect((await httpRequest(faulty.port, '/fault/reject')).status).toBe(200);
    await faulty.waitForLog(
      '[esmx:ssr] unhandled rejection not traced to a render (faults are traced to their request from now on; traceFaults: always traces from the start) (unhandled rejection 1 since start; onFatal: log): Error: floating rejection',
    );
    expect((await httpRequest(faulty.port, '/')).status).toBe(200);
  });

  it('logs a floating rejection with its request and stack, and keeps serving', async () => {
    const res = await httpRequest(faulty.port, '/fault/reject');
    expect([200, 500]).toContain(res.status);
    const line = await faulty.waitForLog('[esmx:ssr] unhandled rejection in the render of GET /fault/reject');
    expect(line).toMatch(/\(unhandled rejection 2 since start; onFatal: log\): Error: floating rejection$/);
    expect(faulty.logs.join('\n')).toMatch(/Error: floating rejection\n\s+at fault \(file:\/\//);
    expect((await httpRequest(faulty.port, '/')).status).toBe(200);
  });

  it('answers 500 to the request whose render raised the fault while it was still running', async () => {
    const thrown = await httpRequest(faulty.port, '/fault/timer-in-flight');
    expect(thrown.status).toBe(500);
    expect(thrown.text).toContain('<h1>500 Internal Server Error</h1>');
    await faulty.waitForLog(
      '[esmx:ssr] uncaught exception in the render of GET /fault/timer-in-flight; answered 500 (uncaught exception 1 since start; onFatal: log): Error: timer callback exploded in flight',
    );
    const rejected = await httpRequest(faulty.port, '/fault/reject-in-flight');
    expect(rejected.status).toBe(500);
    await faulty.waitForLog('[esmx:ssr] unhandled rejection in the render of GET /fault/reject-in-flight; answered 500 (unhandled rejection 3 since start');
    expect((await httpRequest(faulty.port, '/')).status).toBe(200);
  });

  it('logs a timer callback that throws after its page was answered, and keeps serving', async () => {
    expect((await httpRequest(faulty.port, '/fault/timer')).status).toBe(200);
    await faulty.waitForLog('[esmx:ssr] uncaught exception in the render of GET /fault/timer (already answered) (uncaught exception 2 since start');
    expect((await httpRequest(faulty.port, '/')).status).toBe(200);
  });

  it('answers 504 to a render that never settles and frees the request', async () => {
    const res = await httpRequest(faulty.port, '/fault/hang');
    expect(res.status).toBe(504);
    expect(res.text).toContain('<h1>504 Gateway Timeout</h1>');
    await faulty.waitForLog('[esmx:ssr] rendering GET /fault/hang did not finish within 300 ms (render timeout 1 since start); answered 504.');
    expect(await health()).toMatchObject({
      inFlight: 0,
      faults: { unhandledRejections: 3, uncaughtExceptions: 2, renderErrors: 0, renderTimeouts: 1 },
    });
  });

  it('drops the late result of a timed-out render and logs it with its URL', async () => {
    const res = await httpRequest(faulty.port, '/?hold=late-one');
    expect(res.status).toBe(504);
    faulty.release('late-one');
    const line = await faulty.waitForLog('[esmx:ssr] the render of GET /?hold=late-one finished');
    expect(line).toMatch(/finished \d+ ms after its 300 ms timeout had answered 504; its result was dropped\.$/);
  });

  it('with onFatal exit, answers the faulty request 500, drains the others, then exits with code 1', async () => {
    const fragile = await spawnServer(host.root, { onFatal: 'exit' });
    const held = httpRequest(fragile.port, '/?hold=before-fault');
    await fragile.waitForLog('[fixture] holding before-fault');
    expect((await httpRequest(fragile.port, '/fault/timer-in-flight')).status).toBe(500);
    await fragile.waitForLog('[esmx:start] onFatal is exit: no new connections; draining 1 request(s), then exiting with code 1.');
    await expect(httpRequest(fragile.port, '/')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    fragile.release('before-fault');
    expect((await held).status).toBe(200);
    expect(await fragile.exited).toBe(1);
  });
});

describe('a remote version swapped while running', () => {
  it('serves v2 to new requests while a request in flight finishes on v1', async () => {
    const slow = httpRequest(server.port, '/?hold=v1-page');
    await server.waitForLog('[fixture] holding v1-page');
    const v2 = deployCart(host, 'v2');
    const reply = await server.reload();
    expect(reply).toEqual({ type: 'reloaded', generation: 2 });
    const fresh = await httpRequest(server.port, '/');
    expect(fresh.text).toContain('<section id="cart" data-version="v2">Cart v2 (2 items) for &lt;alice&gt;</section>');
    expect(importMapOf(fresh.text).imports['cart/widget']).toBe(`/cart/${v2.client.exports.widget.file}`);
    server.release('v1-page');
    const old = await slow;
    expect(old.status).toBe(200);
    expect(old.text).toContain('<section id="cart" data-version="v1">Cart v1 (2 items) for &lt;alice&gt;</section>');
    expect(importMapOf(old.text).imports['cart/widget']).not.toBe(`/cart/${v2.client.exports.widget.file}`);
    // The fallback path of the new generation names the new version: no stale server module anywhere.
    expect((await httpRequest(server.port, '/fallback')).status).toBe(200);
    await server.waitForLog('cart widget v2 exploded');
  });

  it('keeps serving the previous generation when a reload fails', async () => {
    const manifestPath = join(host.roots.cart, 'dist/server/manifest.json');
    const good = readFileSync(manifestPath, 'utf8');
    writeFileSync(manifestPath, '{ broken');
    const reply = await server.reload();
    expect(reply.type).toBe('reload-failed');
    expect(reply.message).toContain('[esmx:ssr] expected the server manifest of cart');
    expect((await httpRequest(server.port, '/')).text).toContain('data-version="v2"');
    writeFileSync(manifestPath, good);
  });

  it('gives the resolve hook its previous map back when the new version fails to load', async () => {
    expect((await httpRequest(server.port, '/dynamic')).text).toBe('dynamic v2');
    const v3 = deployCart(host, 'v3');
    const file = join(host.roots.cart, 'dist/server', v3.server.exports.widget.file);
    writeFileSync(file, `${readFileSync(file, 'utf8')}\nthrow new Error('cart v3 failed to load');\n`);
    const reply = await server.reload();
    expect(reply.type).toBe('reload-failed');
    expect(reply.message).toContain('cart v3 failed to load');
    expect((await httpRequest(server.port, '/')).text).toContain('data-version="v2"');
    // A dynamic import by the serving (v2) generation still resolves with its own map, not the failed v3 one.
    const dynamic = await httpRequest(server.port, '/dynamic');
    expect([dynamic.status, dynamic.text]).toEqual([200, 'dynamic v2']);
    deployCart(host, 'v2');
  });

  it('resolves an import made by a request in flight after the swap with the map that request started on', async () => {
    const slow = httpRequest(server.port, '/dynamic?hold=v2-dynamic');
    await server.waitForLog('[fixture] holding v2-dynamic');
    deployCart(host, 'v1');
    expect((await server.reload()).type).toBe('reloaded');
    expect((await httpRequest(server.port, '/dynamic')).text).toBe('dynamic v1');
    server.release('v2-dynamic');
    expect((await slow).text).toBe('dynamic v2');
  });
});

describe('base, nonce and shim options', () => {
  let other: SpawnedServer;
  beforeAll(async () => {
    other = await spawnServer(host.root, { base: '/shop', nonce: true, shim: 'always' });
  });
  afterAll(() => other?.child.kill('SIGKILL'));

  it('serves under the base with URLs and integrity keys under it, and a fresh nonce on every inline script', async () => {
    expect(other.url).toBe(`http://127.0.0.1:${other.port}/shop/`);
    const first = await httpRequest(other.port, '/shop/');
    expect(first.status).toBe(200);
    const map = importMapOf(first.text);
    expect(Object.values(map.imports).every((u) => (u as string).startsWith('/shop/'))).toBe(true);
    expect(Object.keys(map.integrity).every((u) => u.startsWith('/shop/'))).toBe(true);
    const scripts = scriptsOf(first.text);
    const nonce = /nonce="([^"]+)"/.exec(scripts[0].attrs)![1];
    expect(nonce).toMatch(/^[A-Za-z0-9+/]{22}==$/);
    for (const script of scripts) expect(script.attrs).toContain(`nonce="${nonce}"`);
    expect(scripts.find((s) => s.attrs.includes('es-module-shims'))!.attrs).toMatch(
      /^ async src="\/shop\/_esmx\/es-module-shims\.[0-9a-f]{8}\.final\.js" integrity="sha384-[^"]+" crossorigin="anonymous" nonce="/,
    );
    const second = await httpRequest(other.port, '/shop/');
    expect(/nonce="([^"]+)"/.exec(second.text)![1]).not.toBe(nonce);
    const widget = Object.entries(map.imports).find(([k]) => k === 'cart/widget')![1] as string;
    expect((await httpRequest(other.port, widget)).status).toBe(200);
    expect((await httpRequest(other.port, '/shop')).headers.location).toBe('/shop/');
    expect((await httpRequest(other.port, '/cart/manifest.json')).status).toBe(404);
  });
});

describe('graceful shutdown', () => {
  it('on SIGTERM stops accepting, finishes the request in flight, then exits 0', async () => {
    const victim = await spawnServer(host.root);
    const slow = httpRequest(victim.port, '/?hold=in-flight');
    let answered = false;
    void slow.then(() => (answered = true));
    await victim.waitForLog('[fixture] holding in-flight');
    victim.child.kill('SIGTERM');
    // Knock once the child has handled the signal (a loaded machine may take a while).
    await victim.waitForLog('[esmx:start] SIGTERM');
    await expect(httpRequest(victim.port, '/')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    expect(answered).toBe(false);
    victim.release('in-flight');
    const res = await slow;
    expect(res.status).toBe(200);
    expect(res.text).toContain('data-version="v');
    expect(await victim.exited).toBe(0);
    expect(victim.logs.join('\n')).toContain('[esmx:start] SIGTERM: no new connections; draining 1 request(s) in flight.');
  });
});

describe('a remote linked by URL', () => {
  let cdn: import('node:http').Server;
  let cdnPort: number;
  let tamper = false;
  let urlHost: ComposedHost;
  let urlServer: SpawnedServer | undefined;

  beforeAll(async () => {
    const { createServer } = await import('node:http');
    const { cpSync } = await import('node:fs');
    urlHost = createComposedHost(join(workspace, 'by-url'));
    // The remote's whole dist/ deployed elsewhere: only the CDN has it, the host's workspace copy is removed.
    const deployed = join(workspace, 'cdn-cart');
    cpSync(join(urlHost.roots.cart, 'dist'), deployed, { recursive: true });
    rmSync(urlHost.roots.cart, { recursive: true, force: true });
    cdn = createServer((req, res) => {
      const path = decodeURIComponent(req.url!.replace(/^\/cdn\/cart\//, ''));
      try {
        let body = readFileSync(join(deployed, ...path.split('/')));
        if (tamper && path.startsWith('server/widget.')) body = Buffer.concat([body, Buffer.from('\n// tampered\n')]);
        res.writeHead(200, { 'access-control-allow-origin': '*' });
        res.end(body);
      } catch {
        res.writeHead(404);
        res.end();
      }
    });
    await new Promise<void>((resolve) => cdn.listen(0, '127.0.0.1', () => resolve()));
    cdnPort = (cdn.address() as import('node:net').AddressInfo).port;
    const linkPath = join(urlHost.root, 'dist/link.json');
    const link = JSON.parse(readFileSync(linkPath, 'utf8'));
    link.modules.cart = { url: `http://127.0.0.1:${cdnPort}/cdn/cart/client/` };
    writeFileSync(linkPath, JSON.stringify(link));
  });
  afterAll(async () => {
    urlServer?.child.kill('SIGKILL');
    await new Promise((resolve) => cdn.close(resolve));
  });

  it('renders with server files fetched once from the URL and points the browser at that URL', async () => {
    urlServer = await spawnServer(urlHost.root);
    const res = await httpRequest(urlServer.port, '/');
    expect(res.status).toBe(200);
    expect(res.text).toContain('<section id="cart" data-version="v1">Cart v1 (2 items) for &lt;alice&gt;</section>');
    const cart = JSON.parse(readFileSync(join(workspace, 'cdn-cart/client/manifest.json'), 'utf8'));
    const widgetUrl = `http://127.0.0.1:${cdnPort}/cdn/cart/client/${cart.exports.widget.file}`;
    const map = importMapOf(res.text);
    expect(map.imports['cart/widget']).toBe(widgetUrl);
    expect(map.integrity[widgetUrl]).toBe(cart.integrity[cart.exports.widget.file]);
    expect(res.text).toContain(`<link rel="modulepreload" href="${widgetUrl}" integrity="${cart.integrity[cart.exports.widget.file]}" crossorigin="anonymous">`);
    const server = JSON.parse(readFileSync(join(workspace, 'cdn-cart/server/manifest.json'), 'utf8'));
    const cacheRoot = join(urlHost.root, 'dist/.esmx-remote-cache/cart');
    const [cached] = (await import('node:fs')).readdirSync(cacheRoot);
    expect(readFileSync(join(cacheRoot, cached, server.exports.widget.file), 'utf8')).toBe(
      readFileSync(join(workspace, 'cdn-cart/server', server.exports.widget.file), 'utf8'),
    );
    expect((await httpRequest(urlServer.port, `/cart/${cart.exports.widget.file}`)).status).toBe(404);
  });

  it('refuses to start on a server file that does not match its integrity', async () => {
    rmSync(join(urlHost.root, 'dist/.esmx-remote-cache'), { recursive: true, force: true });
    tamper = true;
    await expect(spawnServer(urlHost.root)).rejects.toThrow(
      /\[esmx:ssr\] expected http:\/\/127\.0\.0\.1:\d+\/cdn\/cart\/server\/widget\.[0-9a-f]{8}\.final\.mjs to match sha384-/,
    );
    tamper = false;
  });
});
