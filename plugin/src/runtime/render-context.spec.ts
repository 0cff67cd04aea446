import { runInNewContext } from 'node:vm';
import type { BuildManifest, ImportMap } from '../protocol/types';
import { parseImportMap, resolveSpecifier } from '../import-map/index';
import { collectPageAssets, parseClientMap } from './compose';
import { escapeAttribute, serializeForScript } from './escape';
import { createPagePieces, describeLinkedModules } from './page-pieces';
import { createRenderContext, renderPart } from './render-context';
import { renderShimTags } from './shim';
import { decodeStaticPath } from './static-files';

const params = { url: '/', method: 'GET', headers: {} };

function manifest(name: string, partial: Partial<BuildManifest>): BuildManifest {
  return {
    protocol: 2, name, version: '1.0.0', target: 'client', provides: {}, uses: [], exports: {}, scopes: {}, files: [], chunks: {}, integrity: {},
    ...partial,
  };
}

describe('serializeForScript', () => {
  it('escapes what could end or confuse an inline script and stays JSON', () => {
    const value = { s: '</script><!--\u2028\u2029&>' };
    const out = serializeForScript(value);
    expect(out).toBe('{"s":"\\u003c/script\\u003e\\u003c!--\\u2028\\u2029\\u0026\\u003e"}');
    expect(JSON.parse(out)).toEqual(value);
    expect(runInNewContext(`(${out})`)).toEqual(value);
    expect(serializeForScript(undefined)).toBe('null');
  });
  it('escapes attributes', () => {
    expect(escapeAttribute(`a"b'<c>&`)).toBe('a&quot;b&#39;&lt;c&gt;&amp;');
  });
});

describe('decodeStaticPath', () => {
  it.each([
    ['widget.1a2b3c4d.final.mjs', 'widget.1a2b3c4d.final.mjs'],
    ['chunks/a%20b.mjs', 'chunks/a b.mjs'],
    ['%E2%9C%93.css', '\u2713.css'],
  ])('decodes %s', (raw, path) => expect(decodeStaticPath(raw)).toEqual({ path }));

  it.each(['', '../x', 'a/../b', './a', 'a//b', '%2e%2e/x', '%252e', 'a%2fb', 'a%5cb', 'a\\b', 'a%00', 'a\0', '%zz', 'C:/x', 'c:%5cx', '/etc/passwd'])(
    'rejects %j with 400',
    (raw) => expect(decodeStaticPath(raw)).toEqual({ status: 400 }),
  );
});

describe('renderPart', () => {
  it('returns the part, or the fallback with the error logged', async () => {
    const logs: string[] = [];
    expect(await renderPart(() => 'ok', 'fb', (l) => logs.push(l))).toBe('ok');
    expect(await renderPart(async () => 'later', 'fb', (l) => logs.push(l))).toBe('later');
    expect(logs).toEqual([]);
    expect(await renderPart(() => { throw new Error('nope'); }, 'fb', (l) => logs.push(l))).toBe('fb');
    expect(await renderPart(() => Promise.reject(new Error('late')), (e) => `<p>${(e as Error).message}</p>`, (l) => logs.push(l))).toBe('<p>late</p>');
    expect(logs).toHaveLength(2);
    expect(logs[0]).toMatch(/^\[esmx:ssr\] a page part failed and its fallback was rendered: Error: nope\n\s+at /);
  });
});

