import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkTargets, hasErrors, packageNameOf, readModule, resolveModule } from './index';
import { findInstalledVersion } from './installed-version';
import type { Diagnostic, DiagnosticCode, Resolution } from './types';
import { makeTempDir, moduleDir, writeModuleSet, type ModuleSpec } from './fixtures/write-module-set';

let setRoot: string;
beforeEach(() => {
  setRoot = makeTempDir('resolve');
});
afterEach(() => {
  fs.rmSync(setRoot, { recursive: true, force: true });
});

function dirOf(name: string): string {
  return moduleDir(setRoot, { name });
}

function resolveIn(modules: ModuleSpec[], rootName: string, options: Parameters<typeof resolveModule>[1] = {}): Resolution {
  writeModuleSet(setRoot, modules);
  return resolveModule(dirOf(rootName), options);
}

/** Exactly one diagnostic with this code, with the exact fields given, a tagged message and a fix. */
function expectOne(resolution: Resolution, code: DiagnosticCode, fields: Partial<Diagnostic>): Diagnostic {
  const found = resolution.diagnostics.filter((d) => d.code === code);
  expect(found).toHaveLength(1);
  const [d] = found;
  expect(d).toMatchObject(fields);
  expect(d.message.startsWith(`[esmx:protocol] ${d.module}: `)).toBe(true);
  expect(d.message.length).toBeGreaterThan(`[esmx:protocol] ${d.module}: `.length + 10);
  expect(d.fix.length).toBeGreaterThan(10);
  return d;
}

const shared = (extra: Partial<ModuleSpec> = {}): ModuleSpec => ({
  name: 'shared',
  esmx: { provides: ['react', 'react/jsx-runtime'] },
  dependencies: { react: '^19.0.0' },
  installed: { react: '19.3.1' },
  built: true,
  ...extra,
});

