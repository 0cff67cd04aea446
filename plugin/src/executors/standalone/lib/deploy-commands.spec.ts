/**
 * Promotion and rollback on a deployed standalone folder, without Nx: the composed fixture host's folder runs from a
 * copy (`node index.mjs`), a CDN stand-in on 127.0.0.1 serves remote builds, and `node index.mjs link` / `rollback`
 * swap what the running server serves with no restart. Every refusal changes nothing and names the URL or file.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, normalize } from 'node:path';
import { createComposedHost, deployCart, type ComposedHost } from '../../../runtime/fixtures/composed-host/create-fixture';
import { httpRequest } from '../../../runtime/fixtures/composed-host/spawn-server';
import { writeStandalone } from './write-standalone';

jest.setTimeout(120_000);

let workspace: string;
let host: ComposedHost;
let folder: string;
let server: { child: ChildProcess; port: number; output: () => string };
let cdn: { server: Server; origin: string };
const cdnDir = () => join(workspace, 'cdn');
const linkFile = () => join(folder, 'modules/shell/dist/link.json');
const historyDir = () => join(folder, 'modules/shell/dist/link-history');

function serveCdn(root: string): Promise<{ server: Server; origin: string }> {
  const srv = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path.startsWith('/html/')) {
      res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>Welcome to nginx</title>');
      return;
    }
    const file = normalize(join(root, decodeURIComponent(path)));
    if (!file.startsWith(root) || !existsSync(file) || statSync(file).isDirectory()) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'access-control-allow-origin': '*' }).end(readFileSync(file));
  });
  return new Promise((resolve) => srv.listen(0, '127.0.0.1', () => resolve({ server: srv, origin: `http://127.0.0.1:${(srv.address() as { port: number }).port}` })));
}

/** `node index.mjs <args>` in the folder, with only PATH; resolves with its exit code and output. */
function command(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['index.mjs', ...args], { cwd: folder, env: { PATH: process.env.PATH ?? '' } }, (error, stdout, stderr) =>
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

function startFolder(): Promise<{ child: ChildProcess; port: number; output: () => string }> {
  const child = spawn(process.execPath, ['index.mjs'], { cwd: folder, env: { PATH: process.env.PATH ?? '', PORT: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  return new Promise((resolve, reject) => {
    let ready = false;
    const onData = (chunk: Buffer) => {
      output += chunk;
      const match = /listening on http:\/\/127\.0\.0\.1:(\d+)\//.exec(output);
      if (!match || ready) return;
      ready = true;
      // index.mjs writes its pid file right after the server listens.
      const poll = setInterval(() => {
        if (!existsSync(join(folder, 'server.pid'))) return;
        clearInterval(poll);
        resolve({ child, port: Number(match[1]), output: () => output });
      }, 10);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (chunk: Buffer) => onData(chunk));
    child.on('exit', (code) => reject(new Error(`node index.mjs exited ${code}:\n${output}`)));
  });
}

/** Polls until the server's output has `count` lines containing `text`; the deadline only turns a hang into a failure. */
async function waitForOutput(text: string, count = 1): Promise<void> {
  const started = Date.now();
  while (server.output().split(text).length - 1 < count) {
    if (Date.now() - started > 30_000) throw new Error(`no "${text}" (×${count}) in:\n${server.output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A copy of the current cart dist under the CDN, optionally altered. */
function publish(name: string, from: string, alter?: (dir: string) => void): string {
  const dir = join(cdnDir(), name);
  cpSync(join(from, 'dist', 'client'), join(dir, 'client'), { recursive: true });
  cpSync(join(from, 'dist', 'server'), join(dir, 'server'), { recursive: true });
  alter?.(dir);
  return `${cdn.origin}/${name}/client/`;
}

const editJson = (file: string, edit: (value: any) => void) => {
  const value = JSON.parse(readFileSync(file, 'utf8'));
  edit(value);
  writeFileSync(file, JSON.stringify(value));
};

let v2: string;

beforeAll(async () => {
  workspace = mkdtempSync(join(tmpdir(), 'esmx-promote-'));
  host = createComposedHost(join(workspace, 'ws'));
  const out = await writeStandalone(host.root, join(workspace, 'out'));
  folder = mkdtempSync(join(tmpdir(), 'esmx-promote-folder-'));
  cpSync(out.dir, folder, { recursive: true });
  cdn = await serveCdn(cdnDir());
  deployCart(host, 'v2');
  v2 = publish('cart-v2', host.roots.cart);
  server = await startFolder();
});

afterAll(() => {
  server?.child.kill('SIGKILL');
  cdn?.server.close();
  rmSync(workspace, { recursive: true, force: true });
  rmSync(folder, { recursive: true, force: true });
});

describe('node index.mjs link and rollback on a running standalone server', () => {
  it('links cart to its new build at a URL, keeps the previous link file, and the running server swaps to it', async () => {
    expect((await httpRequest(server.port, '/')).text).toContain('data-version="v1"');
    const before = readFileSync(linkFile(), 'utf8');
    const result = await command('link', `cart=${v2}`);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(new RegExp(`^\\[esmx:link\\] linked cart → ${v2.replace(/[.]/g, '\\.')}; wrote .*link\\.json; sent SIGHUP to the server \\(pid ${server.child.pid}\\)`));
    expect(JSON.parse(readFileSync(linkFile(), 'utf8')).modules.cart).toEqual({ url: v2 });
    const history = readdirSync(historyDir());
    expect(history).toHaveLength(1);
    expect(readFileSync(join(historyDir(), history[0]), 'utf8')).toBe(before);
    await waitForOutput('map generation 2');
    const page = (await httpRequest(server.port, '/')).text;
    expect(page).toContain('data-version="v2"');
    expect(page).toContain(`"cart/widget":"${v2}`);
  });

  it('rolls back to the previous link file, and the running server swaps back', async () => {
    const result = await command('rollback');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^\[esmx:link\] rolled back cart → \.\.\/cart; wrote .*; sent SIGHUP/);
    expect(readdirSync(historyDir())).toEqual([]);
    await waitForOutput('map generation 3');
    expect((await httpRequest(server.port, '/')).text).toContain('data-version="v1"');
    const nothing = await command('rollback');
    expect(nothing.code).toBe(1);
    expect(nothing.stderr).toMatch(/^\[esmx:link\] expected a previous link file in .*link-history, found none\. Fix:/);
  });

  it('keeps only the last N link files', async () => {
    const { promoteLinks } = await import('../../../runtime/promote');
    const root = join(folder, 'modules/shell');
    await promoteLinks(root, { cart: v2 }, { keep: 2 });
    await promoteLinks(root, { cart: v2 }, { keep: 2 });
    await promoteLinks(root, { cart: v2 }, { keep: 2 });
    expect(readdirSync(historyDir())).toHaveLength(2);
    const result = await command('rollback');
    expect(result.code).toBe(0);
    await command('rollback');
    rmSync(historyDir(), { recursive: true });
    writeFileSync(linkFile(), JSON.stringify({ protocol: 2, module: 'shell', modules: { shell: { dir: '.' }, cart: { dir: '../cart' }, nav: { dir: '../nav' }, shared: { dir: '../shared' } } }));
  });
});

describe('node index.mjs link refuses, changes nothing and says why', () => {
  let unchanged: string;
  beforeEach(() => {
    unchanged = readFileSync(linkFile(), 'utf8');
  });
  afterEach(() => {
    expect(readFileSync(linkFile(), 'utf8')).toBe(unchanged);
    expect(existsSync(historyDir()) ? readdirSync(historyDir()) : []).toEqual([]);
  });

  it.each([
    ['a URL that does not answer (nothing listens)', () => 'http://127.0.0.1:9/cart/client/', /^\[esmx:ssr\] expected to fetch http:\/\/127\.0\.0\.1:9\/cart\/client\/manifest\.json, but the request failed/],
    ['a URL that answers 404', () => `${cdn.origin}/none/client/`, /^\[esmx:ssr\] expected 200 from http:\/\/127\.0\.0\.1:\d+\/none\/client\/manifest\.json, found 404\. Fix:/],
    ['a URL that answers HTML', () => `${cdn.origin}/html/client/`, /^\[esmx:ssr\] expected the client manifest of cart at http:\/\/127\.0\.0\.1:\d+\/html\/client\/manifest\.json to be JSON, found invalid JSON/],
    ['a manifest of another module', () => publish('nav-as-cart', host.roots.nav), /^\[esmx:ssr\] .*nav-as-cart\/client\/manifest\.json.*"cart".*found "nav"/],
    [
      'a client file whose bytes do not match the manifest\'s integrity',
      () =>
        publish('cart-tampered', host.roots.cart, (dir) => {
          const manifest = JSON.parse(readFileSync(join(dir, 'client/manifest.json'), 'utf8'));
          writeFileSync(join(dir, 'client', manifest.exports.widget.file), 'export const tampered = true;');
        }),
      /^\[esmx:link\] expected http:\/\/127\.0\.0\.1:\d+\/cart-tampered\/client\/widget\.[^ ]+ to match sha384-.*, found sha384-.*\. Fix: redeploy cart/,
    ],
    [
      'a build that no longer exports what the host imports',
      () =>
        publish('cart-no-widget', host.roots.cart, (dir) => {
          for (const target of ['client', 'server']) editJson(join(dir, target, 'manifest.json'), (m) => { m.exports.widget2 = { ...m.exports.widget, name: 'widget2', identifier: 'cart/widget2' }; delete m.exports.widget; });
        }),
      /^\[esmx:link\] refused: the new link of cart does not satisfy what the linked modules import:\n {2}E_NO_EXPORT shell: .*"cart\/widget".* Fix: /,
    ],
    [
      'a provider whose new build provides another major of a package its consumers use',
      () =>
        publish('shared-next', host.roots.shared, (dir) => {
          for (const target of ['client', 'server']) editJson(join(dir, target, 'manifest.json'), (m) => { m.provides.tpl.version = '2.0.0'; });
        }),
      /\n {2}E_VERSION shared: its new build provides tpl@2\.0\.0, but shell, cart were built against tpl@1\.0\.0 from it\. Fix: link a build of shared that provides tpl@1\.x/,
    ],
  ])('%s', async (_, url, message) => {
    const target = url();
    const name = target.includes('shared-next') ? 'shared' : 'cart';
    const result = await command('link', `${name}=${target}`);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toMatch(/^\s+at /m);
  });

  it.each([
    [['link'], /^\[esmx:link\] expected at least one <module>=<URL of its client files>, found none/],
    [['link', 'cart'], /^\[esmx:link\] expected <module>=<http\(s\) URL of its client files>, found "cart"/],
    [['link', 'cart=ftp://x/'], /found "cart=ftp:\/\/x\/"/],
    [['link', 'basket=https://cdn.example.com/basket/'], /^\[esmx:link\] expected a module shell links \(cart, nav, shared\), found "basket"/],
    [['deploy'], /^\[esmx:link\] expected a command link or rollback \(or none, to start the server\), found "deploy"/],
  ])('usage %j', async (args, message) => {
    const result = await command(...(args as string[]));
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(message);
  });

  it('a link file edited by hand into invalid JSON: the command names it, and the running server keeps its generation', async () => {
    const good = readFileSync(linkFile(), 'utf8');
    writeFileSync(linkFile(), good.slice(0, -5));
    unchanged = readFileSync(linkFile(), 'utf8');
    try {
      const result = await command('link', `cart=${v2}`);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/^\[esmx:ssr\] expected the link file at .*modules\/shell\/dist\/link\.json to be JSON, found invalid JSON at line \d+, column \d+/);
      const generations = server.output().split('map generation').length - 1;
      process.kill(server.child.pid!, 'SIGHUP');
      await waitForOutput('SIGHUP reload refused');
      expect(server.output()).toMatch(/SIGHUP reload refused; still serving generation \d+: \[esmx:ssr\] expected the link file at .*link\.json to be JSON/);
      expect(server.output().split('map generation').length - 1).toBe(generations);
      expect((await httpRequest(server.port, '/')).status).toBe(200);
    } finally {
      writeFileSync(linkFile(), good);
      unchanged = good;
    }
  });
});
