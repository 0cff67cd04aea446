import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BuildManifest, BuildTarget, ImportMap } from '../protocol/types';
import { composeImportMap, getFileUrl, getModuleBaseUrl, normalizeBase } from './compose-import-map';
import type { ComposeOptions } from './compose-import-map';
import { parseImportMap } from './parse-import-map';
import { resolveSpecifier } from './resolve-specifier';

interface ManifestSpec {
  name: string;
  target?: BuildTarget;
  /** export name → file; a name without `/`-namespace that is listed in `pkg` is a provided specifier. */
  exports?: Record<string, string>;
  pkg?: Record<string, string>;
  scopes?: Record<string, string>;
  provides?: Record<string, string>;
  extraFiles?: string[];
}

function manifestOf(spec: ManifestSpec): BuildManifest {
  const target = spec.target ?? 'client';
  const exports: BuildManifest['exports'] = {};
  for (const [name, file] of Object.entries(spec.exports ?? {})) {
    exports[name] = { name, pkg: false, file, identifier: `${spec.name}/${name}` };
  }
  for (const [specifier, file] of Object.entries(spec.pkg ?? {})) {
    exports[specifier] = { name: specifier, pkg: true, file, identifier: specifier };
  }
  const files = [...Object.values(spec.exports ?? {}), ...Object.values(spec.pkg ?? {}), ...(spec.extraFiles ?? [])].sort();
  return {
    protocol: 2,
    name: spec.name,
    version: '1.0.0',
    target,
    provides: Object.fromEntries(Object.entries(spec.provides ?? {}).map(([pkg, version]) => [pkg, { version }])),
    uses: [],
    exports,
    scopes: spec.scopes ?? {},
    files,
    chunks: {},
    // A recognisable fake digest per file, so each integrity value is traceable to its file.
    integrity: Object.fromEntries(files.map((file) => [file, `sha384-${spec.name}:${file}`])),
  };
}

/** react 19 from `vendor` for most, react 18 from `legacy` for `legacy` itself and `old-widget`. */
function twoMajors(target: BuildTarget = 'client'): BuildManifest[] {
  return [
    manifestOf({
      name: 'vendor',
      target,
      pkg: { react: 'react.19aa19aa.final.mjs', 'react-dom': 'react-dom.19bb19bb.final.mjs' },
      scopes: { react: 'vendor', 'react-dom': 'vendor' },
      provides: { react: '19.3.1', 'react-dom': '19.3.1' },
    }),
    manifestOf({
      name: 'legacy',
      target,
      pkg: { react: 'react.18aa18aa.final.mjs' },
      exports: { widget: 'widget.1e1e1e1e.final.mjs' },
      scopes: { react: 'legacy' },
      provides: { react: '18.3.1' },
      extraFiles: ['chunks/legacy-chunk.2c2c2c2c.final.mjs'],
    }),
    manifestOf({
      name: 'shell',
      target,
      exports: { index: 'index.5a5a5a5a.final.mjs', 'entry.client': 'entry.client.5e5e5e5e.final.mjs' },
      scopes: { react: 'vendor', 'react-dom': 'vendor' },
      extraFiles: ['shell.3c3c3c3c.final.css'],
    }),
    manifestOf({
      name: 'cart',
      target,
      exports: { widget: 'widget.ca7ca7ca.final.mjs' },
      scopes: { react: 'vendor' },
    }),
    manifestOf({
      name: 'old-widget',
      target,
      exports: { index: 'index.01d01d01.final.mjs' },
      scopes: { react: 'legacy' },
    }),
  ];
}

function integrityOf(manifests: BuildManifest[], base: (name: string) => string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of manifests) for (const file of m.files) out[`${base(m.name)}${file}`] = `sha384-${m.name}:${file}`;
  return out;
}

