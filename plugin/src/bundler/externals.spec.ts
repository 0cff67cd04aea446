import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ModuleInfo, Resolution } from '../protocol/types';
import { BUILT_IN_FRAMEWORKS, DEFAULT_FRAMEWORK } from '../frameworks/index';
import { createRspackConfig } from './create-rspack-config';
import { createExternalsPlan, findUnlinkedImport, listIdentifiers, matchExternal, takeNestedCopyWarnings } from './externals';

function info(name: string, root: string, exports: ModuleInfo['exports'], extra: Partial<ModuleInfo> = {}): ModuleInfo {
  return {
    name,
    version: '1.0.0',
    root,
    packageJsonPath: `${root}/package.json`,
    entry: { client: false, server: false },
    exports,
    provides: [],
    singletons: [],
    uses: [],
    ranges: {},
    ...extra,
  };
}

const wire = (specifier: string, provider: string) => ({ specifier, package: specifier.split('/')[0], provider, version: '19.3.1', major: 19 });

const resolution: Resolution = {
  module: 'shell',
  diagnostics: [],
  supply: {
    groups: [],
    wiring: { shell: { react: wire('react', 'shared'), 'react/jsx-runtime': wire('react/jsx-runtime', 'shared') } },
  },
  mounts: {
    shell: { name: 'shell', via: 'self', built: false },
    cart: { name: 'cart', via: 'node_modules', built: true },
    '@acme/remote': { name: '@acme/remote', via: 'link', url: 'https://cdn.example/remote/', built: true },
  },
  modules: {
    shell: info('shell', '/ws/shell', [
      { name: 'ui', client: './src/ui.tsx', server: './src/ui.tsx' },
      { name: 'index', client: './src/index.ts', server: './src/index.ts' },
      { name: 'view', client: './src/view/index.tsx', server: './src/view.server.tsx' },
      { name: 'legacy', client: './src/legacy.cjs.ts', server: false },
    ]),
    cart: info('cart', '/ws/cart', [{ name: 'widget', client: './src/widget.tsx', server: './src/widget.tsx' }]),
  },
};

describe('externals', () => {
  const plan = createExternalsPlan(resolution);
  const match = (request: string, target: 'client' | 'server' = 'client', context = '/ws/shell/src', issuer = '/ws/shell/src/app.tsx') =>
    matchExternal(plan, target, request, context, issuer);

  it('lists export identifiers with the index alias', () => {
    expect(listIdentifiers(resolution.modules.shell)).toEqual(['shell/ui', 'shell/index', 'shell', 'shell/view', 'shell/legacy']);
  });

  it('keeps wired specifiers and used-module exports bare, bundles the rest', () => {
    expect(match('react')).toBe('react');
    expect(match('react/jsx-runtime')).toBe('react/jsx-runtime');
    expect(match('react-dom')).toBeUndefined();
    expect(match('react/compiler-runtime')).toBeUndefined();
    expect(match('cart/widget')).toBe('cart/widget');
    expect(match('cart/unknown')).toBe('cart/unknown');
    expect(match('@acme/remote/panel')).toBe('@acme/remote/panel');
    expect(match('@acme/other')).toBeUndefined();
    expect(match('shell')).toBe('shell');
    expect(match('lodash')).toBeUndefined();
    // Bare specifiers from inside node_modules too: react-dom's require('react') must reach the provider.
    expect(match('react', 'client', '/ws/node_modules/react-dom', '/ws/node_modules/react-dom/cjs/x.js')).toBe('react');
  });

  it('maps relative requests to the module own exports per target, but never the entry itself', () => {
    expect(match('./ui')).toBe('shell/ui');
    expect(match('./ui.js')).toBe('shell/ui');
    expect(match('./ui.tsx')).toBe('shell/ui');
    expect(match('../src/ui', 'server', '/ws/shell/src')).toBe('shell/ui');
    expect(match('./view')).toBe('shell/view');
    expect(match('./view', 'server')).toBeUndefined();
    expect(match('./view.server', 'server')).toBe('shell/view');
    expect(match('.', 'client', '/ws/shell/src')).toBe('shell/index');
    expect(match('./ui.css')).toBeUndefined();
    expect(match('./app')).toBeUndefined();
    expect(match('/ws/shell/src/ui.tsx', 'client', '/ws/shell/src', '')).toBeUndefined();
    expect(match('./ui', 'client', '/ws/node_modules/x', '/ws/node_modules/x/a.js')).toBeUndefined();
    // Folders and index files, from below; an absolute path; names that are no export's.
    expect(match('..', 'client', '/ws/shell/src/view')).toBe('shell/index');
    expect(match('../view', 'client', '/ws/shell/src/view')).toBe('shell/view');
    expect(match('./index.js', 'client', '/ws/shell/src/view')).toBe('shell/view');
    expect(match('/ws/shell/src/ui.tsx')).toBe('shell/ui');
    expect(match('./legacy.cjs')).toBe('shell/legacy');
    expect(match('./legacy.cjs.js')).toBe('shell/legacy');
    expect(match('./stamp')).toBeUndefined();
    expect(match('../shell/src/uix')).toBeUndefined();
  });
});

