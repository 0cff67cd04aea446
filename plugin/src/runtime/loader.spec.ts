import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseImportMap, resolveSpecifier } from '../import-map/index';
import type { BuildManifest, ImportMap } from '../protocol/types';
import { computeVersionKeys, createLoaderTable, type LoaderTable } from './loader';

type Hooks = {
  resolveBare(specifier: string, parentURL: string | undefined, table: LoaderTable): { url: string | null } | undefined;
};

// The hook file is plain ESM loaded by Node itself; Jest (with --experimental-vm-modules) loads it natively too.
const loadHooks = (): Promise<Hooks> => import('./loader-hooks.mjs') as Promise<Hooks>;

const map: ImportMap = {
  imports: {
    react: 'file:///w/shared/dist/server/react.1.final.mjs',
    'cart/widget': 'file:///w/cart/dist/server/widget.1.final.mjs',
    'cart/': 'file:///w/cart/dist/server/',
    'cart/deep/': 'file:///w/cart-deep/',
    blocked: null as unknown as string,
  },
  scopes: {
    'file:///w/legacy/dist/server/': { react: 'file:///w/old-shared/dist/server/react.0.final.mjs' },
    'file:///w/legacy/dist/server/special.mjs': { 'cart/widget': 'file:///w/special/widget.mjs' },
  },
  integrity: {},
};

describe('the resolve hook table', () => {
  const cases: [string, string][] = [
    ['react', 'file:///w/host/dist/server/entry.mjs'],
    ['react', 'file:///w/legacy/dist/server/x.mjs'],
    ['react', 'file:///w/legacy/dist/server/x.mjs?esmx=abc'],
    ['cart/widget', 'file:///w/host/dist/server/entry.mjs'],
    ['cart/widget', 'file:///w/legacy/dist/server/special.mjs'],
    ['cart/other.mjs', 'file:///w/host/dist/server/entry.mjs'],
    ['cart/deep/x.mjs', 'file:///w/host/dist/server/entry.mjs'],
  ];

  it.each(cases)('resolves %s from %s exactly as the import-map layer does', async (specifier, parent) => {
    const hooks = await loadHooks();
    const table = createLoaderTable(map, {});
    const parsed = parseImportMap(map, 'file:///w/');
    const expected = resolveSpecifier(specifier, parsed, parent.replace(/\?.*$/, ''));
    expect(hooks.resolveBare(specifier, parent, table)).toEqual({ url: expected });
  });

  it('leaves unmapped specifiers to Node and reports blocked ones as null', async () => {
    const hooks = await loadHooks();
    const table = createLoaderTable(map, {});
    expect(hooks.resolveBare('lodash', 'file:///w/host/dist/server/entry.mjs', table)).toBeUndefined();
    expect(hooks.resolveBare('blocked', 'file:///w/host/dist/server/entry.mjs', table)).toEqual({ url: null });
  });

  it('lists prefixes longest first and roots with a trailing slash', () => {
    const table = createLoaderTable(map, { 'file:///w/cart/dist/server': 'k1', 'file:///w/cart/dist/server/sub/': 'k2' });
    expect(table.imports.prefixes.map(([key]) => key)).toEqual(['cart/deep/', 'cart/']);
    expect(table.roots).toEqual([
      ['file:///w/cart/dist/server/sub/', 'k2'],
      ['file:///w/cart/dist/server/', 'k1'],
    ]);
    expect(table.scopes.map(([scope]) => scope)).toEqual([
      'file:///w/legacy/dist/server/special.mjs',
      'file:///w/legacy/dist/server/',
    ]);
  });
});

describe('computeVersionKeys', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'esmx-keys-'));
    writeFileSync(join(dir, 'a.mjs'), 'export const a = 1;');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const manifest = (name: string, uses: string[], files: string[] = []): BuildManifest => ({
    protocol: 2, name, version: '1.0.0', target: 'server', provides: {}, uses, exports: {}, scopes: {}, files, chunks: {}, integrity: {},
  });
  const entries = (cartText: string) => ({
    shell: { manifest: manifest('shell', ['cart', 'nav']), text: 'shell', dir },
    cart: { manifest: manifest('cart', ['shared']), text: cartText, dir },
    nav: { manifest: manifest('nav', []), text: 'nav', dir },
    shared: { manifest: manifest('shared', [], ['a.mjs']), text: 'shared', dir },
  });

  it('changes the key of a changed module and of everything that uses it, and nothing else', () => {
    const before = computeVersionKeys(entries('cart v1'));
    const after = computeVersionKeys(entries('cart v2'));
    expect(Object.values(before).every((k) => /^[0-9a-f]{12}$/.test(k))).toBe(true);
    expect(after.cart).not.toBe(before.cart);
    expect(after.shell).not.toBe(before.shell);
    expect(after.nav).toBe(before.nav);
    expect(after.shared).toBe(before.shared);
  });

  it('changes when a listed file is rewritten in place (dev builds without content hashes)', () => {
    const before = computeVersionKeys(entries('cart v1'));
    utimesSync(join(dir, 'a.mjs'), new Date(), new Date(Date.now() + 5_000));
    const after = computeVersionKeys(entries('cart v1'));
    expect(after.shared).not.toBe(before.shared);
    expect(after.cart).not.toBe(before.cart);
    expect(after.nav).toBe(before.nav);
  });
});