describe('composeImportMap: client, base /', () => {
  const manifests = twoMajors();
  const map = composeImportMap(manifests, { target: 'client' });

  it('maps every export, aliases /index, hoists the majority wiring and scopes the two modules on react 18', () => {
    expect(map.imports).toEqual({
      'cart/widget': '/cart/widget.ca7ca7ca.final.mjs',
      'legacy/widget': '/legacy/widget.1e1e1e1e.final.mjs',
      'old-widget': '/old-widget/index.01d01d01.final.mjs',
      'old-widget/index': '/old-widget/index.01d01d01.final.mjs',
      react: '/vendor/react.19aa19aa.final.mjs',
      'react-dom': '/vendor/react-dom.19bb19bb.final.mjs',
      shell: '/shell/index.5a5a5a5a.final.mjs',
      'shell/entry.client': '/shell/entry.client.5e5e5e5e.final.mjs',
      'shell/index': '/shell/index.5a5a5a5a.final.mjs',
    });
    expect(map.scopes).toEqual({
      '/legacy/': { react: '/legacy/react.18aa18aa.final.mjs' },
      '/old-widget/': { react: '/legacy/react.18aa18aa.final.mjs' },
    });
  });

  it('keys integrity by the final URL of every file of every manifest', () => {
    expect(map.integrity).toEqual(integrityOf(manifests, (name) => `/${name}/`));
    expect(map.integrity['/legacy/chunks/legacy-chunk.2c2c2c2c.final.mjs']).toBe(
      'sha384-legacy:chunks/legacy-chunk.2c2c2c2c.final.mjs',
    );
  });

  it('sorts every key and does not depend on the order of the manifests', () => {
    const sorted = (record: object) => Object.keys(record).join('\n') === Object.keys(record).sort().join('\n');
    expect([map.imports, map.scopes, map.integrity, ...Object.values(map.scopes)].every(sorted)).toBe(true);
    const reversed = composeImportMap([...manifests].reverse(), { target: 'client' });
    expect(JSON.stringify(reversed)).toBe(JSON.stringify(map));
  });

  it('round trip: every identifier resolves to its file, and each module sees its own react', () => {
    const page = 'https://shop.example/';
    const parsed = parseImportMap(JSON.stringify(map), page);
    const fromShell = `${page}shell/entry.client.5e5e5e5e.final.mjs`;
    for (const [identifier, url] of Object.entries(map.imports)) {
      expect([identifier, resolveSpecifier(identifier, parsed, fromShell)]).toEqual([identifier, new URL(url, page).href]);
    }
    const react18 = `${page}legacy/react.18aa18aa.final.mjs`;
    const react19 = `${page}vendor/react.19aa19aa.final.mjs`;
    const seen = (script: string) => resolveSpecifier('react', parsed, `${page}${script}`);
    expect({
      shell: seen('shell/index.5a5a5a5a.final.mjs'),
      cart: seen('cart/widget.ca7ca7ca.final.mjs'),
      vendorReactDom: seen('vendor/react-dom.19bb19bb.final.mjs'),
      legacyWidget: seen('legacy/widget.1e1e1e1e.final.mjs'),
      legacyChunk: seen('legacy/chunks/legacy-chunk.2c2c2c2c.final.mjs'),
      oldWidget: seen('old-widget/index.01d01d01.final.mjs'),
    }).toEqual({
      shell: react19,
      cart: react19,
      vendorReactDom: react19,
      legacyWidget: react18,
      legacyChunk: react18,
      oldWidget: react18,
    });
  });

  it('emits no scope when every module agrees (hoisting)', () => {
    const agreeing = twoMajors().filter((m) => m.name !== 'legacy' && m.name !== 'old-widget');
    const hoisted = composeImportMap(agreeing, { target: 'client' });
    expect(hoisted.scopes).toEqual({});
    expect(hoisted.imports.react).toBe('/vendor/react.19aa19aa.final.mjs');
  });

  it('breaks a tie between two self-wired providers by the higher installed version', () => {
    const providersOnly = twoMajors().filter((m) => m.name === 'vendor' || m.name === 'legacy');
    const tie = composeImportMap(providersOnly, { target: 'client' });
    expect(tie.imports.react).toBe('/vendor/react.19aa19aa.final.mjs');
    expect(tie.scopes).toEqual({ '/legacy/': { react: '/legacy/react.18aa18aa.final.mjs' } });
  });

  it('breaks a tie by semver order, where a prerelease is below its release (rc.10 above rc.2, 19.0.0 above 19.0.0-rc.1)', () => {
    const provider = (name: string, version: string) =>
      manifestOf({ name, pkg: { react: `react.${name}.final.mjs` }, scopes: { react: name }, provides: { react: version } });
    const release = composeImportMap([provider('alpha', '19.0.0-rc.1'), provider('beta', '19.0.0')], { target: 'client' });
    expect(release.imports.react).toBe('/beta/react.beta.final.mjs');
    expect(release.scopes).toEqual({ '/alpha/': { react: '/alpha/react.alpha.final.mjs' } });
    const candidates = composeImportMap([provider('alpha', '19.0.0-rc.2'), provider('beta', '19.0.0-rc.10')], { target: 'client' });
    expect(candidates.imports.react).toBe('/beta/react.beta.final.mjs');
    const unreadable = composeImportMap([provider('alpha', 'next'), provider('beta', '18.0.0')], { target: 'client' });
    expect(unreadable.imports.react).toBe('/beta/react.beta.final.mjs');
  });

  it('lets the majority win even when it is the older major', () => {
    const mostlyLegacy = [
      ...twoMajors(),
      manifestOf({ name: 'old-a', exports: { x: 'x.0000000a.final.mjs' }, scopes: { react: 'legacy' } }),
      manifestOf({ name: 'old-b', exports: { x: 'x.0000000b.final.mjs' }, scopes: { react: 'legacy' } }),
      manifestOf({ name: 'old-c', exports: { x: 'x.0000000c.final.mjs' }, scopes: { react: 'legacy' } }),
    ];
    const composed = composeImportMap(mostlyLegacy, { target: 'client' });
    expect(composed.imports.react).toBe('/legacy/react.18aa18aa.final.mjs');
    expect(composed.scopes).toEqual({
      '/cart/': { react: '/vendor/react.19aa19aa.final.mjs' },
      '/shell/': { react: '/vendor/react.19aa19aa.final.mjs' },
      '/vendor/': { react: '/vendor/react.19aa19aa.final.mjs' },
    });
  });

  it('aliases any export ending in /index, not only the root export', () => {
    const composed = composeImportMap(
      [manifestOf({ name: '@acme/ui', exports: { index: 'index.11111111.final.mjs', 'forms/index': 'forms.22222222.final.mjs' } })],
      { target: 'client' },
    );
    expect(composed.imports).toEqual({
      '@acme/ui': '/@acme/ui/index.11111111.final.mjs',
      '@acme/ui/forms': '/@acme/ui/forms.22222222.final.mjs',
      '@acme/ui/forms/index': '/@acme/ui/forms.22222222.final.mjs',
      '@acme/ui/index': '/@acme/ui/index.11111111.final.mjs',
    });
  });

  it('leaves out a wired specifier the provider does not build for this target (react-dom/server on the client)', () => {
    const manifests = [
      manifestOf({ name: 'vendor', pkg: { react: 'react.19aa19aa.final.mjs' }, scopes: { react: 'vendor', 'react-dom/server': 'vendor' } }),
      manifestOf({ name: 'shell', exports: { index: 'index.5a5a5a5a.final.mjs' }, scopes: { react: 'vendor', 'react-dom/server': 'vendor' } }),
    ];
    const composed = composeImportMap(manifests, { target: 'client' });
    expect(Object.keys(composed.imports)).toEqual(['react', 'shell', 'shell/index']);
  });
});

