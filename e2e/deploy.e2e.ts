/**
 * Deploying, as a user does it: a React trio (provider, host, remote) in a fresh workspace with the packed plugin.
 * - `nx run shell:standalone`, the folder copied outside the workspace and run with `node index.mjs` and only PATH
 *   and PORT, serving the page `nx run shell:start` serves; cached, and invalidated by a remote's change.
 * - the runtime's request handler mounted in an Express 5 app next to a JSON route.
 * - links per environment (esmx.links.json) and one-off --links on build, start and standalone, with the remote
 *   deployed to a URL (a static server on 127.0.0.1).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join, normalize } from 'node:path';
import { fetchText, findFreePort } from './utils/net';
import { createWorkspace, parseTaskOutcomes, run, startProcess, type Workspace } from './utils/workspace';

const EXPRESS_VERSION = '5.2.0';

/** The same page apart from nonces: what "the same HTML" means between two servers. */
const withoutNonces = (html: string) => html.replace(/ nonce="[^"]*"/g, '');
const scriptsOf = (html: string) => [...html.matchAll(/<script\b[^>]*>[\s\S]*?<\/script>/g)].map((m) => m[0]);

function sizeOf(path: string): number {
  const stat = statSync(path);
  return stat.isDirectory() ? readdirSync(path).reduce((sum, name) => sum + sizeOf(join(path, name)), 0) : stat.size;
}

function hasNodeModulesAbove(dir: string): boolean {
  for (let at = dir; ; at = dirname(at)) {
    if (existsSync(join(at, 'node_modules'))) return true;
    if (dirname(at) === at) return false;
  }
}

