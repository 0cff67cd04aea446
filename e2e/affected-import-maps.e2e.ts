/**
 * Affected import maps on a real git repository: a remote's source change rebuilds the remote, its host's own
 * bundle is a cache hit, and only the host's link step reruns so that its import map names the remote's new file.
 * A change to a module's declaration (its package.json) does invalidate the bundles of its consumers.
 *
 * Fixture: libs/vendor provides a tiny third-party package (tiny-fmt), apps/cart exports ./widget and uses vendor,
 * apps/shop is a host (entry) using cart and vendor. Plain TypeScript, no framework.
 */
import { mkdirSync, readdirSync, symlinkSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { commitAll, createWorkspace, parseTaskOutcomes, type Workspace } from './utils/workspace';

let ws: Workspace;

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
const importMap = () => ws.readJson<{ imports: Record<string, string> }>('apps/shop/dist/importmap.json');

function affectedBuild() {
  const result = ws.nxOk(['affected', '-t', 'build', '--base=HEAD~1', '--head=HEAD', '--outputStyle=static']);
  return { ...parseTaskOutcomes(result.output), output: result.output };
}

beforeAll(() => {
  ws = createWorkspace('affected');
  const nxJson = ws.readJson('nx.json');
  ws.write('nx.json', json({ ...nxJson, plugins: ['@esmx/nx/plugin'] }));

  ws.write('libs/vendor/package.json', json({
    name: 'vendor',
    version: '1.0.0',
    dependencies: { 'tiny-fmt': '^1.4.0' },
    esmx: { provides: ['tiny-fmt'] },
  }));
  ws.write('apps/cart/package.json', json({
    name: 'cart',
    version: '1.0.0',
    dependencies: { 'tiny-fmt': '^1.4.0', vendor: '*' },
    esmx: { exports: { './widget': './src/widget.ts' }, uses: ['vendor'] },
  }));
  ws.write('apps/cart/src/widget.ts', [
    "import { fmt } from 'tiny-fmt';",
    'export function widget(count: number): string {',
    "  return fmt('cart', count);",
    '}',
    '',
  ].join('\n'));
  ws.write('apps/shop/package.json', json({
    name: 'shop',
    version: '1.0.0',
    dependencies: { 'tiny-fmt': '^1.4.0', cart: '*', vendor: '*' },
    esmx: { entry: { client: './src/entry.client.ts', server: './src/entry.server.ts' }, uses: ['cart', 'vendor'] },
  }));
  ws.write('apps/shop/src/entry.client.ts', [
    "import { widget } from 'cart/widget';",
    "document.body.insertAdjacentHTML('beforeend', `<p id=\"client\">${widget(1)}</p>`);",
    '',
  ].join('\n'));
  ws.write('apps/shop/src/entry.server.ts', [
    "import { widget } from 'cart/widget';",
    'export default async function render(rc: { html: string; importmap(): string; moduleEntry(): string }) {',
    '  rc.html = `<!doctype html><html><head>${rc.importmap()}</head><body><p>${widget(2)}</p>${rc.moduleEntry()}</body></html>`;',
    '}',
    '',
  ].join('\n'));

  // What npm install would do for these workspaces (symlinks) and for a small published ESM package.
  ws.write('node_modules/tiny-fmt/package.json', json({ name: 'tiny-fmt', version: '1.4.2', type: 'module', exports: './index.js' }));
  ws.write('node_modules/tiny-fmt/index.js', 'export function fmt(label, n) {\n  return `${label}:${n}`;\n}\n');
  for (const dir of ['apps/shop', 'apps/cart', 'libs/vendor']) {
    const link = join(ws.root, 'node_modules', ws.readJson(`${dir}/package.json`).name);
    mkdirSync(dirname(link), { recursive: true });
    symlinkSync(relative(dirname(link), join(ws.root, dir)), link, 'dir');
  }
  commitAll(ws, 'modules');
  ws.nxOk(['run-many', '-t', 'build', '--outputStyle=static']);
}, 600_000);

afterAll(() => {
  if (process.env.KEEP_E2E_WORKSPACE !== 'true') ws?.remove();
});

it('infers the targets with descriptions and draws the uses edges in the project graph', () => {
  const shop = JSON.parse(ws.nxOk(['show', 'project', 'shop', '--json']).stdout);
  expect(shop.projectType).toBe('application');
  expect(shop.tags).toEqual(expect.arrayContaining(['esmx:module', 'esmx:host']));
  for (const name of ['bundle', 'build', 'serve', 'start', 'validate']) {
    expect(shop.targets[name].metadata.description).toMatch(/\w{4,}/);
  }
  expect(shop.targets.build.dependsOn).toEqual(['bundle', '^build']);

  ws.nxOk(['graph', '--file=tmp/graph.json']);
  const { graph } = ws.readJson('tmp/graph.json');
  const edges = (name: string) =>
    graph.dependencies[name].map((d: { target: string; type: string }) => `${d.target}:${d.type}`).sort();
  expect(edges('shop')).toEqual(expect.arrayContaining(['cart:static', 'vendor:static']));
  expect(edges('cart')).toEqual(expect.arrayContaining(['vendor:static']));
});

it('links the host to the remote and the provider after run-many -t build', () => {
  const map = importMap();
  expect(map.imports['cart/widget']).toMatch(/^\/cart\/widget\.[0-9a-f]{8}\.final\.mjs$/);
  expect(map.imports['tiny-fmt']).toMatch(/^\/vendor\/.+\.final\.mjs$/);
  expect(ws.readJson('apps/shop/dist/link.json')).toEqual({
    protocol: 2,
    module: 'shop',
    modules: { shop: { dir: '.' }, cart: { dir: '../cart' }, vendor: { dir: '../../libs/vendor' } },
  });
});

it('a remote source change: the remote rebuilds, the host bundle is a cache hit, the host import map is regenerated', () => {
  const before = importMap().imports['cart/widget'];
  ws.write('apps/cart/src/widget.ts', ws.read('apps/cart/src/widget.ts').replace("fmt('cart', count)", "fmt('cart v2', count)"));
  commitAll(ws, 'cart: new label');

  const { ran, cached, output } = affectedBuild();
  expect({ ran: ran.sort(), hostBundleCached: cached.includes('shop:bundle') }).toEqual({
    ran: ['cart:build', 'cart:bundle', 'shop:build'],
    hostBundleCached: true,
  });
  expect(cached).not.toContain('cart:bundle');
  // vendor is not affected; its tasks appear only as cache hits pulled in by ^build.
  expect(output).toContain('nx run shop:bundle');

  const after = importMap().imports['cart/widget'];
  expect(after).toMatch(/^\/cart\/widget\.[0-9a-f]{8}\.final\.mjs$/);
  expect(after).not.toBe(before);
  const file = after.slice('/cart/'.length);
  expect(readdirSync(join(ws.root, 'apps/cart/dist/client'))).toContain(file);
  expect(ws.read(`apps/cart/dist/client/${file}`)).toContain('cart v2');
});

it('a declaration change (a new export) invalidates the bundles of its consumers', () => {
  const cart = ws.readJson('apps/cart/package.json');
  cart.esmx.exports['./badge'] = './src/badge.ts';
  ws.write('apps/cart/package.json', json(cart));
  ws.write('apps/cart/src/badge.ts', "export const badge = 'new';\n");
  commitAll(ws, 'cart: new export');

  const { ran, cached } = affectedBuild();
  expect(ran.sort()).toEqual(['cart:build', 'cart:bundle', 'shop:build', 'shop:bundle']);
  expect(cached).not.toContain('shop:bundle');
  expect(importMap().imports['cart/badge']).toMatch(/^\/cart\/badge\.[0-9a-f]{8}\.final\.mjs$/);
});

it('validate --linkGraph (or --graph after --) writes the link-graph page of the host', () => {
  ws.nxOk(['run', 'shop:validate', '--linkGraph=tmp/links.html', '--outputStyle=static']);
  const html = ws.read('tmp/links.html');
  for (const name of ['shop', 'cart', 'vendor']) expect(html).toContain(`data-module="${name}"`);
  expect(html).toContain('tiny-fmt@1.4.2');
  // After `--`, Nx leaves `--graph` to the executor (before it, Nx's own flag would draw the task graph).
  ws.nxOk(['run', 'shop:validate', '--outputStyle=static', '--', '--graph=tmp/links-alias.html']);
  expect(ws.read('tmp/links-alias.html')).toBe(html);
});

it('bad input: a wrong-shaped declaration still yields a project whose validate reports E_SCHEMA; a uses cycle shows as edges', () => {
  ws.write('libs/odd/package.json', json({ name: 'odd', version: '1.0.0', esmx: { exports: ['./x'], uses: 'cart' } }));
  for (const [name, other] of [['cyc-a', 'cyc-b'], ['cyc-b', 'cyc-a']]) {
    ws.write(`libs/${name}/package.json`, json({ name, version: '1.0.0', esmx: { exports: { '.': './index.ts' }, uses: [other] } }));
    ws.write(`libs/${name}/index.ts`, 'export const x = 1;\n');
    symlinkSync(`../libs/${name}`, join(ws.root, 'node_modules', name), 'dir');
  }
  const projects = ws.nxOk(['show', 'projects']).stdout.split('\n');
  expect(projects).toEqual(expect.arrayContaining(['odd', 'cyc-a', 'cyc-b', 'shop']));

  const odd = ws.nx(['run', 'odd:validate', '--outputStyle=static']);
  expect(odd.code).not.toBe(0);
  expect(odd.output).toContain('E_SCHEMA');

  ws.nxOk(['graph', '--file=tmp/graph-bad.json']);
  const { graph } = ws.readJson('tmp/graph-bad.json');
  expect(graph.dependencies['cyc-a']).toEqual(expect.arrayContaining([expect.objectContaining({ target: 'cyc-b', type: 'static' })]));
  expect(graph.dependencies['cyc-b']).toEqual(expect.arrayContaining([expect.objectContaining({ target: 'cyc-a', type: 'static' })]));
  const cycle = ws.nx(['run', 'cyc-a:validate', '--outputStyle=static']);
  expect(cycle.code).not.toBe(0);
  expect(cycle.output).toContain('E_CYCLE');
});