describe('composeImportMap: base path', () => {
  const manifests = twoMajors();

  it("treats '/shop' and '/shop/' (and 'shop') alike and prefixes every URL, scope and integrity key", () => {
    const withSlash = composeImportMap(manifests, { target: 'client', base: '/shop/' });
    expect(composeImportMap(manifests, { target: 'client', base: '/shop' })).toEqual(withSlash);
    expect(composeImportMap(manifests, { target: 'client', base: 'shop' })).toEqual(withSlash);
    expect(withSlash.imports['cart/widget']).toBe('/shop/cart/widget.ca7ca7ca.final.mjs');
    expect(withSlash.imports.react).toBe('/shop/vendor/react.19aa19aa.final.mjs');
    expect(Object.keys(withSlash.scopes)).toEqual(['/shop/legacy/', '/shop/old-widget/']);
    expect(withSlash.integrity).toEqual(integrityOf(manifests, (name) => `/shop/${name}/`));
  });

  it('integrity under /shop/ matches the URL the browser resolves each import to', () => {
    const composed = composeImportMap(manifests, { target: 'client', base: '/shop' });
    const page = 'https://example.com/shop/products/42';
    const parsed = parseImportMap(composed, page);
    const script = 'https://example.com/shop/shell/index.5a5a5a5a.final.mjs';
    for (const identifier of Object.keys(composed.imports)) {
      const url = resolveSpecifier(identifier, parsed, script);
      expect([identifier, parsed.integrity[url]]).toEqual([identifier, expect.stringMatching(/^sha384-/)]);
    }
    expect(Object.keys(parsed.integrity)).toHaveLength(Object.keys(composed.integrity).length);
  });

  it('normalizeBase', () => {
    expect(['', '/', 'shop', '/shop', '/shop/', '/a/b'].map(normalizeBase)).toEqual(['/', '/', '/shop/', '/shop/', '/shop/', '/a/b/']);
    expect(normalizeBase(undefined)).toBe('/');
    // The two inputs on which the runtime's former copy disagreed: surrounding spaces, and an absolute base URL.
    expect(normalizeBase(' shop ')).toBe('/shop/');
    expect(normalizeBase('https://cdn.example.com/x')).toBe('https://cdn.example.com/x/');
    expect(normalizeBase('https://cdn.example.com/x/')).toBe('https://cdn.example.com/x/');
  });
});