describe('render context', () => {
  const map: ImportMap = { imports: { 'host/entry.client': '/host/e.mjs' }, scopes: {}, integrity: { '/host/e.mjs': 'sha384-x' } };
  const assets = {
    entry: 'host/entry.client',
    modules: [{ href: '/host/e.mjs', integrity: 'sha384-x' }, { href: '/host/c.mjs' }],
    css: [{ href: '/host/a.css' }],
    fonts: [{ href: '/host/f.woff2' }],
  };
  const pieces = createPagePieces(map, assets, { mode: 'auto', src: '/_esmx/s.final.js', integrity: 'sha384-s' });

  it('renders every helper without a nonce', () => {
    const rc = createRenderContext(params, '/', undefined, pieces);
    expect(rc.importmap()).toBe(
      '<script type="importmap">{"imports":{"host/entry.client":"/host/e.mjs"},"scopes":{},"integrity":{"/host/e.mjs":"sha384-x"}}</script>' +
        '<script>HTMLScriptElement.supports&&HTMLScriptElement.supports("importmap")||document.head.appendChild(Object.assign(document.createElement("script"),' +
        '{src:"/_esmx/s.final.js",integrity:"sha384-s",crossOrigin:"anonymous",async:true}))</script>',
    );
    expect(rc.modulePreload()).toBe(
      '<link rel="modulepreload" href="/host/e.mjs" integrity="sha384-x" crossorigin="anonymous"><link rel="modulepreload" href="/host/c.mjs">',
    );
    expect(rc.css()).toBe('<link rel="stylesheet" href="/host/a.css">');
    expect(rc.preload()).toBe('<link rel="preload" as="style" href="/host/a.css"><link rel="preload" as="font" href="/host/f.woff2" crossorigin="anonymous">');
    expect(rc.moduleEntry()).toBe('<script type="module">import "host/entry.client";</script>');
    expect(rc.state('s', { a: 1 })).toBe('<script>window["s"]={"a":1};</script>');
    expect([rc.status, rc.html, rc.redirect, rc.base, rc.nonce]).toEqual([200, '', null, '/', undefined]);
  });

  it('puts the nonce on every inline script and link it emits', () => {
    const rc = createRenderContext(params, '/', 'n0nce"', pieces);
    const all = rc.importmap() + rc.modulePreload() + rc.moduleEntry() + rc.state('s', 1);
    const tags = all.match(/<(script|link)\b[^>]*>/g)!;
    expect(tags).toHaveLength(6);
    for (const tag of tags) expect(tag).toContain(' nonce="n0nce&quot;"');
    expect(rc.importmap()).toContain(',nonce:"n0nce\\""}');
  });

  it('renders the shim tags per mode', () => {
    expect(renderShimTags('never', '/s.js', 'sha384-s', undefined)).toBe('');
    expect(renderShimTags('always', '/s.js', 'sha384-s', 'n')).toBe(
      '<script async src="/s.js" integrity="sha384-s" crossorigin="anonymous" nonce="n"></script>',
    );
  });
});

describe('collectPageAssets', () => {
  it('links the stylesheets of dynamically imported remotes (and what they import), without preloading their scripts', () => {
    const manifests = {
      host: manifest('host', {
        exports: { 'entry.client': { name: 'entry.client', pkg: false, file: 'e.mjs', identifier: 'host/entry.client' } },
        chunks: { 'entry.client': { js: 'e.mjs', css: ['e.css'], resources: [], imports: [], externals: ['ui/button'], lazyExternals: ['cart/widget'] } },
      }),
      cart: manifest('cart', {
        exports: { widget: { name: 'widget', pkg: false, file: 'w.mjs', identifier: 'cart/widget' } },
        chunks: { widget: { js: 'w.mjs', css: ['w.css'], resources: ['f.woff2'], imports: ['chunks/w2.mjs'], externals: ['ui/button'] } },
      }),
      ui: manifest('ui', {
        exports: { button: { name: 'button', pkg: false, file: 'b.mjs', identifier: 'ui/button' } },
        chunks: { button: { js: 'b.mjs', css: ['b.css'], resources: [], imports: [], externals: [] } },
      }),
    };
    const urls = { host: '/host/', cart: '/cart/', ui: '/ui/' };
    const map: ImportMap = {
      imports: { 'host/entry.client': '/host/e.mjs', 'cart/widget': '/cart/w.mjs', 'ui/button': '/ui/b.mjs' },
      scopes: {},
      integrity: {},
    };
    expect(collectPageAssets('host', manifests, urls, parseClientMap(map))).toEqual({
      entry: 'host/entry.client',
      modules: [{ href: '/host/e.mjs' }, { href: '/ui/b.mjs' }],
      css: [{ href: '/host/e.css' }, { href: '/ui/b.css' }, { href: '/cart/w.css' }],
      fonts: [{ href: '/cart/f.woff2' }],
    });
  });

  it('follows externals through the map (scopes included) and dedupes files', () => {
    const manifests = {
      host: manifest('host', {
        exports: { 'entry.client': { name: 'entry.client', pkg: false, file: 'e.mjs', identifier: 'host/entry.client' } },
        chunks: { 'entry.client': { js: 'e.mjs', css: ['e.css'], resources: ['logo.png', 'f.woff2'], imports: ['c.mjs'], externals: ['cart/widget', 'lib'] } },
        integrity: { 'e.mjs': 'sha384-e' },
      }),
      cart: manifest('cart', {
        exports: { widget: { name: 'widget', pkg: false, file: 'w.mjs', identifier: 'cart/widget' } },
        chunks: { widget: { js: 'w.mjs', css: [], resources: [], imports: [], externals: ['lib'] } },
      }),
      p1: manifest('p1', {
        exports: { lib: { name: 'lib', pkg: true, file: 'lib1.mjs', identifier: 'lib' } },
        chunks: { lib: { js: 'lib1.mjs', css: [], resources: [], imports: [], externals: [] } },
      }),
      p2: manifest('p2', {
        exports: { lib: { name: 'lib', pkg: true, file: 'lib2.mjs', identifier: 'lib' } },
        chunks: { lib: { js: 'lib2.mjs', css: [], resources: [], imports: ['x.mjs'], externals: [] } },
      }),
    };
    const urls = { host: '/host/', cart: 'https://cdn.example/cart/', p1: '/p1/', p2: '/p2/' };
    const map: ImportMap = {
      imports: { 'host/entry.client': '/host/e.mjs', 'cart/widget': 'https://cdn.example/cart/w.mjs', lib: '/p1/lib1.mjs' },
      scopes: { 'https://cdn.example/cart/': { lib: '/p2/lib2.mjs' } },
      integrity: {},
    };
    expect(collectPageAssets('host', manifests, urls, parseClientMap(map))).toEqual({
      entry: 'host/entry.client',
      modules: [
        { href: '/host/e.mjs', integrity: 'sha384-e' },
        { href: '/host/c.mjs' },
        { href: 'https://cdn.example/cart/w.mjs' },
        { href: '/p2/lib2.mjs' },
        { href: '/p2/x.mjs' },
        { href: '/p1/lib1.mjs' },
      ],
      css: [{ href: '/host/e.css' }],
      fonts: [{ href: '/host/f.woff2' }],
    });
  });

  it('is empty for a host without a client entry', () => {
    expect(collectPageAssets('host', { host: manifest('host', {}) }, { host: '/host/' }, parseClientMap({ imports: {}, scopes: {}, integrity: {} }))).toEqual({
      modules: [],
      css: [],
      fonts: [],
    });
  });
});

