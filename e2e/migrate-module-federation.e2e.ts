/**
 * Coming from Nx Module Federation, as a user would: a workspace made by create-nx-workspace 23.2.0 and
 * `nx g @nx/react:host apps/shell --remotes=shop,cart --ssr --bundler=rspack` (from the registry, nothing else),
 * built once with Module Federation, then migrated with the packed plugin (still on Nx 23: the registry has not every
 * @nx/* package at 24, and @esmx/nx supports both), built, started, served in dev and looked at in Chromium.
 * Prints a before/after table (first-page JS, build time) from this same run.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import type { Page } from 'playwright-core';
import { launchChromium } from './utils/browser';
import { fetchText, findFreePort } from './utils/net';
import { commitAll, openWorkspace, parseTaskOutcomes, pluginTarball, repoRoot, run, startProcess, type Workspace } from './utils/workspace';

const NX_VERSION = '23.2.0';
let ws: Workspace;
let migration = '';
const figures: { mf: Figures; esmx: Figures } = { mf: { buildMs: 0, jsBytes: 0, jsFiles: [] }, esmx: { buildMs: 0, jsBytes: 0, jsFiles: [] } };
interface Figures {
  buildMs: number;
  jsBytes: number;
  /** URL paths of the scripts the first page loaded, with the origin for MF (its remotes have their own). */
  jsFiles: string[];
}

function runOk(cwd: string, command: string, args: string[]): string {
  const result = run(cwd, command, args);
  if (result.code !== 0) throw new Error(`${command} ${args.join(' ')} exited ${result.code}\n${result.output}`);
  return result.output;
}

/**
 * A cold build of every project (no Nx cache), timed from outside as a user would feel it. NODE_ENV=production as in a
 * CI build: the MF configs minify only then (Jest's NODE_ENV=test would make them build unminified).
 */
function timeColdBuild(): number {
  const started = Date.now();
  ws.nxOk(['run-many', '-t', 'build', '--skip-nx-cache', '--outputStyle=static'], { NODE_ENV: 'production' });
  return Date.now() - started;
}

/** Records every script the page loads (decoded bytes) until the network is idle. */
async function loadCountingScripts(page: Page, url: string): Promise<{ bytes: number; files: string[] }> {
  const files: string[] = [];
  let bytes = 0;
  const pending: Promise<void>[] = [];
  page.on('response', (response) => {
    if (!/\.m?js$/.test(new URL(response.url()).pathname)) return;
    files.push(response.url());
    pending.push(response.body().then((body) => void (bytes += body.length), () => undefined));
  });
  await page.goto(url, { waitUntil: 'networkidle' });
  await Promise.all(pending);
  return { bytes, files };
}

/**
 * Reports every node React removed from #root: hydration keeps the server's nodes, a client re-render (or a hydration
 * mismatch that falls back to one) replaces them.
 */
const COUNT_ROOT_REMOVALS = `
  window.__rootRemovals = 0;
  new MutationObserver((records) => {
    for (const record of records) {
      const target = record.target;
      if (record.removedNodes.length && target instanceof Element && (target.id === 'root' || target.closest('#root'))) window.__rootRemovals += record.removedNodes.length;
    }
  }).observe(document, { childList: true, subtree: true });
`;

/** Clicks the router link to `path` and waits for the remote's page: client-side, the window survives. */
async function navigate(page: Page, path: string, text: string): Promise<void> {
  await page.evaluate(() => ((window as unknown as { __sameWindow: boolean }).__sameWindow = true));
  await page.click(`a[href="${path}"]`);
  await page.waitForFunction((t) => document.querySelector('#root')?.textContent?.includes(t), text, { timeout: 30_000 });
  expect(new URL(page.url()).pathname).toBe(path);
  await expect(page.evaluate(() => (window as unknown as { __sameWindow?: boolean }).__sameWindow)).resolves.toBe(true);
}

