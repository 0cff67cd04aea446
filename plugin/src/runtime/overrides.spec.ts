/**
 * Import-map overrides against a running host (run-handler.ts in a child process, real HTTP): a request naming an
 * allowed origin renders with that module's build, on the server and in its page's import map, with a banner;
 * every other request keeps the deployed one; anything else is refused.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, normalize } from 'node:path';
import { createComposedHost, type ComposedHost } from './fixtures/composed-host/create-fixture';
import { httpRequest, spawnTsProcess, type SpawnedServer } from './fixtures/composed-host/spawn-server';
import { launchChromium } from '../testing/chromium';
import { createRequestHandler } from './index';
import { readOverrideRequest, resolveOverridePolicy } from './overrides';

jest.setTimeout(60_000);

let workspace: string;
let host: ComposedHost;
let server: SpawnedServer;
let disabled: SpawnedServer;
let cdn: Server;
let origin: string;
let v2: string;

beforeAll(async () => {
  workspace = mkdtempSync(join(tmpdir(), 'esmx-overrides-'));
  host = createComposedHost(join(workspace, 'deployed'));
  // A developer's build of cart v2, served from their own origin.
  createComposedHost(join(workspace, 'dev'), 'v2');
  cdn = createServer((req, res) => {
    const file = normalize(join(workspace, 'dev', decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)));
    let body: Buffer;
    try {
      body = readFileSync(file);
    } catch {
      res.writeHead(404).end();
      return;
    }
    const type = file.endsWith('.json') ? 'application/json' : file.endsWith('.css') ? 'text/css' : 'text/javascript';
    res.writeHead(200, { 'access-control-allow-origin': '*', 'content-type': type }).end(body);
  });
  await new Promise<void>((resolve) => cdn.listen(0, '127.0.0.1', () => resolve()));
  origin = `http://127.0.0.1:${(cdn.address() as { port: number }).port}`;
  v2 = `${origin}/cart/dist/client/`;
  const runner = join(__dirname, 'fixtures/composed-host/run-handler.ts');
  server = await spawnTsProcess(runner, [host.root, JSON.stringify({ overrideOrigins: [origin, 'https://*.dev.example.com'] })]);
  disabled = await spawnTsProcess(runner, [host.root, '{}']);
});

afterAll(() => {
  server?.child.kill('SIGKILL');
  disabled?.child.kill('SIGKILL');
  cdn?.close();
  rmSync(workspace, { recursive: true, force: true });
});

const override = (value: string) => ({ headers: { 'x-esmx-override': value } });

describe('import-map overrides', () => {
  it('renders the overriding build on the server and names it in the page\'s import map, with a banner, for that request only', async () => {
    const [overridden, plain] = await Promise.all([httpRequest(server.port, '/shop/', override(`cart=${v2}`)), httpRequest(server.port, '/shop/')]);
    expect(overridden.status).toBe(200);
    expect(overridden.text).toContain('<section id="cart" data-version="v2">');
    expect(overridden.text).toContain(`"cart/widget":"${v2}`);
    expect(overridden.text).toMatch(/<div data-esmx-override role="status"[^>]*>Import-map override active for this browser: cart → http:\/\/127\.0\.0\.1:\d+\/cart\/dist\/client\/<\/div><\/body>/);
    expect(overridden.headers['cache-control']).toBe('no-store');
    expect(plain.text).toContain('<section id="cart" data-version="v1">');
    expect(plain.text).not.toContain('data-esmx-override');
    expect(plain.headers['cache-control']).toBeUndefined();
    // Still only that request, after the override generation was loaded.
    expect((await httpRequest(server.port, '/shop/')).text).toContain('data-version="v1"');
  });

  it('in a real browser with the cookie: the page runs cart v2 from the developer\'s origin, with integrity, and shows the banner', async () => {
    const browser = await launchChromium();
    try {
      const page = await browser.context.newPage();
      const problems: string[] = [];
      const requests: string[] = [];
      page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
      page.on('pageerror', (e) => problems.push(e.message));
      page.on('request', (r) => requests.push(r.url()));
      await browser.context.addCookies([{ name: 'esmx-override', value: encodeURIComponent(`cart=${v2}`), url: `http://127.0.0.1:${server.port}/` }]);
      await page.goto(`http://127.0.0.1:${server.port}/shop/`);
      await page.waitForLoadState('networkidle');
      const widget = await page.evaluate(() => (globalThis as { __shell?: { renderWidget: (u: string) => string } }).__shell?.renderWidget('bob'));
      expect(problems).toEqual([]);
      expect(widget).toBe('<section id="cart" data-version="v2">Cart v2 (2 items) for bob</section>');
      expect(requests.some((url) => url.startsWith(v2))).toBe(true);
      expect(requests.some((url) => url.includes('/shop/cart/'))).toBe(false);
      expect(await page.locator('[data-esmx-override]').isVisible()).toBe(true);
      await browser.context.clearCookies();
      await page.goto(`http://127.0.0.1:${server.port}/shop/`);
      expect(await page.locator('[data-esmx-override]').count()).toBe(0);
    } finally {
      await browser.close();
    }
  });

  it('takes the override from the esmx-override cookie too', async () => {
    const res = await httpRequest(server.port, '/shop/', { headers: { cookie: `theme=dark; esmx-override=${encodeURIComponent(`cart=${v2}`)}` } });
    expect(res.text).toContain('data-version="v2"');
  });

  it.each([
    ['an origin not on the allow-list', () => 'cart=https://evil.example.com/cart/client/', /the origin https:\/\/evil\.example\.com is not on this host's override allow-list/],
    ['a look-alike of an allowed wildcard', () => 'cart=https://dev.example.com.evil.io/cart/client/', /the origin https:\/\/dev\.example\.com\.evil\.io is not on/],
    ['a module the host does not link', () => `basket=${v2}`, /"basket" is not a module this host links/],
    ['the host itself', () => `shell=${v2}`, /"shell" is not a module this host links/],
    ['a value that is not module=URL', () => 'cart', /expected <module>=<http\(s\) URL>, found "cart"/],
  ])('refuses %s with 403 and says why', async (_, value, reason) => {
    const res = await httpRequest(server.port, '/shop/', override(value()));
    expect(res.status).toBe(403);
    expect(res.text).toMatch(/^\[esmx:ssr\] import-map override refused: /);
    expect(res.text).toMatch(reason);
    expect(res.text).toContain('Fix: ');
  });

  it('answers 502 when the overriding build does not load, names it in the log, and keeps serving everyone else', async () => {
    const res = await httpRequest(server.port, '/shop/', override(`cart=${origin}/nothing/client/`));
    expect(res.status).toBe(502);
    await server.waitForLog(`expected 200 from ${origin}/nothing/client/manifest.json, found 404`);
    expect((await httpRequest(server.port, '/shop/')).text).toContain('data-version="v1"');
  });

  it('ignores the header and the cookie entirely when the host lists no origin', async () => {
    const res = await httpRequest(disabled.port, '/shop/', override(`cart=${v2}`));
    expect(res.status).toBe(200);
    expect(res.text).toContain('data-version="v1"');
    expect(res.text).not.toContain('data-esmx-override');
  });
});

describe('override policy', () => {
  it('is off by default and reads ESMX_OVERRIDE_ORIGINS', () => {
    expect(resolveOverridePolicy(undefined, {}, '[esmx:ssr]')).toBeUndefined();
    expect(resolveOverridePolicy(undefined, { ESMX_OVERRIDE_ORIGINS: 'https://a.example.com, https://*.dev.example.com' }, '[esmx:ssr]')).toEqual({
      origins: ['https://a.example.com', 'https://*.dev.example.com'],
    });
  });

  it('matches subdomains of a wildcard, not the bare domain or another scheme', () => {
    const policy = resolveOverridePolicy(['https://*.dev.example.com'], {}, '[esmx:ssr]')!;
    const ask = (url: string) => readOverrideRequest({ headers: { 'x-esmx-override': `cart=${url}` } } as never, policy, { host: 'shell', modules: { cart: {}, shell: {} } });
    expect(ask('https://alice.dev.example.com/cart/client/')).toEqual({
      changes: { cart: 'https://alice.dev.example.com/cart/client/' },
      key: 'cart=https://alice.dev.example.com/cart/client/',
    });
    expect(ask('https://dev.example.com/cart/client/')).toHaveProperty('refused');
    expect(ask('http://alice.dev.example.com/cart/client/')).toHaveProperty('refused');
  });

  it.each([['https://dev.example.com/path'], ['*.example.com'], ['ftp://dev.example.com']])('refuses the origin %s in the option', async (bad) => {
    await expect(createRequestHandler({ root: host.root, overrideOrigins: [bad] })).rejects.toThrow(
      /^\[esmx:ssr\] option "overrideOrigins" must list origins such as https:\/\/dev\.example\.com or https:\/\/\*\.dev\.example\.com/,
    );
  });
});