describe('linked modules on the render context', () => {
  it('lists the host first, then every module by name, with what each provides', () => {
    const modules = describeLinkedModules('shell', {
      shared: manifest('shared', { version: '2.0.0', provides: { 'react-dom': { version: '19.3.1' }, react: { version: '19.3.1' } } }),
      cart: manifest('cart', {}),
      shell: manifest('shell', { version: '0.1.0' }),
    });
    expect(modules).toEqual([
      { name: 'shell', version: '0.1.0', provides: {} },
      { name: 'cart', version: '1.0.0', provides: {} },
      { name: 'shared', version: '2.0.0', provides: { react: '19.3.1', 'react-dom': '19.3.1' } },
    ]);
    const pieces = createPagePieces({ imports: {}, scopes: {}, integrity: {} }, { modules: [], css: [], fonts: [] }, { mode: 'never', src: '', integrity: '' }, modules);
    const rc = createRenderContext(params, '/', undefined, pieces);
    expect(rc.modules).toBe(modules);
    expect(Object.isFrozen(rc.modules[2].provides)).toBe(true);
  });
});

describe('the page-asset walk resolves externals with the spec-exact resolver', () => {
  const chunk = (js: string, externals: string[]) => ({ js, css: [], resources: [], imports: [], externals });
  const exportOf = (name: string, file: string, identifier: string) => ({ name, pkg: false, file, identifier });
  const manifests = {
    host: manifest('host', {
      exports: { 'entry.client': exportOf('entry.client', 'e.mjs', 'host/entry.client') },
      chunks: { 'entry.client': chunk('e.mjs', ['lib/a.mjs', 'lib/./z.mjs', 'lib/../../host/secret.mjs', 'off', 'legacy/x.mjs']) },
    }),
    lib: manifest('lib', {
      exports: { a: exportOf('a', 'a.mjs', 'lib/a.mjs'), z: exportOf('z', 'z.mjs', 'lib/z.mjs') },
      chunks: { a: chunk('a.mjs', []), z: chunk('z.mjs', []) },
    }),
    legacy: manifest('legacy', {
      exports: { x: exportOf('x', 'x.mjs', 'legacy/x.mjs') },
      chunks: { x: chunk('x.mjs', []) },
    }),
    host2: manifest('host2', {
      exports: { secret: exportOf('secret', 'secret.mjs', 'host/secret.mjs') },
      chunks: { secret: chunk('secret.mjs', []) },
    }),
  };
  const urls = { host: '/host/', lib: '/lib/', legacy: '/legacy/', host2: '/host/' };
  const map: ImportMap = {
    imports: {
      'lib/': '/lib/',
      // A null entry blocks resolution: the spec throws, so nothing is preloaded for it.
      off: null as unknown as string,
      'legacy/': '/legacy/',
    },
    // A null scope entry blocks too, without falling back to "imports".
    scopes: { '/host/': { 'legacy/': null as unknown as string } },
    integrity: {},
  };

  it('follows prefix matches as URLs (`lib/./z.mjs` is lib/z), and neither a backtracking match nor a null entry', () => {
    const assets = collectPageAssets('host', manifests, urls, parseClientMap(map));
    expect(assets.modules).toEqual([{ href: '/host/e.mjs' }, { href: '/lib/a.mjs' }, { href: '/lib/z.mjs' }]);
  });

  it('agrees with resolveSpecifier for every external of the walk', () => {
    const parsed = parseImportMap(map, 'http://page.invalid/');
    const resolve = (specifier: string) => {
      try {
        return resolveSpecifier(specifier, parsed, 'http://page.invalid/host/e.mjs');
      } catch {
        return undefined;
      }
    };
    expect(manifests.host.chunks['entry.client'].externals.map(resolve)).toEqual([
      'http://page.invalid/lib/a.mjs',
      'http://page.invalid/lib/z.mjs',
      undefined,
      undefined,
      undefined,
    ]);
  });
});