beforeAll(() => {
  const base = join(repoRoot, 'tmp/e2e');
  mkdirSync(base, { recursive: true });
  const parent = mkdtempSync(join(base, 'mf-'));
  runOk(parent, 'npx', [
    '-y',
    `create-nx-workspace@${NX_VERSION}`,
    'mf',
    '--preset=apps',
    '--workspaces=false',
    '--pm=npm',
    '--nxCloud=skip',
    '--interactive=false',
    '--analytics=false',
    '--skipGit',
    '--aiAgents=none',
    '--formatter=none',
  ]);
  ws = openWorkspace(join(parent, 'mf'));
  const nxPackages = ['react', 'rspack', 'module-federation', 'web', 'devkit', 'eslint'].map((name) => `@nx/${name}@${NX_VERSION}`);
  runOk(ws.root, 'npm', ['install', '-D', ...nxPackages, '@swc-node/register', '@swc/core', '--no-audit', '--no-fund']);
  ws.nxOk([
    'g',
    '@nx/react:host',
    'apps/shell',
    '--remotes=shop,cart',
    '--bundler=rspack',
    '--ssr',
    '--e2eTestRunner=none',
    '--unitTestRunner=none',
    '--linter=none',
    '--style=css',
    '--no-interactive',
  ]);
  figures.mf.buildMs = timeColdBuild();
}, 900_000);

afterAll(() => {
  // The same run's figures, for the README table ("Coming from Nx Module Federation").
  const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
  console.log(
    [
      '[esmx:e2e] Module Federation → esmx, the generated shell + shop + cart, same run:',
      `  first-page JS (/shop): MF ${kib(figures.mf.jsBytes)} in ${figures.mf.jsFiles.length} files; esmx ${kib(figures.esmx.jsBytes)} in ${figures.esmx.jsFiles.length} files (ratio ${(figures.esmx.jsBytes / figures.mf.jsBytes).toFixed(2)})`,
      `    MF: ${figures.mf.jsFiles.join(' ')}`,
      `    esmx: ${figures.esmx.jsFiles.join(' ')}`,
      `  cold nx run-many -t build: MF ${(figures.mf.buildMs / 1000).toFixed(1)} s; esmx ${(figures.esmx.buildMs / 1000).toFixed(1)} s (ratio ${(figures.esmx.buildMs / figures.mf.buildMs).toFixed(2)})`,
    ].join('\n'),
  );
  if (process.env.KEEP_E2E !== '1') ws?.remove();
});

it('measures the Module Federation build on its first page before migrating', async () => {
  // The MF browser builds load their remotes from localhost:4201 and :4202 (the generated dev URLs); Playwright answers
  // those from the built files, so no server and no port is involved.
  const dist = (app: string) => join(ws.root, 'dist/apps', app, 'browser');
  const origins: Record<string, string> = { 'localhost:4200': 'shell', 'localhost:4201': 'shop', 'localhost:4202': 'cart' };
  const browser = await launchChromium();
  try {
    const page = await browser.context.newPage();
    await page.route(/^http:\/\/localhost:420[012]\//, (route) => {
      const url = new URL(route.request().url());
      const dir = dist(origins[url.host]);
      const file = join(dir, url.pathname);
      const path = existsSync(file) && statSync(file).isFile() ? file : join(dir, 'index.html');
      const type = { '.js': 'text/javascript', '.css': 'text/css', '.json': 'application/json', '.html': 'text/html' }[extname(path)] ?? 'application/octet-stream';
      return route.fulfill({ status: 200, body: readFileSync(path), headers: { 'content-type': type, 'access-control-allow-origin': '*' } });
    });
    const { bytes, files } = await loadCountingScripts(page, 'http://localhost:4200/shop');
    await page.waitForFunction(() => document.body.textContent?.includes('Welcome shop'), null, { timeout: 30_000 });
    figures.mf = { ...figures.mf, jsBytes: bytes, jsFiles: files.map((file) => file.replace(/^http:\/\/localhost/, '')) };
    expect(files.some((file) => file.endsWith('/remoteEntry.js'))).toBe(true);
  } finally {
    await browser.close();
  }
});