describe('composeImportMap: public URLs (CDN)', () => {
  const manifests = twoMajors();
  const options: ComposeOptions = {
    target: 'client',
    base: '/shop/',
    publicUrls: { cart: 'https://cdn.example.com/cart/', 'old-widget': 'https://cdn.example.com/v2//old-widget' },
  };
  const map = composeImportMap(manifests, options);

  it('keeps the public URL intact (no collapsed //) in imports, scopes and integrity', () => {
    expect(map.imports['cart/widget']).toBe('https://cdn.example.com/cart/widget.ca7ca7ca.final.mjs');
    expect(map.imports['old-widget']).toBe('https://cdn.example.com/v2//old-widget/index.01d01d01.final.mjs');
    expect(map.scopes).toEqual({
      '/shop/legacy/': { react: '/shop/legacy/react.18aa18aa.final.mjs' },
      'https://cdn.example.com/v2//old-widget/': { react: '/shop/legacy/react.18aa18aa.final.mjs' },
    });
    expect(map.integrity).toEqual(
      integrityOf(manifests, (name) =>
        name === 'cart' ? 'https://cdn.example.com/cart/' : name === 'old-widget' ? 'https://cdn.example.com/v2//old-widget/' : `/shop/${name}/`,
      ),
    );
  });

  it('round trip from the page: CDN modules resolve to CDN files with matching integrity, old-widget sees react 18', () => {
    const parsed = parseImportMap(map, 'https://shop.example/shop/');
    const fromShell = 'https://shop.example/shop/shell/index.5a5a5a5a.final.mjs';
    const widget = resolveSpecifier('cart/widget', parsed, fromShell);
    expect(widget).toBe('https://cdn.example.com/cart/widget.ca7ca7ca.final.mjs');
    expect(parsed.integrity[widget]).toBe('sha384-cart:widget.ca7ca7ca.final.mjs');
    expect(resolveSpecifier('react', parsed, 'https://cdn.example.com/cart/widget.ca7ca7ca.final.mjs')).toBe(
      'https://shop.example/shop/vendor/react.19aa19aa.final.mjs',
    );
    expect(resolveSpecifier('react', parsed, 'https://cdn.example.com/v2//old-widget/index.01d01d01.final.mjs')).toBe(
      'https://shop.example/shop/legacy/react.18aa18aa.final.mjs',
    );
  });

  it('adds a scope for a module nested inside another module scope when it must see the global copy', () => {
    const nested = composeImportMap(twoMajors(), {
      target: 'client',
      publicUrls: { 'old-widget': 'https://cdn.example.com/', cart: 'https://cdn.example.com/cart/' },
    });
    expect(nested.scopes).toEqual({
      '/legacy/': { react: '/legacy/react.18aa18aa.final.mjs' },
      'https://cdn.example.com/': { react: '/legacy/react.18aa18aa.final.mjs' },
      'https://cdn.example.com/cart/': { react: '/vendor/react.19aa19aa.final.mjs' },
    });
    const parsed = parseImportMap(nested, 'https://shop.example/');
    expect(resolveSpecifier('react', parsed, 'https://cdn.example.com/cart/widget.ca7ca7ca.final.mjs')).toBe(
      'https://shop.example/vendor/react.19aa19aa.final.mjs',
    );
  });

  it('sees a module inside an outer scope the way the browser does: after URL parsing (host case), not by raw prefix', () => {
    const nested = composeImportMap(twoMajors(), {
      target: 'client',
      publicUrls: { 'old-widget': 'https://CDN.example.com/', cart: 'https://cdn.example.com/cart/' },
    });
    // cart's scripts are under https://cdn.example.com/, old-widget's scope: without its own scope cart would get react 18.
    expect(nested.scopes['https://cdn.example.com/cart/']).toEqual({ react: '/vendor/react.19aa19aa.final.mjs' });
    const parsed = parseImportMap(nested, 'https://shop.example/');
    expect(resolveSpecifier('react', parsed, 'https://cdn.example.com/cart/widget.ca7ca7ca.final.mjs')).toBe(
      'https://shop.example/vendor/react.19aa19aa.final.mjs',
    );
    expect(resolveSpecifier('react', parsed, 'https://cdn.example.com/index.01d01d01.final.mjs')).toBe(
      'https://shop.example/legacy/react.18aa18aa.final.mjs',
    );
  });

  it('rejects a public URL that is neither absolute nor /-rooted', () => {
    expect(() => composeImportMap(manifests, { target: 'client', publicUrls: { cart: 'cdn.example.com/cart/' } })).toThrow(
      '[esmx:import-map] expected publicUrls["cart"] to be an absolute URL or a "/"-rooted path, found "cdn.example.com/cart/". Fix: use e.g. "https://cdn.example.com/cart/".',
    );
  });
});