describe('findUnlinkedImport', () => {
  it('names an installed esmx module outside the closure, and only that', () => {
    const ws = mkdtempSync(join(tmpdir(), 'esmx-unlinked-'));
    try {
      const install = (name: string, pkg: object) => {
        mkdirSync(join(ws, 'node_modules', name), { recursive: true });
        writeFileSync(join(ws, 'node_modules', name, 'package.json'), JSON.stringify({ name, ...pkg }));
      };
      install('admin', { esmx: { exports: { './panel': './src/panel.ts' } } });
      install('lodash', { main: 'index.js' });
      install('cart', { esmx: { exports: { './widget': './src/widget.tsx' } } });
      const root = join(ws, 'shell');
      const plan = createExternalsPlan({ ...resolution, modules: { ...resolution.modules, shell: { ...resolution.modules.shell, root, packageJsonPath: join(root, 'package.json') } } });
      const check = (request: string, issuer = join(root, 'src/app.tsx')) => findUnlinkedImport(plan, request, join(root, 'src'), issuer);
      const message = check('admin/panel?raw');
      expect(message).toContain('error E_NOT_LINKED [esmx:build] shell: src/app.tsx imports "admin/panel", but "admin" is not in the esmx.uses of shell');
      expect(message).toContain(`fix:      add "admin" to esmx.uses in ${join(root, 'package.json')}, or remove the import`);
      expect(check('lodash')).toBeUndefined();
      expect(check('cart/widget')).toBeUndefined();
      expect(check('left-pad')).toBeUndefined();
      expect(check('./admin')).toBeUndefined();
      expect(check('admin/panel', join(ws, 'node_modules/lodash/index.js'))).toBeUndefined();
      expect(check('admin/panel', '')).toBeUndefined();
    } finally {
      rmSync(ws, { recursive: true, force: true });
    }
  });
});

describe('a dependency with its own copy of a provided package at another major', () => {
  it('keeps that copy bundled (not rewired), keeps the same major external, and warns once with W_NESTED_MAJOR', () => {
    const dir = mkdtempSync(join(tmpdir(), 'esmx-nested-'));
    try {
      const pkg = (path: string, version: string) => {
        mkdirSync(join(dir, path), { recursive: true });
        writeFileSync(join(dir, path, 'package.json'), JSON.stringify({ name: path.split('node_modules/').at(-1), version }));
      };
      pkg('node_modules/react', '19.3.1');
      pkg('node_modules/old-ui', '1.0.0');
      pkg('node_modules/old-ui/node_modules/react', '18.3.1');
      pkg('node_modules/new-ui', '1.0.0');
      const plan = createExternalsPlan(resolution);
      const oldUi = join(dir, 'node_modules/old-ui/dist');
      const newUi = join(dir, 'node_modules/new-ui/dist');
      expect(matchExternal(plan, 'client', 'react', oldUi, join(oldUi, 'index.js'))).toBeUndefined();
      expect(matchExternal(plan, 'client', 'react/jsx-runtime', oldUi, join(oldUi, 'button.js'))).toBeUndefined();
      expect(matchExternal(plan, 'client', 'react', newUi, join(newUi, 'index.js'))).toBe('react');
      const warnings = takeNestedCopyWarnings(plan);
      expect(warnings.map((d) => [d.code, d.severity, d.package])).toEqual([['W_NESTED_MAJOR', 'warning', 'react']]);
      expect(warnings[0].message).toBe(
        `[esmx:build] shell: old-ui imports its own react@18.3.1 (${join(dir, 'node_modules/old-ui/node_modules/react')}), ` +
          'while shared provides react@19.3.1: that copy stays bundled, not rewired',
      );
      // Reported once, however many files of the dependency import it and however many rebuilds follow.
      expect(takeNestedCopyWarnings(plan)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("the build's externals function", () => {
  it('answers each file of the module alike from what it answered before, but names every importing file in an error', async () => {
    const ws = mkdtempSync(join(tmpdir(), 'esmx-externals-fn-'));
    try {
      mkdirSync(join(ws, 'node_modules/admin'), { recursive: true });
      writeFileSync(join(ws, 'node_modules/admin/package.json'), JSON.stringify({ name: 'admin', esmx: { exports: { './panel': './src/panel.ts' } } }));
      const root = join(ws, 'shell');
      const shell = { ...resolution.modules.shell, root, packageJsonPath: join(root, 'package.json') };
      const plan = createExternalsPlan({ ...resolution, modules: { ...resolution.modules, shell } });
      const config = createRspackConfig({
        root,
        name: 'shell',
        mode: 'production',
        target: 'client',
        entries: [],
        externals: plan,
        outputPath: join(ws, 'out'),
        DefinePlugin: class {} as never,
        framework: BUILT_IN_FRAMEWORKS.find((f) => f.name === DEFAULT_FRAMEWORK)!,
      });
      const externals = (config.externals as Array<(data: object, callback: (error?: Error | null, result?: string) => void) => void>)[0];
      const ask = (request: string, file: string) =>
        new Promise<string | undefined>((resolve, reject) =>
          externals({ request, context: join(root, 'src'), contextInfo: { issuer: join(root, 'src', file) } }, (error, result) =>
            error ? reject(error) : resolve(result),
          ),
        );
      for (const file of ['a.tsx', 'b.tsx']) {
        expect(await ask('react', file)).toBe('react');
        expect(await ask('./ui', file)).toBe('shell/ui');
        expect(await ask('./helpers', file)).toBeUndefined();
        await expect(ask('admin/panel', file)).rejects.toThrow(`shell: src/${file} imports "admin/panel", but "admin" is not in the esmx.uses of shell`);
      }
    } finally {
      rmSync(ws, { recursive: true, force: true });
    }
  });
});
