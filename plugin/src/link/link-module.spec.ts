import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolveModule } from '../protocol/index';
import { createLinkWorkspace, type LinkWorkspace } from './fixtures/link-workspace';
import { linkModule } from './link-module';

let ws: LinkWorkspace;
beforeEach(() => {
  ws = createLinkWorkspace();
});
afterEach(() => ws.remove());

const readJson = (file: string) => JSON.parse(readFileSync(file, 'utf8'));
const link = (name: 'shop' | 'cart' | 'vendor', links?: Record<string, string>) =>
  linkModule(ws.dir(name), resolveModule(ws.dir(name), { links, checkFiles: false }));

describe('linkModule', () => {
  it('writes the client import map under base "/" and link.json with relative dirs', () => {
    const result = link('shop');
    expect(result.diagnostics).toEqual([]);
    const expectedMap = {
      imports: {
        'cart/widget': '/cart/widget.bbbb2222.final.mjs',
        react: '/vendor/react.aaaa1111.final.mjs',
        'shop/entry.client': '/shop/entry.client.cccc3333.final.mjs',
      },
      scopes: {},
      integrity: {
        '/cart/widget.bbbb2222.final.mjs': 'sha384-cart',
        '/shop/entry.client.cccc3333.final.mjs': 'sha384-shop',
        '/vendor/react.aaaa1111.final.mjs': 'sha384-vendor',
      },
    };
    const expectedLink = {
      protocol: 2,
      module: 'shop',
      modules: { shop: { dir: '.' }, cart: { dir: '../cart' }, vendor: { dir: '../../libs/vendor' } },
    };
    expect(result.importMap).toEqual(expectedMap);
    expect(result.link).toEqual(expectedLink);
    expect(readJson(join(ws.dir('shop'), 'dist/importmap.json'))).toEqual(expectedMap);
    expect(readJson(join(ws.dir('shop'), 'dist/link.json'))).toEqual(expectedLink);
    expect(readFileSync(join(ws.dir('shop'), 'dist/link.json'), 'utf8')).toMatch(/^\{\n  "protocol": 2,/);
  });

  it('names the new hashed file of a rebuilt remote', () => {
    link('shop');
    ws.writeManifest('cart', 'client', (m) => {
      m.exports.widget.file = 'widget.dddd4444.final.mjs';
      m.chunks.widget.js = 'widget.dddd4444.final.mjs';
      m.integrity = { 'widget.dddd4444.final.mjs': 'sha384-cart2' };
    });
    link('shop');
    const map = readJson(join(ws.dir('shop'), 'dist/importmap.json'));
    expect(map.imports['cart/widget']).toBe('/cart/widget.dddd4444.final.mjs');
    expect(map.integrity['/cart/widget.dddd4444.final.mjs']).toBe('sha384-cart2');
  });

  it('writes only link.json for a library and removes a stale import map', () => {
    mkdirSync(join(ws.dir('cart'), 'dist'), { recursive: true });
    writeFileSync(join(ws.dir('cart'), 'dist/importmap.json'), '{}');
    const result = link('cart');
    expect(result.diagnostics).toEqual([]);
    expect(result.importMap).toBeUndefined();
    expect(existsSync(join(ws.dir('cart'), 'dist/importmap.json'))).toBe(false);
    expect(readJson(join(ws.dir('cart'), 'dist/link.json'))).toEqual({
      protocol: 2,
      module: 'cart',
      modules: { cart: { dir: '.' }, vendor: { dir: '../../libs/vendor' } },
    });
  });

  it('reports E_NOT_BUILT for a used module without manifests, writes nothing and keeps the outputs of the last good link', () => {
    link('shop');
    const outputs = ['importmap.json', 'link.json'].map((f) => readFileSync(join(ws.dir('shop'), 'dist', f), 'utf8'));
    rmSync(join(ws.dir('vendor'), 'dist'), { recursive: true });
    const result = link('shop');
    expect(result.diagnostics).toEqual([
      expect.objectContaining({ code: 'E_NOT_BUILT', severity: 'error', module: 'vendor', package: 'vendor' }),
    ]);
    expect(result.diagnostics[0].message).toMatch(/^\[esmx:link\] vendor: is not built: .*client\/manifest.json and .*server\/manifest.json do not exist$/);
    expect(result.diagnostics[0].fix).toContain('nx run vendor:build');
    expect(result.importMap).toBeUndefined();
    expect(result.kept).toBe('unchanged');
    // A server started on this dist serves the build it was linked with; removing the map would take the site down.
    expect(['importmap.json', 'link.json'].map((f) => readFileSync(join(ws.dir('shop'), 'dist', f), 'utf8'))).toEqual(outputs);
  });

  it('reports E_PROTOCOL for a manifest of another protocol version', () => {
    ws.writeManifest('cart', 'server', (m) => {
      (m as { protocol: number }).protocol = 1;
    });
    const { diagnostics } = link('shop');
    expect(diagnostics).toEqual([
      expect.objectContaining({ code: 'E_PROTOCOL', module: 'cart', found: 'protocol 1', required: 'protocol 2' }),
    ]);
  });

  it('reports E_NO_EXPORT when a build imports an export the used module no longer has', () => {
    ws.writeManifest('shop', 'client', (m) => {
      m.chunks['entry.client'].externals = ['cart/widget', 'cart/gone', 'react'];
    });
    const { diagnostics } = link('shop');
    expect(diagnostics).toEqual([
      expect.objectContaining({
        code: 'E_NO_EXPORT',
        severity: 'error',
        module: 'shop',
        package: 'cart',
        found: 'cart/gone',
        required: 'one of cart/widget',
      }),
    ]);
    expect(diagnostics[0].message).toBe(
      '[esmx:link] shop: its client build imports "cart/gone", which the current client build of "cart" does not export',
    );
  });

  it('checks every named import against the names the exporter records: a provided package and a remote, each side', () => {
    const names = { useState: 'src/app.tsx:1', useStat: 'src/app.tsx:1' };
    ws.writeManifest('vendor', 'client', (m) => (m.exports.react.names = ['default', 'useEffect', 'useState']));
    ws.writeManifest('vendor', 'server', (m) => (m.exports.react.names = ['default', 'useEffect', 'useState']));
    ws.writeManifest('cart', 'client', (m) => {
      m.exports.widget.names = ['Widget'];
      m.imports = { react: names };
    });
    ws.writeManifest('cart', 'server', (m) => (m.imports = { react: names }));
    ws.writeManifest('shop', 'client', (m) => (m.imports = { 'cart/widget': { Widget: 'src/app.tsx:2', default: 'src/app.tsx:3' } }));
    const before = readFileSync(join(ws.dir('shop'), 'dist/client/manifest.json'), 'utf8');
    const { diagnostics } = link('shop');
    // The same bad import on both sides of cart is one mistake, reported once; the host's default import of a
    // remote export without a default is another.
    expect(diagnostics.map((d) => [d.code, d.module, d.package, d.found])).toEqual([
      ['E_NO_EXPORT', 'shop', 'cart/widget', 'import x from "cart/widget" in src/app.tsx:3'],
      ['E_NO_EXPORT', 'cart', 'react', 'import { useStat } from "react" in src/app.tsx:1'],
    ]);
    const [fromShop, fromCart] = diagnostics;
    expect(fromCart.message).toBe(
      '[esmx:link] cart: src/app.tsx:1 has import { useStat } from "react", but the client build of "react" (provided by vendor) has no export named "useStat"',
    );
    expect(fromCart.fix).toBe(
      'import "useState" instead of "useStat" in src/app.tsx:1, or provide a version of react that exports "useStat" from "vendor" (it provides react@19.3.1)',
    );
    expect(fromShop.fix).toMatch(/^use a named or namespace import \(import \* as x from "cart\/widget"\) in src\/app.tsx:3, or export "default" from the file behind "cart\/widget" in "cart"/);
    // Nothing was written: the previous link outputs and manifests stay.
    expect(readFileSync(join(ws.dir('shop'), 'dist/client/manifest.json'), 'utf8')).toBe(before);
    expect(existsSync(join(ws.dir('shop'), 'dist/importmap.json'))).toBe(false);
  });

  it('does not check names against an exporter whose manifest records none (an older build)', () => {
    ws.writeManifest('cart', 'client', (m) => (m.imports = { react: { anything: 'src/app.tsx:1' } }));
    expect(link('shop').diagnostics).toEqual([]);
  });

  it('reports a package bundled by two modules and provided by none: a warning, an error for a singleton', () => {
    for (const name of ['shop', 'cart'] as const) {
      ws.writeManifest(name, 'client', (m) => (m.bundled = ['lodash', 'react-dom']));
    }
    const { diagnostics } = link('shop');
    expect(diagnostics.map((d) => [d.code, d.severity, d.package])).toEqual([
      ['W_NOT_PROVIDED', 'warning', 'lodash'],
      ['E_SINGLETON', 'error', 'react-dom'],
    ]);
    expect(diagnostics[1].message).toBe(
      '[esmx:link] shop: "react-dom" is imported by shop, cart and provided to none of them, so each bundles its own copy: ' +
        '"react-dom" must be one instance on a page (a second copy breaks its hooks, contexts or state)',
    );
    expect(diagnostics[1].fix).toBe('add "react-dom" (and the subpaths the modules import) to the esmx.provides of a module they all use (vendor), with react-dom in its dependencies');
    // A package bundled by one module only is that module's own business.
    ws.writeManifest('cart', 'client', (m) => (m.bundled = []));
    expect(link('shop').diagnostics).toEqual([]);
  });

  it('records a URL-linked module in link.json without reading it', () => {
    const result = link('shop', { cart: 'https://cdn.example.com/cart' });
    expect(result.diagnostics).toEqual([]);
    expect(result.link.modules).toEqual({
      shop: { dir: '.' },
      cart: { url: 'https://cdn.example.com/cart/' },
      vendor: { dir: '../../libs/vendor' },
    });
    expect(Object.keys(result.importMap!.imports)).toEqual(['react', 'shop/entry.client']);
  });

  it('turns manifests that do not compose into an E_PROTOCOL diagnostic instead of throwing', () => {
    ws.writeManifest('cart', 'client', (m) => {
      m.scopes = { react: 'ghost' };
    });
    const { diagnostics } = link('shop');
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]).toMatchObject({ code: 'E_PROTOCOL', module: 'shop' });
    expect(diagnostics[0].message).toContain('"cart" wires "react" to the module "ghost"');
  });

  it('does not write when asked not to', () => {
    const result = linkModule(ws.dir('shop'), resolveModule(ws.dir('shop'), { checkFiles: false }), { write: false });
    expect(result.importMap?.imports.react).toBe('/vendor/react.aaaa1111.final.mjs');
    expect(existsSync(join(ws.dir('shop'), 'dist/link.json'))).toBe(false);
  });
});
