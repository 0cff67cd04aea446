import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseImportMap, resolveSpecifier } from '../import-map/index';
import type { BuildManifest } from '../protocol/types';
import { computeVersionKeys, createLoaderTable, type LoaderTable } from './loader';

type Hooks = {
  resolveBare(specifier: string, parentURL: string | undefined, table: LoaderTable): { url: string | null } | undefined;
};

// The hook file is plain ESM loaded by Node itself; Jest (with --experimental-vm-modules) loads it natively too.
const loadHooks = (): Promise<Hooks> => import('./loader-hooks.mjs') as Promise<Hooks>;

const map = {
  imports: {
    react: 'file:///w/shared/dist/server/react.1.final.mjs',
    'cart/widget': 'file:///w/cart/dist/server/widget.1.final.mjs',
    'cart/': 'file:///w/cart/dist/server/',
    'cart/deep/': 'file:///w/cart-deep/',
    'cart/blocked/': null,
    'cart/invalid/': 'no-slash-address',
    blocked: null,
    'bad-address': 'not a url',
  },
  scopes: {
    'file:///w/legacy/dist/server/': { react: 'file:///w/old-shared/dist/server/react.0.final.mjs', 'cart/': null },
    'file:///w/legacy/dist/server/special.mjs': { 'cart/widget': 'file:///w/special/widget.mjs' },
  },
  integrity: {},
};
const parsed = parseImportMap(map, 'file:///w/');

/** The spec-exact answer in the hook's shape: { url } or { url: null } where the spec throws on a mapped entry. */
function expectedHit(specifier: string, parent: string): { url: string | null } | undefined {
  try {
    return { url: resolveSpecifier(specifier, parsed, parent.replace(/\?.*$/, '')) };
  } catch (error) {
    return /cannot resolve the bare specifier/.test((error as Error).message) ? undefined : { url: null };
  }
}

describe('the resolve hook table, generated from the parsed map', () => {
  const parents = [
    'file:///w/host/dist/server/entry.mjs',
    'file:///w/legacy/dist/server/x.mjs',
    'file:///w/legacy/dist/server/x.mjs?esmx=abc',
    'file:///w/legacy/dist/server/special.mjs',
  ];
  const specifiers = [
    'react',
    'cart/widget',
    'cart/other.mjs',
    'cart/deep/x.mjs',
    'cart/a b.mjs',
    'cart/../../../etc/passwd.mjs',
    'cart/deep/../escape.mjs',
    'cart/%2e%2e/x.mjs',
    'cart/blocked/x.mjs',
    'cart/invalid/x.mjs',
    'blocked',
    'bad-address',
    'lodash',
  ];
  const cases = parents.flatMap((parent) => specifiers.map((specifier) => [specifier, parent] as [string, string]));

  it.each(cases)('resolves %s from %s exactly as the spec-exact resolver does', async (specifier, parent) => {
    const hooks = await loadHooks();
    const table = createLoaderTable(parsed, {});
    expect(hooks.resolveBare(specifier, parent, table)).toEqual(expectedHit(specifier, parent));
  });

  it('blocks a prefix match that backtracks above its address, where plain concatenation would escape it', async () => {
    const hooks = await loadHooks();
    const table = createLoaderTable(parsed, {});
    const parent = 'file:///w/host/dist/server/entry.mjs';
    expect(hooks.resolveBare('cart/../../../etc/passwd.mjs', parent, table)).toEqual({ url: null });
    expect(hooks.resolveBare('cart/a b.mjs', parent, table)).toEqual({ url: 'file:///w/cart/dist/server/a%20b.mjs' });
  });

  it('leaves unmapped specifiers to Node and reports blocked ones as null, in scopes too', async () => {
    const hooks = await loadHooks();
    const table = createLoaderTable(parsed, {});
    expect(hooks.resolveBare('lodash', 'file:///w/host/dist/server/entry.mjs', table)).toBeUndefined();
    expect(hooks.resolveBare('blocked', 'file:///w/host/dist/server/entry.mjs', table)).toEqual({ url: null });
    expect(hooks.resolveBare('cart/x.mjs', 'file:///w/legacy/dist/server/x.mjs', table)).toEqual({ url: null });
  });

  it('lists prefixes longest first (equal lengths in descending code-unit order) and roots with a trailing slash', () => {
    const table = createLoaderTable(parsed, { 'file:///w/cart/dist/server': 'k1', 'file:///w/cart/dist/server/sub/': 'k2' });
    expect(table.imports.prefixes.map(([key]) => key)).toEqual(['cart/invalid/', 'cart/blocked/', 'cart/deep/', 'cart/']);
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