describe('resolveModule: healthy sets', () => {
  it('mounts the closure through node_modules symlinks (realpath) and wires every consumer to the provider', () => {
    const r = resolveIn(
      [
        { name: 'host', esmx: { entry: { client: './src/entry.client.ts', server: './src/entry.server.ts' }, uses: ['cart', 'shared'] }, dependencies: { react: '^19.1.0' }, files: ['src/entry.client.ts', 'src/entry.server.ts'] },
        { name: 'cart', esmx: { exports: { './widget': './src/widget.tsx' }, uses: ['shared'] }, peerDependencies: { react: '>=19 <20' }, built: true },
        shared(),
      ],
      'host',
    );
    expect(r.diagnostics).toEqual([]);
    expect(r.module).toBe('host');
    expect(Object.keys(r.modules)).toEqual(['host', 'cart', 'shared']);
    expect(r.mounts.cart).toEqual({
      name: 'cart',
      via: 'node_modules',
      root: dirOf('cart'),
      clientDir: path.join(dirOf('cart'), 'dist/client'),
      serverDir: path.join(dirOf('cart'), 'dist/server'),
      built: true,
      declaredBy: 'host',
    });
    expect(r.mounts.host).toMatchObject({ via: 'self', root: dirOf('host'), built: false });
    expect(r.supply.groups).toEqual([
      { package: 'react', major: 19, version: '19.3.1', provider: 'shared', specifiers: ['react', 'react/jsx-runtime'] },
    ]);
    const toShared = (specifier: string) => ({ specifier, package: 'react', provider: 'shared', version: '19.3.1', major: 19 });
    expect(r.supply.wiring).toEqual({
      host: { react: toShared('react'), 'react/jsx-runtime': toShared('react/jsx-runtime') },
      cart: { react: toShared('react'), 'react/jsx-runtime': toShared('react/jsx-runtime') },
      shared: { react: toShared('react'), 'react/jsx-runtime': toShared('react/jsx-runtime') },
    });
  });

  it('accepts a diamond: the same provider reached twice is mounted once', () => {
    const r = resolveIn(
      [
        { name: 'host', esmx: { uses: ['a', 'b'] } },
        { name: 'a', esmx: { uses: ['shared'] }, built: true },
        { name: 'b', esmx: { uses: ['shared'] }, built: true },
        shared(),
      ],
      'host',
    );
    expect(r.diagnostics).toEqual([]);
    expect(Object.keys(r.mounts)).toEqual(['host', 'a', 'b', 'shared']);
    expect(r.mounts.shared.declaredBy).toBe('a');
    expect(r.supply.groups.map((g) => g.provider)).toEqual(['shared']);
    expect(Object.keys(r.supply.wiring)).toEqual(['host', 'a', 'b', 'shared']);
    expect(r.supply.wiring.b.react.provider).toBe('shared');
  });

  it('finds a used module from the DECLARING module root, not from the root module', () => {
    writeModuleSet(setRoot, [
      { name: 'host', esmx: { uses: ['cart'] } },
      { name: 'cart', esmx: { uses: ['inner'] }, built: true },
      { name: 'inner', dir: 'elsewhere/inner', esmx: { exports: { '.': './index.ts' } }, built: true, linked: false },
    ]);
    fs.mkdirSync(path.join(dirOf('cart'), 'node_modules'), { recursive: true });
    fs.symlinkSync(path.join(setRoot, 'elsewhere/inner'), path.join(dirOf('cart'), 'node_modules/inner'));
    const r = resolveModule(dirOf('host'));
    expect(r.diagnostics).toEqual([]);
    expect(r.mounts.inner).toMatchObject({ via: 'node_modules', root: path.join(setRoot, 'elsewhere/inner'), declaredBy: 'cart' });
  });

  it('reads the provided version from node_modules/<pkg>/package.json walking up, even when exports hide it', () => {
    writeModuleSet(setRoot, [shared({ installed: {} })], { hoisted: { react: '19.2.0' } });
    expect(findInstalledVersion('react', dirOf('shared'))).toBe('19.2.0');
    expect(findInstalledVersion('left-pad', dirOf('shared'))).toBeUndefined();
    const r = resolveModule(dirOf('shared'));
    expect(r.supply.groups[0]).toMatchObject({ package: 'react', version: '19.2.0', provider: 'shared' });
  });

  it('takes the package part of a specifier', () => {
    expect(packageNameOf('react/jsx-runtime')).toBe('react');
    expect(packageNameOf('@scope/a/b/c')).toBe('@scope/a');
    expect(packageNameOf('@scope/a')).toBe('@scope/a');
    expect(packageNameOf('lodash')).toBe('lodash');
  });
});