/** Starts `node <args>` in `cwd` with exactly `env`; resolves once its output matches `ready`. */
function startNode(cwd: string, args: string[], env: NodeJS.ProcessEnv, ready: RegExp): Promise<{ child: ChildProcess; output: () => string }> {
  const child = spawn(process.execPath, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not ready in 60 s:\n${output}`)), 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk;
      if (ready.test(output)) {
        clearTimeout(timer);
        resolve({ child, output: () => output });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`node ${args.join(' ')} exited ${code}:\n${output}`));
    });
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.removeAllListeners('exit');
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** A CDN stand-in: serves `root` under `/` with CORS, as a remote's deployed dist/ would be. */
function serveStatic(root: string): Promise<{ server: Server; origin: string }> {
  const server = createServer((req, res) => {
    const path = normalize(join(root, decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)));
    if (!path.startsWith(root) || !existsSync(path) || statSync(path).isDirectory()) {
      res.writeHead(404).end();
      return;
    }
    const type = path.endsWith('.json') ? 'application/json' : path.endsWith('.css') ? 'text/css' : 'text/javascript';
    res.writeHead(200, { 'content-type': type, 'access-control-allow-origin': '*' });
    res.end(readFileSync(path));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, origin: `http://127.0.0.1:${(server.address() as { port: number }).port}` })));
}

describe('deploying a react host and its remote', () => {
  let ws: Workspace;
  let copy: string;

  async function startPage(args: string[] = []): Promise<string> {
    const port = await findFreePort();
    const server = startProcess(ws.root, 'node_modules/.bin/nx', ['run', ...args.slice(0, 1), `--port=${port}`, ...args.slice(1), '--outputStyle=stream']);
    try {
      await server.waitFor(new RegExp(`listening on http://127\\.0\\.0\\.1:${port}/`));
      const { status, body } = await fetchText(`http://127.0.0.1:${port}/`);
      expect(status).toBe(200);
      return body;
    } finally {
      await server.stop();
    }
  }

  beforeAll(() => {
    ws = createWorkspace('deploy');
    ws.nxOk(['g', '@esmx/nx:init']);
    ws.nxOk(['g', '@esmx/nx:app', 'libs/shared', '--role=provider', '--framework=react']);
    ws.nxOk(['g', '@esmx/nx:app', 'apps/shell', '--role=host', '--framework=react']);
    ws.nxOk(['g', '@esmx/nx:app', 'apps/cart', '--role=remote', '--framework=react', '--host=shell']);
    const install = run(ws.root, 'npm', ['install', '--prefer-offline', '--no-audit', '--no-fund']);
    if (install.code !== 0) throw new Error(install.output);
    ws.nxOk(['run-many', '-t', 'build', '--outputStyle=static']);
  });

  afterAll(() => {
    if (copy) rmSync(copy, { recursive: true, force: true });
    if (process.env.KEEP_E2E !== '1') ws?.remove();
  });

  it('writes a standalone folder that serves, from a copy with only PATH and PORT, the page nx run shell:start serves', async () => {
    const first = ws.nxOk(['run', 'shell:standalone', '--outputStyle=static']);
    expect(first.output).toMatch(/\[esmx:standalone\] wrote apps\/shell\/dist\/standalone \([\d.]+ MB\)/);
    const out = join(ws.root, 'apps/shell/dist/standalone');
    expect(JSON.parse(readFileSync(join(out, 'package.json'), 'utf8'))).toMatchObject({ type: 'module' });
    expect(JSON.parse(readFileSync(join(out, 'package.json'), 'utf8')).dependencies).toBeUndefined();
    expect(readdirSync(join(out, 'modules')).sort()).toEqual(['cart', 'shared', 'shell']);
    const runtime = readFileSync(join(out, 'runtime/index.cjs'), 'utf8');
    expect(runtime).not.toMatch(/require\(["'](@esmx\/nx|@nx\/|nx|@rspack\/core|react)["'/]/);

    copy = mkdtempSync(join(tmpdir(), 'esmx-standalone-'));
    cpSync(out, copy, { recursive: true });
    expect(hasNodeModulesAbove(copy)).toBe(false);
    const port = await findFreePort();
    const standalone = await startNode(copy, ['index.mjs'], { PATH: process.env.PATH ?? '', PORT: String(port) }, /listening on/);
    try {
      const fromCopy = await fetchText(`http://127.0.0.1:${port}/`);
      expect(fromCopy.status).toBe(200);
      expect(fromCopy.body).toContain('<h1>shell</h1>');
      expect(fromCopy.body).toContain('<section data-esmx-remote="cart"><section data-esmx-widget="cart">');
      const fromNx = await startPage(['shell:start']);
      expect(withoutNonces(fromCopy.body)).toBe(withoutNonces(fromNx));
      expect(scriptsOf(fromCopy.body)).toEqual(scriptsOf(fromNx));
      // Every script and preload of the page is served by the copy with the bytes its integrity names.
      const urls = [...fromCopy.body.matchAll(/<link rel="modulepreload" href="([^"]+)"/g)].map((m) => m[1]);
      expect(urls.length).toBeGreaterThan(2);
      for (const url of urls) expect((await fetch(`http://127.0.0.1:${port}${url}`)).status).toBe(200);
      console.log(`[e2e:deploy] standalone folder: ${(sizeOf(copy) / 1024 / 1024).toFixed(2)} MB`);
    } finally {
      await stopChild(standalone.child);
    }
  });

  it('is cached, and written again when a linked remote changes', () => {
    const again = ws.nxOk(['run', 'shell:standalone', '--outputStyle=static']);
    expect(parseTaskOutcomes(again.output).cached).toContain('shell:standalone');
    ws.write('apps/cart/src/widget.tsx', `${ws.read('apps/cart/src/widget.tsx')}\nexport const deployed = 'v2';\n`);
    const changed = ws.nxOk(['run', 'shell:standalone', '--outputStyle=static']);
    const outcomes = parseTaskOutcomes(changed.output);
    expect(outcomes.ran).toEqual(expect.arrayContaining(['cart:bundle', 'shell:build', 'shell:standalone']));
    expect(outcomes.cached).toContain('shell:bundle');
    const cartManifest = ws.readJson('apps/cart/dist/client/manifest.json');
    const copied = JSON.parse(readFileSync(join(ws.root, 'apps/shell/dist/standalone/modules/cart/dist/client/manifest.json'), 'utf8'));
    expect(copied).toEqual(cartManifest);
  });

  it('serves the pages inside an Express 5 app, next to its own JSON route', async () => {
    const install = run(ws.root, 'npm', ['install', '--no-save', '--prefer-offline', '--no-audit', '--no-fund', `express@${EXPRESS_VERSION}`]);
    if (install.code !== 0) throw new Error(install.output);
    ws.write(
      'server.mjs',
      `import express from 'express';
import runtime from '@esmx/nx/runtime';

const app = express();
app.get('/api/orders', (req, res) => res.json({ orders: [1, 2], user: req.get('x-user') ?? null }));
app.use((req, res, next) => { req.user = req.get('x-user') ?? 'anonymous'; next(); });
const pages = await runtime.createRequestHandler({ root: 'apps/shell', extendParams: (req) => ({ user: req.user }) });
app.use(pages);
const server = app.listen(Number(process.env.PORT), '127.0.0.1', () => console.log('express listening on ' + server.address().port));
`,
    );
    const port = await findFreePort();
    const express = await startNode(ws.root, ['server.mjs'], { PATH: process.env.PATH ?? '', PORT: String(port) }, /express listening on/);
    try {
      const api = await fetchText(`http://127.0.0.1:${port}/api/orders`);
      expect(api.status).toBe(200);
      expect(JSON.parse(api.body)).toEqual({ orders: [1, 2], user: null });
      const page = await fetchText(`http://127.0.0.1:${port}/`);
      expect(page.status).toBe(200);
      expect(page.body).toContain('<h1>shell</h1>');
      expect(page.body).toContain('<section data-esmx-remote="cart"><section data-esmx-widget="cart">');
      const fromNx = await startPage(['shell:start']);
      expect(withoutNonces(page.body)).toBe(withoutNonces(fromNx));
      const widget = /"cart\/widget":"([^"]+)"/.exec(page.body)![1];
      const file = await fetch(`http://127.0.0.1:${port}${widget}`);
      expect(file.status).toBe(200);
      expect(file.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    } finally {
      await stopChild(express.child);
    }
  });

  it('links a remote per environment from esmx.links.json, and one-off with --links, on build, start and standalone', async () => {
    const cdn = await serveStatic(join(ws.root, 'apps'));
    const cartUrl = `${cdn.origin}/cart/dist/client/`;
    try {
      ws.write('apps/shell/esmx.links.json', JSON.stringify({ environments: { staging: { cart: cartUrl }, local: {} } }, null, 2));
      const project = JSON.parse(ws.nxOk(['show', 'project', 'shell', '--json']).stdout);
      for (const target of ['build', 'start', 'serve', 'standalone']) {
        expect(project.targets[target].configurations.staging).toEqual({ environment: 'staging' });
      }

      ws.nxOk(['run', 'shell:build:staging', '--outputStyle=static']);
      expect(ws.readJson('apps/shell/dist/link.json').modules.cart).toEqual({ url: cartUrl });
      const staging = await startPage(['shell:start:staging']);
      expect(staging).toContain(`"cart/widget":"${cartUrl}`);
      expect(staging).toContain('<section data-esmx-remote="cart"><section data-esmx-widget="cart">');

      // The sequence: a plain build (a cache hit without links), then start with a one-off --links.
      ws.nxOk(['run', 'shell:build', '--outputStyle=static']);
      expect(ws.readJson('apps/shell/dist/link.json').modules.cart).toHaveProperty('dir');
      const oneOff = await startPage(['shell:start', `--links.cart=${cartUrl}`]);
      expect(oneOff).toContain(`"cart/widget":"${cartUrl}`);
      const local = await startPage(['shell:start']);
      expect(local).toContain('"cart/widget":"/cart/');

      const standalone = ws.nxOk(['run', 'shell:standalone:staging', '--outputStyle=static']);
      expect(standalone.output).toMatch(/cart\s+linked to its URL/);
      const out = join(ws.root, 'apps/shell/dist/standalone');
      expect(JSON.parse(readFileSync(join(out, 'modules/shell/dist/link.json'), 'utf8')).modules.cart).toEqual({ url: cartUrl });
      expect(existsSync(join(out, 'modules/cart'))).toBe(false);
      const oneOffStandalone = ws.nxOk(['run', 'shell:standalone', `--links.cart=${cdn.origin}/elsewhere/client/`, '--outputStyle=static']);
      expect(parseTaskOutcomes(oneOffStandalone.output).ran).toContain('shell:standalone');
      expect(JSON.parse(readFileSync(join(out, 'modules/shell/dist/link.json'), 'utf8')).modules.cart).toEqual({ url: `${cdn.origin}/elsewhere/client/` });

      // Bad input: an environment the file lacks, and a links file that is not JSON.
      const missing = ws.nx(['run', 'shell:build', '--environment=prod', '--outputStyle=static']);
      expect(missing.code).not.toBe(0);
      expect(missing.output).toMatch(/\[esmx:link\] expected the environment "prod" in .*esmx\.links\.json, found only "staging", "local"\. Fix:/);
      ws.write('apps/shell/esmx.links.json', '{ "environments": { "staging": ');
      const broken = ws.nx(['run', 'shell:build', '--outputStyle=static']);
      expect(broken.code).not.toBe(0);
      expect(broken.output).toMatch(/\[esmx:link\] expected JSON in .*esmx\.links\.json, found invalid JSON at line 1/);
      expect(broken.output).not.toMatch(/^\s+at /m);
    } finally {
      rmSync(join(ws.root, 'apps/shell/esmx.links.json'), { force: true });
      cdn.server.close();
    }
  });

  it('validates a remote\'s new build against the deployed host\'s link file, in both directions', () => {
    const deployedLink = join(copy, 'modules/shell/dist/link.json');
    const ok = ws.nx(['run', 'cart:validate', `--against=${deployedLink}`, '--outputStyle=static']);
    expect(ok.code).toBe(0);
    expect(ok.output).toMatch(/\[esmx:validate\] cart: checked its build against 3 deployed module\(s\) of shell \(.*\), replacing the deployed cart\./);
    // The new build renames the export the deployed host imports.
    const pkg = ws.readJson('apps/cart/package.json');
    const exportsBefore = pkg.esmx.exports;
    pkg.esmx.exports = Object.fromEntries(Object.entries(exportsBefore).map(([key, value]) => [key === './widget' ? './widget-next' : key, value]));
    ws.write('apps/cart/package.json', JSON.stringify(pkg, null, 2));
    try {
      ws.nxOk(['run', 'cart:bundle', '--outputStyle=static']);
      const broken = ws.nx(['run', 'cart:validate', `--against=${deployedLink}`, '--outputStyle=static']);
      expect(broken.code).not.toBe(0);
      expect(broken.output).toMatch(/E_NO_EXPORT/);
      expect(broken.output).toMatch(/shell: its (client|server) build imports "cart\/widget", which the current \1 build of "cart" does not export/);
    } finally {
      pkg.esmx.exports = exportsBefore;
      ws.write('apps/cart/package.json', JSON.stringify(pkg, null, 2));
    }
  });
});
