/**
 * The composed fixture page in headless Chromium (system /usr/bin/chromium through playwright-core, never a
 * downloaded browser): the import map, modulepreload and SRI work as emitted, and SRI really is enforced.
 */
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchChromium } from '../testing/chromium';
import { createComposedHost } from './fixtures/composed-host/create-fixture';
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