describe('resolveModule: supply problems', () => {
  it('reports a duplicate provider of one (package, major), naming both', () => {
    const r = resolveIn(
      [
        { name: 'host', esmx: { uses: ['a', 'b'] }, dependencies: { react: '^19.0.0' } },
        shared({ name: 'a', installed: { react: '19.1.0' } }),
        shared({ name: 'b', installed: { react: '19.3.1' } }),
      ],
      'host',
    );
    const d = expectOne(r, 'E_DUP_PROVIDER', {
      severity: 'error',
      module: 'b',
      package: 'react',
      found: 'a (19.1.0), b (19.3.1)',
      required: 'exactly one provider of react@19',
    });
    expect(d.message).toBe('[esmx:protocol] b: react@19 has two providers in the uses closure of host: a (19.1.0) and b (19.3.1)');
    expect(d.fix).toContain('remove "react" from esmx.provides of b');
    expect(r.diagnostics).toHaveLength(1);
    expect(r.supply.groups.map((g) => g.provider)).toEqual(['a']);
    // Each provider still wires its own copy to itself.
    expect(r.supply.wiring.b.react.provider).toBe('b');
    expect(r.supply.wiring.host.react.provider).toBe('a');
  });

  it('lets two majors coexist (W_MULTI_MAJOR) and wires each consumer by its own range', () => {
    const r = resolveIn(
      [
        { name: 'host', esmx: { uses: ['old', 'legacy', 'shared', 'plain'] }, dependencies: { react: '^19.0.0' } },
        { name: 'old', esmx: { uses: ['legacy', 'shared'] }, dependencies: { react: '^18.2.0' }, built: true },
        { name: 'plain', esmx: { uses: ['legacy', 'shared'] }, built: true },
        shared({ name: 'legacy', installed: { react: '18.3.1' }, dependencies: { react: '^18.0.0' } }),
        shared(),
      ],
      'host',
    );
    expectOne(r, 'W_MULTI_MAJOR', {
      severity: 'warning',
      module: 'host',
      package: 'react',
      found: '18.3.1 (legacy), 19.3.1 (shared)',
    });
    expectOne(r, 'W_NO_RANGE', {
      severity: 'warning',
      module: 'plain',
      package: 'react',
      found: 'no range',
      required: 'a semver range for react that picks one of 19.3.1 (shared), 18.3.1 (legacy)',
    });
    expect(hasErrors(r.diagnostics)).toBe(false);
    expect(r.supply.groups.map((g) => `${g.package}@${g.major}←${g.provider}`)).toEqual(['react@18←legacy', 'react@19←shared']);
    expect(r.supply.wiring.host.react).toMatchObject({ provider: 'shared', version: '19.3.1' });
    expect(r.supply.wiring.old.react).toMatchObject({ provider: 'legacy', version: '18.3.1', major: 18 });
    expect(r.supply.wiring.plain.react).toMatchObject({ provider: 'shared', major: 19 });
    expect(r.supply.wiring.legacy.react.provider).toBe('legacy');
  });

  it('reports a version out of range with what was found and what was required', () => {
    const r = resolveIn([{ name: 'host', esmx: { uses: ['shared'] }, dependencies: { react: '^18.2.0' } }, shared()], 'host');
    const d = expectOne(r, 'E_VERSION', { severity: 'error', module: 'host', package: 'react', found: '19.3.1 (shared)', required: '^18.2.0' });
    expect(d.message).toBe('[esmx:protocol] host: requires react@^18.2.0, but its uses closure provides 19.3.1 (shared)');
    expect(d.fix).toContain('"^19.3.1"');
    expect(r.supply.wiring.host).toEqual({});
  });

  it('takes peerDependencies when dependencies has no range', () => {
    const r = resolveIn([{ name: 'host', esmx: { uses: ['shared'] }, peerDependencies: { react: '^17' } }, shared()], 'host');
    expectOne(r, 'E_VERSION', { module: 'host', required: '^17' });
  });

  it('reports a provided package that is not installed at the provider (E_TARGET_MISSING)', () => {
    const r = resolveIn([{ name: 'host', esmx: { uses: ['shared'] } }, shared({ installed: {} })], 'host');
    const d = expectOne(r, 'E_TARGET_MISSING', { module: 'shared', package: 'react', found: 'not installed', required: 'react installed for shared' });
    expect(d.fix).toContain('npm install react');
    expect(r.supply.groups).toEqual([]);
  });

  it('warns when @types/<pkg> drifts from the major the consumer is wired to (W_TYPE_DRIFT)', () => {
    const r = resolveIn(
      [{ name: 'host', esmx: { uses: ['shared'] }, dependencies: { react: '^19.0.0' }, devDependencies: { '@types/react': '^18.3.0' } }, shared()],
      'host',
    );
    const d = expectOne(r, 'W_TYPE_DRIFT', { module: 'host', package: '@types/react', found: '^18.3.0', required: '^19' });
    expect(d.fix).toContain('"@types/react": "^19"');
  });
});