describe('composeImportMap: server flavour', () => {
  let tmp: string;
  let dirs: Record<string, string>;
  let realDirs: Record<string, string>;

  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'esmx-compose-'));
    dirs = {};
    realDirs = {};
    for (const m of twoMajors('server')) {
      const real = path.join(tmp, 'packages', m.name, 'dist', 'server');
      fs.mkdirSync(path.join(real, 'chunks'), { recursive: true });
      for (const file of m.files) fs.writeFileSync(path.join(real, file), `// ${m.name}/${file}\n`);
      // Consumers reach each module through a workspace-style symlink, as node_modules does.
      const link = path.join(tmp, 'node_modules', m.name);
      fs.mkdirSync(path.dirname(link), { recursive: true });
      fs.symlinkSync(path.join(tmp, 'packages', m.name), link, 'dir');
      dirs[m.name] = path.join(link, 'dist', 'server');
      realDirs[m.name] = fs.realpathSync(real);
    }
  });
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it("uses file:// URLs of the realpath'd directories", () => {
    const map = composeImportMap(twoMajors('server'), { target: 'server', dirs, base: '/ignored/' });
    const urlOf = (name: string) => `${pathToFileURL(realDirs[name]).href}/`;
    expect(map.imports['cart/widget']).toBe(`${urlOf('cart')}widget.ca7ca7ca.final.mjs`);
    expect(map.imports.react).toBe(`${urlOf('vendor')}react.19aa19aa.final.mjs`);
    expect(Object.values(map.imports).every((url) => !url.includes('node_modules'))).toBe(true);
    expect(map.scopes).toEqual({
      [urlOf('legacy')]: { react: `${urlOf('legacy')}react.18aa18aa.final.mjs` },
      [urlOf('old-widget')]: { react: `${urlOf('legacy')}react.18aa18aa.final.mjs` },
    });
    expect(map.integrity).toEqual(integrityOf(twoMajors('server'), urlOf));
    expect(getModuleBaseUrl('cart', { target: 'server', dirs })).toBe(urlOf('cart'));
  });

  it('round trip: every identifier resolves to an existing file, and legacy code sees react 18', () => {
    const map = composeImportMap(twoMajors('server'), { target: 'server', dirs });
    const parsed = parseImportMap(map, pathToFileURL(tmp).href + '/');
    const fromShell = `${pathToFileURL(realDirs.shell).href}/index.5a5a5a5a.final.mjs`;
    for (const identifier of Object.keys(map.imports)) {
      const file = fileURLToPath(resolveSpecifier(identifier, parsed, fromShell));
      expect([identifier, fs.existsSync(file)]).toEqual([identifier, true]);
    }
    const fromLegacyChunk = `${pathToFileURL(realDirs.legacy).href}/chunks/legacy-chunk.2c2c2c2c.final.mjs`;
    expect(fileURLToPath(resolveSpecifier('react', parsed, fromLegacyChunk))).toBe(path.join(realDirs.legacy, 'react.18aa18aa.final.mjs'));
    expect(fileURLToPath(resolveSpecifier('react', parsed, fromShell))).toBe(path.join(realDirs.vendor, 'react.19aa19aa.final.mjs'));
  });

  it('names the module whose directory is missing or absent from dirs', () => {
    const { cart: _cart, ...withoutCart } = dirs;
    expect(() => composeImportMap(twoMajors('server'), { target: 'server', dirs: withoutCart })).toThrow(
      /^\[esmx:import-map\] expected a dist\/server directory for the module "cart" in options\.dirs, found none/,
    );
    expect(() =>
      composeImportMap(twoMajors('server'), { target: 'server', dirs: { ...dirs, cart: path.join(tmp, 'nowhere') } }),
    ).toThrow(/^\[esmx:import-map\] expected the server directory of "cart" to exist, found ".*nowhere" \(ENOENT\)/);
  });
});

