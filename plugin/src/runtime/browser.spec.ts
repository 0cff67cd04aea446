/**
 * The composed fixture page in headless Chromium (system /usr/bin/chromium through playwright-core, never a
 * downloaded browser): the import map, modulepreload and SRI work as emitted, and SRI really is enforced.
 */
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchChromium } from '../testing/chromium';
import { createComposedHost } from './fixtures/composed-host/create-fixture';
import { createPagePieces } from './page-pieces';
import { createRenderContext } from './render-context';
import { spawnServer, type SpawnedServer } from './fixtures/composed-host/spawn-server';

jest.setTimeout(60_000);

let browser: Awaited<ReturnType<typeof launchChromium>>;
let workspace: string;
const servers: SpawnedServer[] = [];

beforeAll(async () => {
  browser = await launchChromium();
  workspace = mkdtempSync(join(tmpdir(), 'esmx-browser-'));
});
afterAll(async () => {
  for (const s of servers) s.child.kill('SIGKILL');
  await browser?.close();
  rmSync(workspace, { recursive: true, force: true });
});

async function visit(url: string) {
  const page = await browser.context.newPage();
  const console: string[] = [];
  const requests: string[] = [];
  page.on('console', (m) => console.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => console.push(`pageerror: ${e.message}`));
  page.on('request', (r) => requests.push(new URL(r.url()).pathname));
  await page.goto(url);
  await page.waitForLoadState('networkidle');
  const shell = await page.evaluate(() => {
    const s = (globalThis as { __shell?: { flag: boolean; renderWidget: (u: string) => string; renderMenu: () => string } }).__shell;
    return s ? { flag: s.flag, widget: s.renderWidget('<bob>'), menu: s.renderMenu() } : null;
  });
  await page.close();
  return { console, requests, shell };
}

it('runs the client entry through the import map with integrity, each file fetched once, console clean', async () => {
  const host = createComposedHost(join(workspace, 'ok'));
  const server = await spawnServer(host.root);
  servers.push(server);
  const { console, requests, shell } = await visit(server.url);
  expect(console).toEqual([]);
  expect(shell).toEqual({
    flag: true,
    widget: '<section id="cart" data-version="v1">Cart v1 (2 items) for &lt;bob&gt;</section>',
    menu: '<nav id="nav"><a href="/">Home</a><a href="/cart">Cart</a></nav>',
  });
  const cart = JSON.parse(readFileSync(join(host.roots.cart, 'dist/client/manifest.json'), 'utf8'));
  expect(requests.filter((p) => p === `/cart/${cart.exports.widget.file}`)).toHaveLength(1);
  expect(new Set(requests).size).toBe(requests.length);
  // Chromium has import maps: the feature test must not load the shim.
  expect(requests.some((p) => p.includes('es-module-shims'))).toBe(false);
});

it("with shim 'always' loads the hashed shim with its integrity and the page still runs", async () => {
  const host = createComposedHost(join(workspace, 'shim'));
  const server = await spawnServer(host.root, { shim: 'always', base: '/shop/' });
  servers.push(server);
  const { console, requests, shell } = await visit(server.url);
  expect(console).toEqual([]);
  expect(shell?.flag).toBe(true);
  expect(requests.filter((p) => /^\/shop\/_esmx\/es-module-shims\.[0-9a-f]{8}\.final\.js$/.test(p))).toHaveLength(1);
});

it('refuses a module whose bytes do not match the integrity in the import map (negative control)', async () => {
  const host = createComposedHost(join(workspace, 'tampered'));
  const cart = JSON.parse(readFileSync(join(host.roots.cart, 'dist/client/manifest.json'), 'utf8'));
  appendFileSync(join(host.roots.cart, 'dist/client', cart.exports.widget.file), '\n// tampered after the build\n');
  const server = await spawnServer(host.root);
  servers.push(server);
  const { console, shell } = await visit(server.url);
  expect(shell).toBeNull();
  expect(console.join('\n')).toMatch(/integrity/i);
});

describe('a crafted manifest value in Chromium', () => {
  const PAYLOAD = `sha384-x"><script>window.__pwned=(window.__pwned||0)+1</script><x a="`;
  const pageWith = async (html: string) => {
    const page = await browser.context.newPage();
    await page.setContent(`<!doctype html><html><head>${html}</head><body></body></html>`);
    const pwned = await page.evaluate(() => (globalThis as { __pwned?: number }).__pwned ?? 0);
    await page.close();
    return pwned;
  };

  it('runs the payload when pasted unescaped (negative control: the check below can see a script run)', async () => {
    expect(await pageWith(`<link rel="modulepreload" href="/x.mjs" integrity="${PAYLOAD}" crossorigin="anonymous">`)).toBe(1);
  });

  it('runs nothing from the tags the render context emits with it, with and without a nonce', async () => {
    const assets = {
      entry: 'shell/entry.client',
      modules: [{ href: '/x.mjs', integrity: PAYLOAD }],
      css: [{ href: `/x.css?${PAYLOAD}`, integrity: PAYLOAD }],
      fonts: [{ href: `/f.woff2?${PAYLOAD}` }],
    };
    const pieces = createPagePieces({ imports: {}, scopes: {}, integrity: {} }, assets, { mode: 'always', src: `/s.js?${PAYLOAD}`, integrity: PAYLOAD });
    for (const nonce of [undefined, PAYLOAD]) {
      const rc = createRenderContext({ url: '/', method: 'GET', headers: {} }, '/', nonce, pieces);
      expect(await pageWith(rc.modulePreload() + rc.preload() + rc.css() + rc.importmap())).toBe(0);
    }
  });

  it('is refused at start-up, before any page is served', async () => {
    const host = createComposedHost(join(workspace, 'crafted'));
    const path = join(host.roots.cart, 'dist/client/manifest.json');
    const cart = JSON.parse(readFileSync(path, 'utf8'));
    cart.integrity[cart.exports.widget.file] = PAYLOAD;
    writeFileSync(path, JSON.stringify(cart));
    await expect(spawnServer(host.root)).rejects.toThrow(`[esmx:ssr] expected integrity["${cart.exports.widget.file}"] in ${path}`);
  });
});