describe('resolveModule: graph problems', () => {
  it('reports a cycle with its path', () => {
    const r = resolveIn(
      [
        { name: 'host', esmx: { uses: ['a'] } },
        { name: 'a', esmx: { uses: ['b'] }, built: true },
        { name: 'b', esmx: { uses: ['a'] }, built: true },
      ],
      'host',
    );
    const d = expectOne(r, 'E_CYCLE', { module: 'a', found: 'a → b → a', required: 'an acyclic uses graph (a module cannot reach itself through uses)' });
    expect(d.message).toBe('[esmx:protocol] a: modules use each other in a cycle: a → b → a');
    expect(r.diagnostics).toHaveLength(1);
  });

  it('reports a cycle through the root once', () => {
    const r = resolveIn(
      [
        { name: 'host', esmx: { uses: ['a'] } },
        { name: 'a', esmx: { uses: ['host'] }, built: true },
      ],
      'host',
    );
    expectOne(r, 'E_CYCLE', { module: 'host', found: 'host → a → host' });
  });

  it('reports a used module that is not installed (E_NOT_LINKED)', () => {
    const r = resolveIn([{ name: 'host', esmx: { uses: ['ghost'] } }], 'host');
    const d = expectOne(r, 'E_NOT_LINKED', {
      severity: 'error',
      module: 'host',
      package: 'ghost',
      found: 'not found',
      required: 'node_modules/ghost (a workspace symlink or an installed package) or an explicit link',
    });
    expect(d.fix).toBe('add "ghost" to the dependencies of host and run npm install, or pass a link: links: { "ghost": "<dir or https URL>" }');
    expect(r.mounts.ghost).toBeUndefined();
  });

  it('warns about an unbuilt used module, or fails with requireBuilt', () => {
    const modules: ModuleSpec[] = [{ name: 'host', esmx: { uses: ['cart'] } }, { name: 'cart', esmx: { exports: { './w': './w.ts' } } }];
    const r = resolveIn(modules, 'host');
    const d = expectOne(r, 'E_NOT_BUILT', { severity: 'warning', module: 'cart', found: 'no dist/client/manifest.json', required: 'dist/client/manifest.json' });
    expect(d.fix).toBe('build it first: npx nx run cart:build');
    expect(r.mounts.cart.built).toBe(false);
    expect(hasErrors(r.diagnostics)).toBe(false);
    const strict = resolveModule(dirOf('host'), { requireBuilt: true });
    expectOne(strict, 'E_NOT_BUILT', { severity: 'error', module: 'cart' });
    expect(hasErrors(strict.diagnostics)).toBe(true);
  });

  it('reports the schema errors of a used module under its own name', () => {
    const r = resolveIn([{ name: 'host', esmx: { uses: ['cart'] } }, { name: 'cart', esmx: { exports: { './ui': 'src/ui.ts' } }, built: true }], 'host');
    const d = expectOne(r, 'E_SCHEMA', { module: 'cart', found: '"src/ui.ts"', required: 'a path starting with "./", relative to the module root' });
    expect(d.message).toBe('[esmx:protocol] cart: esmx.exports["./ui"] must start with "./"');
    expect(d.fix).toBe('write esmx.exports["./ui"] as "./src/ui.ts"');
    expect(r.mounts.cart).toBeDefined();
    expect(r.modules.cart).toBeUndefined();
  });

  it('reports the root module\'s own invalid package.json without a supply table', () => {
    const r = resolveIn([{ name: 'host', raw: '{ "name": "host", "esmx": { "uses": ["a",] } }' }], 'host');
    expect(r.diagnostics).toHaveLength(1);
    expect(r.diagnostics[0]).toMatchObject({ code: 'E_SCHEMA', module: path.join(dirOf('host'), 'package.json') });
    expect(r.diagnostics[0].message).toContain('line 1, column 42 (position 41): unexpected "]"');
    expect(r.supply).toEqual({ groups: [], wiring: {} });
    expect(r.mounts).toEqual({});
  });

  it('reports a used name that resolves to a package with another name', () => {
    writeModuleSet(setRoot, [{ name: 'host', esmx: { uses: ['cart'] } }, { name: 'shop', esmx: {}, built: true }]);
    fs.symlinkSync(dirOf('shop'), path.join(setRoot, 'node_modules/cart'));
    const r = resolveModule(dirOf('host'));
    expectOne(r, 'E_NOT_LINKED', { module: 'host', package: 'cart', found: `"shop" at ${dirOf('shop')}`, required: 'a package named "cart"' });
  });
});