describe('composeImportMap: errors', () => {
  const compose = (manifests: BuildManifest[]) => () => composeImportMap(manifests, { target: 'client' });

  it('rejects an identifier claimed by a module and by a provided package, naming both', () => {
    const manifests = [
      manifestOf({ name: 'vendor', pkg: { react: 'react.19aa19aa.final.mjs' } }),
      manifestOf({ name: 'react', exports: { index: 'index.12345678.final.mjs' } }),
    ];
    expect(compose(manifests)).toThrow(
      '[esmx:import-map] expected one owner for the identifier "react", found two: the export "index" of "react" and the provided package of "vendor". ' +
        'Fix: rename the module or stop providing the package under that name.',
    );
  });

  it('rejects an export whose alias collides with another export of the same module', () => {
    const manifests = [manifestOf({ name: 'ui', exports: { forms: 'forms.1.final.mjs', 'forms/index': 'forms-index.2.final.mjs' } })];
    expect(compose(manifests)).toThrow(
      '[esmx:import-map] expected one owner for the identifier "ui/forms", found two: the export "forms" of "ui" and the export "forms/index" of "ui". ' +
        'Fix: rename one of the exports (an "x/index" export also claims "x").',
    );
  });

  it('rejects an identifier outside the module namespace, a duplicate manifest, a wrong target or protocol', () => {
    const stray = manifestOf({ name: 'cart' });
    stray.exports.widget = { name: 'widget', pkg: false, file: 'w.final.mjs', identifier: 'shell/widget' };
    expect(compose([stray])).toThrow(/^\[esmx:import-map\] expected the export "widget" of "cart" to have an identifier starting with "cart\/"/);
    expect(compose([manifestOf({ name: 'cart' }), manifestOf({ name: 'cart' })])).toThrow(
      '[esmx:import-map] expected one client manifest per module, found two for "cart". Fix: link each module once.',
    );
    expect(compose([manifestOf({ name: 'cart', target: 'server' })])).toThrow(
      '[esmx:import-map] expected client manifests, found the server manifest of "cart". Fix: pass the dist/client/manifest.json of every module.',
    );
    const old = { ...manifestOf({ name: 'cart' }), protocol: 1 } as unknown as BuildManifest;
    expect(compose([old])).toThrow(
      '[esmx:import-map] expected protocol 2 in the manifest of "cart", found 1. Fix: rebuild "cart" with this version of @esmx/nx.',
    );
  });

  it('rejects a wiring to a module with no manifest', () => {
    const manifests = [manifestOf({ name: 'shell', exports: { index: 'i.final.mjs' }, scopes: { react: 'vendor' } })];
    expect(compose(manifests)).toThrow(
      '[esmx:import-map] "shell" wires "react" to the module "vendor", found no client manifest for "vendor". ' +
        'Fix: link and build "vendor" (or rebuild "shell" after changing its supply).',
    );
  });
});

describe('getFileUrl', () => {
  it('joins without touching the base and escapes only what would change the URL', () => {
    expect(getFileUrl('https://cdn.example.com//x/', 'chunks/a b#1?.mjs')).toBe('https://cdn.example.com//x/chunks/a%20b%231%3F.mjs');
    expect(getFileUrl('/shop/@acme/ui/', 'index.1234abcd.final.mjs')).toBe('/shop/@acme/ui/index.1234abcd.final.mjs');
  });

  it('an empty import map composes to empty records', () => {
    const empty: ImportMap = composeImportMap([], { target: 'client' });
    expect(empty).toEqual({ imports: {}, scopes: {}, integrity: {} });
  });
});
