/**
 * `validate --against`: a module's new build against a deployed host's link file (the runtime's composed fixture,
 * on disk and behind a real HTTP server on 127.0.0.1), both directions, and the inputs it refuses.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, normalize } from 'node:path';
import { createComposedHost, type ComposedHost } from '../../../runtime/fixtures/composed-host/create-fixture';
import { checkAgainstDeployed } from './check-against-deployed';

let workspace: string;
let deployed: ComposedHost;
let next: ComposedHost;
let server: Server;
let origin: string;

const editJson = (file: string, edit: (value: any) => void) => {
  const value = JSON.parse(readFileSync(file, 'utf8'));
  edit(value);
  writeFileSync(file, JSON.stringify(value));
};
const manifests = (root: string) => ['client', 'server'].map((t) => join(root, 'dist', t, 'manifest.json'));

beforeAll(async () => {
  workspace = mkdtempSync(join(tmpdir(), 'esmx-against-'));
  deployed = createComposedHost(join(workspace, 'deployed'));
  server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path.startsWith('/html/')) return void res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><p>hi</p>');
    const file = normalize(join(workspace, 'deployed', decodeURIComponent(path)));
    let body: Buffer;
    try {
      body = readFileSync(file);
    } catch {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});

beforeEach(() => {
  // The workspace with the new builds: a fresh copy of the deployed modules for each case.
  rmSync(join(workspace, 'next'), { recursive: true, force: true });
  cpSync(join(workspace, 'deployed'), join(workspace, 'next'), { recursive: true });
  next = { ...deployed, root: join(workspace, 'next/shell'), roots: Object.fromEntries(Object.entries(deployed.roots).map(([k, v]) => [k, v.replace('/deployed/', '/next/')])) as ComposedHost['roots'] };
});

afterAll(() => {
  server.close();
  rmSync(workspace, { recursive: true, force: true });
});

const linkOf = () => join(deployed.root, 'dist/link.json');

describe('checkAgainstDeployed', () => {
  it('accepts a new build that still links, and says what it checked', async () => {
    const result = await checkAgainstDeployed(next.roots.cart, linkOf(), workspace);
    expect(result.diagnostics).toEqual([]);
    expect(result.summary).toMatch(/^\[esmx:validate\] cart: checked its build against 4 deployed module\(s\) of shell \(.*link\.json\), replacing the deployed cart\.$/);
  });

  it('refuses a new build that no longer exports what a deployed consumer imports (the reverse direction)', async () => {
    for (const file of manifests(next.roots.cart)) {
      editJson(file, (m) => {
        m.exports.widget2 = { ...m.exports.widget, name: 'widget2', identifier: 'cart/widget2' };
        delete m.exports.widget;
      });
    }
    const { diagnostics } = await checkAgainstDeployed(next.roots.cart, linkOf(), workspace);
    expect(diagnostics.map((d) => [d.code, d.module, d.package, d.found])).toContainEqual(['E_NO_EXPORT', 'shell', 'cart', 'cart/widget']);
  });

  it('counts a deployed consumer\'s dynamic import (only in its manifest\'s imports) as a use of the export', async () => {
    const files = manifests(deployed.root);
    const saved = files.map((file) => readFileSync(file, 'utf8'));
    try {
      for (const file of files) {
        editJson(file, (m) => {
          for (const chunk of Object.values(m.chunks) as { externals?: string[] }[]) chunk.externals = (chunk.externals ?? []).filter((e) => e !== 'cart/widget');
          m.imports = { ...(m.imports ?? {}), 'cart/widget': {} };
        });
      }
      expect((await checkAgainstDeployed(next.roots.cart, linkOf(), workspace)).diagnostics).toEqual([]);
      for (const file of manifests(next.roots.cart)) editJson(file, (m) => delete m.exports.widget);
      const { diagnostics } = await checkAgainstDeployed(next.roots.cart, linkOf(), workspace);
      expect(diagnostics.map((d) => [d.code, d.module, d.found])).toContainEqual(['E_NO_EXPORT', 'shell', 'cart/widget']);
    } finally {
      files.forEach((file, i) => writeFileSync(file, saved[i]));
    }
  });

  it('refuses a new build that imports what a deployed module does not export', async () => {
    editJson(manifests(next.roots.cart)[0], (m) => {
      const chunk = Object.values(m.chunks)[0] as { externals?: string[] };
      chunk.externals = [...(chunk.externals ?? []), 'nav/sidebar'];
    });
    const { diagnostics } = await checkAgainstDeployed(next.roots.cart, linkOf(), workspace);
    expect(diagnostics.map((d) => [d.code, d.module, d.found])).toEqual([['E_NO_EXPORT', 'cart', 'nav/sidebar']]);
    expect(diagnostics[0].message).toMatch(/^\[esmx:link\] cart: its client build imports "nav\/sidebar", which the current client build of "nav" does not export/);
  });

  it('refuses a provider whose new build changes the major its consumers were built against', async () => {
    for (const file of manifests(next.roots.shared)) editJson(file, (m) => (m.provides.tpl.version = '2.1.0'));
    const { diagnostics } = await checkAgainstDeployed(next.roots.shared, linkOf(), workspace);
    expect(diagnostics.map((d) => [d.code, d.module, d.found, d.required])).toEqual([['E_VERSION', 'shared', 'tpl@2.1.0', 'tpl@1.x']]);
  });

  it('reads a deployed link file by URL, and the modules it links by URL', async () => {
    writeFileSync(
      join(workspace, 'deployed/url-link.json'),
      JSON.stringify({
        protocol: 2,
        module: 'shell',
        modules: { shell: { dir: '.' }, cart: { url: `${origin}/cart/dist/client/` }, nav: { url: `${origin}/nav/dist/client/` }, shared: { url: `${origin}/shared/dist/client/` } },
      }),
    );
    for (const file of manifests(next.roots.cart)) editJson(file, (m) => delete m.exports.widget);
    const result = await checkAgainstDeployed(next.roots.cart, `${origin}/url-link.json`, workspace);
    expect(result.summary).toMatch(/against 3 deployed module\(s\) of shell .*; not checked \(mounted from a directory, unreachable from a URL\): shell\.$/);
    // shell is not readable from a URL, so nothing imports cart/widget among what could be checked.
    expect(result.diagnostics).toEqual([]);
  });

  it.each([
    ['a link file that does not exist', () => join(workspace, 'nope/dist/link.json'), /^\[esmx:validate\] expected the deployed link file at .*nope\/dist\/link\.json, found no file\. Fix: pass the dist\/link\.json/],
    ['a URL that answers 404', () => `${origin}/missing/link.json`, /^\[esmx:ssr\] expected 200 from http:\/\/127\.0\.0\.1:\d+\/missing\/link\.json, found 404/],
    ['a URL that answers HTML', () => `${origin}/html/link.json`, /^\[esmx:ssr\] expected the deployed link file at http:\/\/127\.0\.0\.1:\d+\/html\/link\.json to be JSON, found invalid JSON/],
    [
      'a link file edited into invalid JSON',
      () => {
        writeFileSync(join(workspace, 'broken-link.json'), '{ "protocol": 2, "module": ');
        return join(workspace, 'broken-link.json');
      },
      /^\[esmx:ssr\] expected the deployed link file at .*broken-link\.json to be JSON, found invalid JSON at line 1/,
    ],
  ])('refuses %s with a tagged message naming it', async (_, against, message) => {
    await expect(checkAgainstDeployed(next.roots.cart, against(), workspace)).rejects.toThrow(message);
  });
});