it('migrates with one command: prints what changed and what is left by hand, keeps the application code', () => {
  const app = ws.read('apps/shell/src/app/app.tsx');
  runOk(ws.root, 'npm', ['install', '-D', `@esmx/nx@file:${pluginTarball}`, '--no-audit', '--no-fund']);
  const dryRun = ws.nxOk(['g', '@esmx/nx:migrate-module-federation', '--dry-run']).output;
  expect(dryRun).toContain('CREATE apps/shell/src/entry.server.tsx');
  expect(dryRun).toContain('DELETE apps/shell/module-federation.config.ts');
  expect(existsSync(join(ws.root, 'apps/shell/package.json'))).toBe(false);
  expect(existsSync(join(ws.root, 'apps/shell/module-federation.config.ts'))).toBe(true);
  migration = ws.nxOk(['g', '@esmx/nx:migrate-module-federation']).output;
  expect(migration).toContain('[esmx:generate] migrated from Module Federation: cart (remote), shell (host), shop (remote); shared packages → shared.');
  expect(migration).toMatch(/not migrated \(\d+\); do these by hand:[\s\S]*rspack\.config\.prod\.ts: production remote URLs \(shop → http:\/\/localhost:4201\/, cart → http:\/\/localhost:4202\/\)/);
  expect(ws.read('apps/shell/src/app/app.tsx')).toBe(app);
  expect(app).toContain("React.lazy(() => import('shop/Module'))");
  expect(ws.readJson('apps/shop/package.json').esmx.exports).toEqual({ './Module': './src/remote-entry.ts' });
  expect(ws.readJson('apps/shell/package.json').esmx.uses).toEqual(['shared', 'shop', 'cart']);
  expect(existsSync(join(ws.root, 'apps/shell/module-federation.config.ts'))).toBe(false);
  expect(existsSync(join(ws.root, 'apps/shell/module-federation.config.ts.mf-backup'))).toBe(true);
  const root = ws.readJson('package.json');
  expect(Object.keys({ ...root.dependencies, ...root.devDependencies }).filter((pkg) => /module-federation|^@nx\/rspack$|^express$/.test(pkg))).toEqual([]);
  expect(existsSync(join(ws.root, 'node_modules/shop/package.json'))).toBe(true);
  // Before any esmx build: Nx hashes the inputs of a workspace without git differently, so a cache filled before
  // `git init` would not be hit after it.
  commitAll(ws, 'migrated from Module Federation');
});

it('nx run-many -t build links the host to both remotes through the import map', () => {
  figures.esmx.buildMs = timeColdBuild();
  const importMap = ws.readJson('apps/shell/dist/importmap.json');
  expect(importMap.imports['shop/Module']).toMatch(/^\/shop\/Module\.[0-9a-f]{8}\.final\.mjs$/);
  expect(importMap.imports['cart/Module']).toMatch(/^\/cart\/Module\.[0-9a-f]{8}\.final\.mjs$/);
  expect(importMap.imports.react).toMatch(/^\/shared\//);
});

it('nx run shell:start renders each remote route on the server and hydrates it; links navigate client-side', async () => {
  const port = await findFreePort();
  const server = startProcess(ws.root, 'node_modules/.bin/nx', ['run', 'shell:start', `--port=${port}`, '--outputStyle=stream']);
  try {
    await server.waitFor(new RegExp(`127\\.0\\.0\\.1:${port}`));
    const origin = `http://127.0.0.1:${port}`;
    for (const [path, remote] of [['/shop', 'shop'], ['/cart', 'cart']]) {
      const { status, body } = await fetchText(`${origin}${path}`);
      expect(status).toBe(200);
      // The remote's own markup, server-rendered inside the host's routes (renderToString would send the fallback).
      expect(body).toMatch(new RegExp(`<div id="root">[\\s\\S]*Welcome <!-- -->${remote}[\\s\\S]*</div>`));
      expect(body).toContain('<script type="importmap"');
    }
    const browser = await launchChromium();
    try {
      const page = await browser.context.newPage();
      const problems: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error' || message.type() === 'warning') problems.push(message.text());
      });
      page.on('pageerror', (error) => problems.push(error.message));
      await page.addInitScript(COUNT_ROOT_REMOVALS);
      const { bytes, files } = await loadCountingScripts(page, `${origin}/shop`);
      figures.esmx = { ...figures.esmx, jsBytes: bytes, jsFiles: files.map((file) => new URL(file).pathname) };
      await page.waitForFunction(() => document.querySelector('#root')?.textContent?.includes('Welcome shop'));
      // Hydrated, not re-rendered: React kept every server-rendered node of #root.
      await expect(page.evaluate(() => (window as unknown as { __rootRemovals: number }).__rootRemovals)).resolves.toBe(0);
      expect(files.filter((file) => file.includes('/shared/react.'))).toHaveLength(1);
      await navigate(page, '/cart', 'Welcome cart');
      await navigate(page, '/shop', 'Welcome shop');
      await navigate(page, '/', 'Welcome shell');
      expect(problems).toEqual([]);
    } finally {
      await browser.close();
    }
  } finally {
    await server.stop();
  }
});