describe('tag builders with hostile values (a crafted manifest, link file or option)', () => {
  const HOSTILE = `"><script>alert(1)</script>'&`;
  const ESCAPED = '&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;&#39;&amp;';
  const map: ImportMap = { imports: { [`x/${HOSTILE}`]: `/x/${HOSTILE}` }, scopes: {}, integrity: { [`/x/${HOSTILE}`]: HOSTILE } };
  const assets = {
    entry: `x/${HOSTILE}`,
    modules: [{ href: `/x/${HOSTILE}`, integrity: HOSTILE }],
    css: [{ href: `/x/${HOSTILE}.css`, integrity: HOSTILE }],
    fonts: [{ href: `/x/${HOSTILE}.woff2` }],
  };
  const noScriptTag = (html: string) => expect(html).not.toMatch(/<script>alert|<\/script>alert|'&(?!amp;|#39;|quot;|lt;|gt;)/);

  it.each([undefined, HOSTILE])('escapes every attribute of modulePreload, css and preload (nonce %j)', (nonce) => {
    const rc = createRenderContext(params, '/', nonce, createPagePieces(map, assets, { mode: 'never', src: '', integrity: '' }));
    const n = nonce ? ` nonce="${ESCAPED}"` : '';
    expect(rc.modulePreload()).toBe(`<link rel="modulepreload" href="/x/${ESCAPED}" integrity="${ESCAPED}" crossorigin="anonymous"${n}>`);
    expect(rc.css()).toBe(`<link rel="stylesheet" href="/x/${ESCAPED}.css" integrity="${ESCAPED}" crossorigin="anonymous"${n}>`);
    expect(rc.preload()).toBe(
      `<link rel="preload" as="style" href="/x/${ESCAPED}.css" integrity="${ESCAPED}" crossorigin="anonymous"${n}>` +
        `<link rel="preload" as="font" href="/x/${ESCAPED}.woff2" crossorigin="anonymous"${n}>`,
    );
    for (const html of [rc.modulePreload(), rc.css(), rc.preload()]) noScriptTag(html);
  });

  it.each([undefined, HOSTILE])('keeps the import map, module entry and state inside their script (nonce %j)', (nonce) => {
    const rc = createRenderContext(params, '/', nonce, createPagePieces(map, assets, { mode: 'never', src: '', integrity: '' }));
    for (const html of [rc.importmap(), rc.moduleEntry(), rc.state(HOSTILE, HOSTILE)]) {
      // One script element, closed once at the very end: nothing in a value can end it early.
      expect(html.match(/<\/script>/g)).toHaveLength(1);
      expect(html.endsWith('</script>')).toBe(true);
    }
    expect(JSON.parse(rc.importmap().replace(/^<script[^>]*>|<\/script>$/g, ''))).toEqual(map);
  });

  it('escapes the shim tags in both modes', () => {
    expect(renderShimTags('always', `/s/${HOSTILE}`, HOSTILE, HOSTILE)).toBe(
      `<script async src="/s/${ESCAPED}" integrity="${ESCAPED}" crossorigin="anonymous" nonce="${ESCAPED}"></script>`,
    );
    const auto = renderShimTags('auto', `/s/${HOSTILE}`, HOSTILE, HOSTILE);
    expect(auto.match(/<\/script>/g)).toHaveLength(1);
    expect(auto.startsWith(`<script nonce="${ESCAPED}">`)).toBe(true);
    const props = auto.slice(auto.indexOf('{src:'), auto.lastIndexOf('}') + 1);
    expect(runInNewContext(`(${props})`)).toEqual({ src: `/s/${HOSTILE}`, integrity: HOSTILE, crossOrigin: 'anonymous', async: true, nonce: HOSTILE });
  });
});