describe('resolveModule: explicit links', () => {
  const unlinked: ModuleSpec[] = [
    { name: 'host', esmx: { uses: ['cart'] } },
    { name: 'cart', dir: 'remote/cart', esmx: { uses: ['shared'] }, built: true, linked: false },
    shared({ dir: 'remote/shared', linked: false }),
  ];

  it('mounts a directory link relative to the root module, and an absolute one, for transitive uses too', () => {
    writeModuleSet(setRoot, unlinked);
    const r = resolveModule(dirOf('host'), { links: { cart: '../../remote/cart', shared: path.join(setRoot, 'remote/shared') } });
    expect(r.diagnostics).toEqual([]);
    expect(r.mounts.cart).toMatchObject({ via: 'link', link: '../../remote/cart', root: path.join(setRoot, 'remote/cart'), built: true, declaredBy: 'host' });
    expect(r.mounts.shared).toMatchObject({ via: 'link', root: path.join(setRoot, 'remote/shared'), declaredBy: 'cart' });
    expect(r.supply.wiring.host.react.provider).toBe('shared');
  });

  it('lets a link override node_modules', () => {
    writeModuleSet(setRoot, [...unlinked, { name: 'cart', dir: 'local/cart', esmx: {}, built: true }]);
    const r = resolveModule(dirOf('host'), { links: { cart: '../../remote/cart', shared: '../../remote/shared' } });
    expect(r.mounts.cart.root).toBe(path.join(setRoot, 'remote/cart'));
  });

  it('mounts a URL link without reading it from disk', () => {
    writeModuleSet(setRoot, unlinked);
    const r = resolveModule(dirOf('host'), { links: { cart: 'https://cdn.example.com/cart' } });
    expect(r.diagnostics).toEqual([]);
    expect(r.mounts.cart).toEqual({ name: 'cart', via: 'link', url: 'https://cdn.example.com/cart/', built: true, declaredBy: 'host', link: 'https://cdn.example.com/cart' });
    expect(r.modules.cart).toBeUndefined();
    expect(r.mounts.shared).toBeUndefined();
  });

  it('reports a link to a directory without a package.json, once however many modules use it', () => {
    writeModuleSet(setRoot, [{ ...unlinked[0], esmx: { uses: ['shared', 'cart'] } }, ...unlinked.slice(1)]);
    fs.rmSync(path.join(setRoot, 'remote/shared'), { recursive: true });
    const r = resolveModule(dirOf('host'), { links: { cart: '../../remote/cart', shared: '../nowhere' } });
    const d = expectOne(r, 'E_NOT_LINKED', {
      module: 'host',
      package: 'shared',
      found: '../nowhere',
      required: 'a module directory with a package.json (absolute or relative to the root module) or an http(s) URL',
    });
    expect(d.message).toContain(`has no package.json (looked in ${path.join(setRoot, 'packages/nowhere')})`);
  });
});

describe('checkTargets', () => {
  it('reports each entry/export file that does not exist, accepting extensionless paths', () => {
    writeModuleSet(setRoot, [
      {
        name: 'host',
        esmx: {
          entry: { client: './src/entry.client', server: false },
          exports: { './ui': './src/ui.tsx', './card': { client: './src/card.client.tsx', server: './src/card.server.tsx' } },
        },
        files: ['src/entry.client.tsx', 'src/card.client.tsx'],
      },
    ]);
    const { module } = readModule(dirOf('host'));
    const diagnostics = checkTargets(module!);
    expect(diagnostics.map((d) => [d.code, d.module, d.found])).toEqual([
      ['E_TARGET_MISSING', 'host', 'no such file'],
      ['E_TARGET_MISSING', 'host', 'no such file'],
    ]);
    expect(diagnostics[0].message).toBe(`[esmx:protocol] host: esmx.exports["./ui"] points at ./src/ui.tsx, which does not exist in ${dirOf('host')}`);
    expect(diagnostics[1].message).toContain('esmx.exports["./card"].server points at ./src/card.server.tsx');
    expect(resolveModule(dirOf('host')).diagnostics.filter((d) => d.code === 'E_TARGET_MISSING')).toHaveLength(2);
    expect(resolveModule(dirOf('host'), { checkFiles: false }).diagnostics).toEqual([]);
  });
});