it('nx serve shell renders the remote routes and hydrates them in development', async () => {
  const port = await findFreePort();
  const server = startProcess(ws.root, 'node_modules/.bin/nx', ['serve', 'shell', `--port=${port}`, '--outputStyle=stream']);
  try {
    await server.waitFor(/dev server at http:\/\/127\.0\.0\.1:\d+/, 240_000);
    const origin = `http://127.0.0.1:${port}`;
    expect((await fetchText(`${origin}/cart`)).body).toMatch(/<div id="root">[\s\S]*Welcome <!-- -->cart/);
    const browser = await launchChromium();
    try {
      const page = await browser.context.newPage();
      const errors: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error') errors.push(message.text());
      });
      page.on('pageerror', (error) => errors.push(error.message));
      await page.addInitScript(COUNT_ROOT_REMOVALS);
      await page.goto(`${origin}/cart`, { waitUntil: 'networkidle' });
      await expect(page.evaluate(() => (window as unknown as { __rootRemovals: number }).__rootRemovals)).resolves.toBe(0);
      await navigate(page, '/shop', 'Welcome shop');
      // react-router 6 warns about its v7 future flags in development builds; errors are what would be ours.
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  } finally {
    await server.stop();
  }
});

it('nx affected -t build after a remote edit rebuilds the remote and re-links the host, whose bundle is a cache hit', async () => {
  // The dev server left development builds in dist/: the production ones come back from the cache.
  ws.nxOk(['run-many', '-t', 'build', '--outputStyle=static']);
  const app = 'apps/shop/src/app/app.tsx';
  ws.write(app, ws.read(app).replace('<NxWelcome title="shop"/>', '<NxWelcome title="shop v2"/>'));
  const affected = ws.nxOk(['affected', '-t', 'build', '--base=HEAD', '--outputStyle=static']).output;
  const { ran, cached } = parseTaskOutcomes(affected);
  if (!cached.includes('shell:bundle')) console.log(affected);
  expect(ran).toEqual(expect.arrayContaining(['shop:bundle', 'shop:build', 'shell:build']));
  expect(cached).toContain('shell:bundle');
  expect(ran).not.toContain('shell:bundle');
  expect(ran).not.toContain('cart:bundle');

  const port = await findFreePort();
  const server = startProcess(ws.root, 'node_modules/.bin/nx', ['run', 'shell:start', `--port=${port}`, '--outputStyle=stream']);
  try {
    await server.waitFor(new RegExp(`127\\.0\\.0\\.1:${port}`));
    expect((await fetchText(`http://127.0.0.1:${port}/shop`)).body).toContain('Welcome <!-- -->shop v2');
  } finally {
    await server.stop();
  }
});

it('a second run finds no Module Federation project: a message with a fix, exit 1, nothing written', () => {
  const before = ws.git(['status', '--porcelain']).stdout;
  const again = ws.nx(['g', '@esmx/nx:migrate-module-federation']);
  expect(again.code).toBe(1);
  expect(again.output).toMatch(/\[esmx:generate\] expected at least one Nx project with a module-federation\.config\.ts[\s\S]*fix: /);
  expect(again.output).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
  expect(ws.git(['status', '--porcelain']).stdout).toBe(before);
});
