import type { Tree } from '@nx/devkit';
import { readJson, readNxJson } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { validateDeclaration } from '../../protocol';
import { appGenerator } from './generator';
import { linkGenerator } from '../link/generator';
import { hostGenerator } from '../host/generator';
import { remoteGenerator } from '../remote/generator';
import type { AppGeneratorSchema } from './schema';

const REACT_PROVIDES = ['react', 'react-dom', 'react-dom/client', 'react-dom/server', 'react/jsx-runtime'];

function createdFiles(tree: Tree, under: string): string[] {
  return tree
    .listChanges()
    .filter((change) => change.type === 'CREATE' && change.path.startsWith(`${under}/`))
    .map((change) => change.path.slice(under.length + 1))
    .sort();
}

function snapshot(tree: Tree): string {
  return JSON.stringify(tree.listChanges().map((change) => [change.path, change.type, change.content?.toString('utf-8')]));
}

async function generate(tree: Tree, options: Partial<AppGeneratorSchema> & { directory: string }): Promise<void> {
  await appGenerator(tree, { role: 'host', framework: 'react', skipInstall: true, ...options } as AppGeneratorSchema);
}

async function createReactWorkspace(tree: Tree): Promise<void> {
  await generate(tree, { directory: 'libs/shared', role: 'provider' });
  await generate(tree, { directory: 'apps/shell', role: 'host', port: 4310 });
}

describe('@esmx/nx:app', () => {
  let tree: Tree;
  beforeEach(() => {
    tree = createTreeWithEmptyWorkspace();
    jest.spyOn(console, 'info').mockImplementation(() => undefined);
    jest.spyOn(console, 'warn').mockImplementation(() => undefined);
  });
  afterEach(() => jest.restoreAllMocks());

  describe('a React provider', () => {
    it('declares the React specifiers explicitly and has no entry', async () => {
      await generate(tree, { directory: 'libs/shared', role: 'provider' });
      expect(readJson(tree, 'libs/shared/package.json')).toEqual({
        name: 'shared',
        version: '0.0.0',
        private: true,
        type: 'module',
        dependencies: { react: '19.3.1', 'react-dom': '19.3.1' },
        esmx: { provides: REACT_PROVIDES },
      });
      expect(createdFiles(tree, 'libs/shared')).toEqual(['jest.config.mjs', 'package.json', 'src/provides.spec.ts', 'tsconfig.json']);
      expect(tree.read('libs/shared/src/provides.spec.ts', 'utf-8')).toContain(`const provided = ${JSON.stringify(REACT_PROVIDES)};`);
      // The specs run with Jest through the plugin's preset.
      expect(tree.read('libs/shared/jest.config.mjs', 'utf-8')).toMatch(/export default \{\n  displayName: 'shared',\n  preset: '@esmx\/nx',\n\};/);
    });

    it('takes --provides as a comma-separated list', async () => {
      await generate(tree, { directory: 'libs/shared', role: 'provider', provides: 'react,react/jsx-runtime' });
      expect(readJson(tree, 'libs/shared/package.json').esmx).toEqual({ provides: ['react', 'react/jsx-runtime'] });
    });

    it('registers the plugin and the workspace glob on the way', async () => {
      await generate(tree, { directory: 'libs/shared', role: 'provider' });
      expect(readNxJson(tree)?.plugins).toEqual(['@esmx/nx/plugin']);
      expect(readJson(tree, 'package.json').workspaces).toEqual(['libs/*']);
      expect(readJson(tree, 'package.json').devDependencies.react).toBe('19.3.1');
    });
  });

  describe('Preact', () => {
    const PREACT_PROVIDES = ['preact', 'preact/hooks', 'preact/jsx-runtime', 'preact-render-to-string'];

    it('a provider shares Preact, its hooks, its JSX runtime and its server renderer, at the tested versions', async () => {
      await generate(tree, { directory: 'libs/ui-kit', role: 'provider', framework: 'preact' });
      expect(readJson(tree, 'libs/ui-kit/package.json')).toMatchObject({
        dependencies: { preact: '11.2.0', 'preact-render-to-string': '6.8.2' },
        esmx: { provides: PREACT_PROVIDES },
      });
      expect(JSON.parse(tree.read('libs/ui-kit/tsconfig.json', 'utf-8') ?? '').compilerOptions).toMatchObject({ jsx: 'react-jsx', jsxImportSource: 'preact' });
    });

    it('a host and a remote use the only Preact provider and write .tsx files for Preact', async () => {
      await generate(tree, { directory: 'libs/ui-kit', role: 'provider', framework: 'preact' });
      await generate(tree, { directory: 'apps/page', role: 'host', framework: 'preact' });
      await generate(tree, { directory: 'apps/counter', role: 'remote', framework: 'preact', host: 'page' });
      expect(readJson(tree, 'apps/counter/package.json')).toMatchObject({
        dependencies: { preact: '11.2.0', 'preact-render-to-string': '6.8.2' },
        esmx: { entry: { client: './src/entry.client.tsx', server: './src/entry.server.tsx' }, framework: 'preact', uses: ['ui-kit'] },
      });
      expect(readJson(tree, 'apps/page/package.json').esmx.uses).toEqual(['ui-kit', 'counter']);
      expect(createdFiles(tree, 'apps/counter')).toEqual([
        'jest.config.mjs',
        'package.json',
        'src/css-modules.d.ts',
        'src/entry.client.tsx',
        'src/entry.server.tsx',
        'src/widget.module.css',
        'src/widget.spec.tsx',
        'src/widget.tsx',
        'tsconfig.json',
      ]);
      expect(tree.read('apps/counter/src/widget.tsx', 'utf-8')).toContain("await import('preact-render-to-string')");
      expect(tree.read('apps/page/src/entry.client.tsx', 'utf-8')).toContain("import { hydrate } from 'preact';");
    });

    it('a provider named like a package it provides is refused (its imports would collide in the import map)', async () => {
      const error = await generate(tree, { directory: 'libs/preact', role: 'provider', framework: 'preact' }).catch((e: Error) => e);
      expect((error as Error).message).toBe(
        '[esmx:generate] expected a module name that differs from the packages it provides, found "preact", which it would also provide as preact: its imports would collide in the import map.\n' +
          '  fix: pass another --name or directory, e.g. --name=shared-preact',
      );
    });

    it('a Preact module without a Preact provider is refused before anything is written', async () => {
      await generate(tree, { directory: 'libs/shared', role: 'provider' });
      const error = await generate(tree, { directory: 'apps/page', framework: 'preact' }).catch((e: Error) => e);
      expect((error as Error).message).toBe(
        '[esmx:generate] expected an esmx module that provides preact (every preact module must share one copy), found none in this workspace.\n' +
          '  fix: generate one first: nx g @esmx/nx:app libs/shared --role=provider --framework=preact, then re-run this command',
      );
      expect(tree.exists('apps/page')).toBe(false);
    });
  });

  describe('a React host', () => {
    it('uses the only React provider, with entries and the port of serve/start', async () => {
      await createReactWorkspace(tree);
      expect(readJson(tree, 'apps/shell/package.json')).toEqual({
        name: 'shell',
        version: '0.0.0',
        private: true,
        type: 'module',
        dependencies: { react: '19.3.1', 'react-dom': '19.3.1', shared: '*' },
        esmx: {
          entry: { client: './src/entry.client.tsx', server: './src/entry.server.tsx' },
          framework: 'react',
          uses: ['shared'],
        },
        nx: { targets: { serve: { options: { port: 4310 } }, start: { options: { port: 4310 } } } },
      });
      expect(createdFiles(tree, 'apps/shell')).toEqual([
        'jest.config.mjs',
        'package.json',
        'src/app.tsx',
        'src/css-modules.d.ts',
        'src/entry.client.tsx',
        'src/entry.server.spec.tsx',
        'src/entry.server.tsx',
        'src/islands.ts',
        'src/remotes.ts',
        'tsconfig.json',
      ]);
    });

    it('renders the page with the runtime helpers, a favicon and the app inside #root, and hydrates the same app', async () => {
      await createReactWorkspace(tree);
      const server = tree.read('apps/shell/src/entry.server.tsx', 'utf-8') ?? '';
      expect(server).toContain("import type { RenderContext } from '@esmx/nx/runtime';");
      expect(server).toContain('export default async function render(rc: RenderContext): Promise<void>');
      const order = ['<link rel="icon" href="data:,">', '${rc.importmap()}', '${rc.modulePreload()}', '${rc.css()}', '<div id="root">${app}</div>', '${remotes}', '${rc.moduleEntry()}'];
      const positions = order.map((piece) => server.indexOf(piece));
      expect(positions.every((position) => position > 0)).toBe(true);
      expect([...positions].sort((a, b) => a - b)).toEqual(positions);
      const client = tree.read('apps/shell/src/entry.client.tsx', 'utf-8');
      expect(client).toBe(
        "import { hydrateRoot } from 'react-dom/client';\nimport { App } from './app';\nimport { hydrateRemotes } from './islands';\n\nhydrateRemotes();\nconst root = document.getElementById('root');\nif (root) hydrateRoot(root, <App />);\n",
      );
    });

    it('takes the name from --name over the directory', async () => {
      await generate(tree, { directory: 'libs/shared', role: 'provider' });
      await generate(tree, { directory: 'apps/web', name: '@acme/shell' });
      expect(readJson(tree, 'apps/web/package.json').name).toBe('@acme/shell');
      expect(tree.read('apps/web/src/app.tsx', 'utf-8')).toContain('<h1>@acme/shell</h1>');
    });
  });

  describe('a remote with --host', () => {
    it('exports ./widget, and the host uses it, depends on it and lists it among its isolated remotes (React into React)', async () => {
      await createReactWorkspace(tree);
      const app = tree.read('apps/shell/src/app.tsx', 'utf-8');
      await generate(tree, { directory: 'apps/cart', role: 'remote', host: 'shell' });
      const remote = readJson(tree, 'apps/cart/package.json');
      expect(remote.esmx).toEqual({
        entry: { client: './src/entry.client.tsx', server: './src/entry.server.tsx' },
        exports: { './widget': './src/widget.tsx' },
        framework: 'react',
        uses: ['shared'],
      });
      expect(remote.exports).toEqual({ './widget': './src/widget.tsx', './package.json': './package.json' });
      expect(createdFiles(tree, 'apps/cart')).toEqual([
        'jest.config.mjs',
        'package.json',
        'src/css-modules.d.ts',
        'src/entry.client.tsx',
        'src/entry.server.tsx',
        'src/widget-view.tsx',
        'src/widget.module.css',
        'src/widget.spec.tsx',
        'src/widget.tsx',
        'tsconfig.json',
      ]);
      const widget = tree.read('apps/cart/src/widget.tsx', 'utf-8') ?? '';
      // The component in a file that exports only components: React Fast Refresh takes its edits in place.
      const view = tree.read('apps/cart/src/widget-view.tsx', 'utf-8') ?? '';
      expect(view).toContain("import { useState } from 'react';");
      expect(view).toContain('<button type="button" className={styles.counter} onClick={() => setCount((value) => value + 1)}>');
      expect(view).not.toMatch(/^export (?!function Widget)/m);
      // The widget contract: server markup without react-dom/server in the browser, hydrate and mount on the shared React.
      expect(widget).toContain("export async function render(): Promise<string> {\n  const { renderToString } = await import('react-dom/server');");
      expect(widget).not.toMatch(/^import .*'react-dom\/server'/m);
      expect(widget).toContain('export function hydrate(element: Element): void {\n  hydrateRoot(element, <Widget />);');
      expect(widget).toContain('export function mount(element: Element): void {\n  createRoot(element).render(<Widget />);');
      const host = readJson(tree, 'apps/shell/package.json');
      expect(host.esmx.uses).toEqual(['shared', 'cart']);
      expect(host.dependencies.cart).toBe('*');
      // An island of its own, not a component of the host's App: loaded dynamically on both sides.
      expect(tree.read('apps/shell/src/app.tsx', 'utf-8')).toBe(app);
      expect(tree.read('apps/shell/src/remotes.ts', 'utf-8')).toContain(
        "export const remotes: Remote[] = [\n  { name: 'cart', load: () => import('cart/widget') },\n  // esmx:widgets",
      );
    });

    it('lists a plain-HTML remote in a React host the same way: one widget contract for both frameworks', async () => {
      await createReactWorkspace(tree);
      await generate(tree, { directory: 'apps/promo', role: 'remote', framework: 'html', host: 'shell' });
      expect(readJson(tree, 'apps/promo/package.json').esmx).toEqual({
        entry: { client: './src/entry.client.ts', server: './src/entry.server.ts' },
        exports: { './widget': './src/widget.ts' },
        framework: 'html',
      });
      expect(readJson(tree, 'apps/promo/package.json').dependencies).toBeUndefined();
      expect(tree.read('apps/shell/src/remotes.ts', 'utf-8')).toContain("  { name: 'promo', load: () => import('promo/widget') },\n");
      expect(tree.exists('apps/shell/src/html-remote.tsx')).toBe(false);
      const widget = tree.read('apps/promo/src/widget.ts', 'utf-8') ?? '';
      expect(widget).toContain('export function render(): string');
      expect(widget).toContain('export function hydrate(element: Element): void');
      expect(widget).toContain('export function mount(element: Element): void');
      expect(widget).toContain("button.addEventListener('click'");
    });

    it('renders and hydrates an HTML remote in an HTML host as an island', async () => {
      await generate(tree, { directory: 'apps/page', framework: 'html' });
      const app = tree.read('apps/page/src/app.ts', 'utf-8');
      await generate(tree, { directory: 'apps/bar', role: 'remote', framework: 'html', host: 'page' });
      expect(tree.read('apps/page/src/app.ts', 'utf-8')).toBe(app);
      expect(tree.read('apps/page/src/remotes.ts', 'utf-8')).toContain("  { name: 'bar', load: () => import('bar/widget') },\n  // esmx:widgets");
      expect(tree.read('apps/page/src/entry.server.ts', 'utf-8')).toContain('const remotes = await renderRemotes(rc);');
      expect(tree.read('apps/page/src/entry.client.ts', 'utf-8')).toContain('hydrateRemotes();');
      expect(readJson(tree, 'apps/page/package.json').esmx.uses).toEqual(['bar']);
    });

    it('lists a React remote in an HTML host too: the island renders it on the server and hydrates it on the shared React', async () => {
      await generate(tree, { directory: 'libs/shared', role: 'provider' });
      await generate(tree, { directory: 'apps/page', framework: 'html' });
      await generate(tree, { directory: 'apps/cart', role: 'remote', host: 'page' });
      expect(readJson(tree, 'apps/page/package.json').esmx.uses).toEqual(['cart']);
      expect(tree.read('apps/page/src/remotes.ts', 'utf-8')).toContain("  { name: 'cart', load: () => import('cart/widget') },\n");
    });

    it('skips the sample import of a remote whose widget lacks the contract, and says what it lacks', async () => {
      const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
      await createReactWorkspace(tree);
      await generate(tree, { directory: 'apps/old', role: 'remote' });
      tree.write('apps/old/src/widget.tsx', 'export function Widget() {\n  return null;\n}\n');
      const before = tree.read('apps/shell/src/remotes.ts', 'utf-8');
      await linkGenerator(tree, { from: 'shell', to: 'old', import: true, skipInstall: true });
      expect(tree.read('apps/shell/src/remotes.ts', 'utf-8')).toBe(before);
      expect(warn.mock.calls.join('\n')).toContain(
        'sample import of old/widget into shell skipped: apps/old/src/widget.tsx does not export render, hydrate, mount; a remote widget exports render(), hydrate(element) and mount(element)',
      );
    });
  });

  describe('a host with --remotes, and the host / remote short forms', () => {
    it('generates each new remote beside the host, links every remote and renders each on the page', async () => {
      await generate(tree, { directory: 'libs/shared', role: 'provider' });
      await generate(tree, { directory: 'apps/promo', role: 'remote' });
      await hostGenerator(tree, { directory: 'apps/shell', framework: 'react', remotes: 'shop,cart,promo', skipInstall: true });
      expect(readJson(tree, 'apps/shell/package.json').esmx.uses).toEqual(['shared', 'shop', 'cart', 'promo']);
      for (const name of ['shop', 'cart']) {
        expect(readJson(tree, `apps/${name}/package.json`).esmx.exports).toEqual({ './widget': './src/widget.tsx' });
      }
      const remotes = tree.read('apps/shell/src/remotes.ts', 'utf-8') ?? '';
      for (const name of ['shop', 'cart', 'promo']) expect(remotes).toContain(`import('${name}/widget')`);
    });

    it('generates a remote linked into its host with the short form', async () => {
      await createReactWorkspace(tree);
      await remoteGenerator(tree, { directory: 'apps/cart', framework: 'react', host: 'shell', skipInstall: true });
      expect(readJson(tree, 'apps/cart/package.json').esmx.exports).toEqual({ './widget': './src/widget.tsx' });
      expect(readJson(tree, 'apps/shell/package.json').esmx.uses).toEqual(['shared', 'cart']);
    });

    it('refuses, before writing anything, a --remotes entry that is an existing module but not a remote, and --remotes on a remote', async () => {
      await generate(tree, { directory: 'libs/shared', role: 'provider' });
      const before = snapshot(tree);
      const refusal = await hostGenerator(tree, { directory: 'apps/shell', framework: 'react', remotes: ['cart', 'shared'], skipInstall: true }).then(
        () => '',
        (e: Error) => e.message,
      );
      expect(refusal).toBe(
        `[esmx:generate] --remotes=shared: expected a remote (a module exporting "./widget"), found a provider (libs/shared/package.json).\n` +
          '  fix: leave "shared" out of --remotes (link it with nx g @esmx/nx:link --from=shell --to=shared if the host should use it), or pick a new name',
      );
      expect(snapshot(tree)).toBe(before);
      const onRemote = await generate(tree, { directory: 'apps/cart', role: 'remote', remotes: 'shop' }).then(
        () => '',
        (e: Error) => e.message,
      );
      expect(onRemote).toContain('--remotes is for a host, found --role=remote.');
      expect(snapshot(tree)).toBe(before);
    });
  });

  describe('workspace globs', () => {
    it('keeps globs that already cover the directory, in either form', async () => {
      tree.write('package.json', JSON.stringify({ name: 'ws', workspaces: { packages: ['apps/**'] } }));
      await generate(tree, { directory: 'apps/team/page', framework: 'html' });
      expect(readJson(tree, 'package.json').workspaces).toEqual({ packages: ['apps/**'] });
    });

    it('adds a top-level directory as itself', async () => {
      tree.write('package.json', JSON.stringify({ name: 'ws', workspaces: ['apps/*'] }));
      await generate(tree, { directory: 'page', framework: 'html' });
      expect(readJson(tree, 'package.json').workspaces).toEqual(['apps/*', 'page']);
    });

    it('reads globs as npm does: `**` spans whole directories only, braces expand', async () => {
      tree.write('package.json', JSON.stringify({ name: 'ws', workspaces: ['apps/**/web', '{libs,tools}/*'] }));
      await generate(tree, { directory: 'libs/page', framework: 'html' });
      expect(readJson(tree, 'package.json').workspaces).toEqual(['apps/**/web', '{libs,tools}/*']);
      await generate(tree, { directory: 'apps/xweb', framework: 'html' });
      expect(readJson(tree, 'package.json').workspaces).toEqual(['apps/**/web', '{libs,tools}/*', 'apps/*']);
    });

    it('adds the directory itself when `<parent>/*` would also bring in a package a `!glob` keeps out', async () => {
      tree.write('apps/legacy/package.json', JSON.stringify({ name: 'legacy' }));
      tree.write('package.json', JSON.stringify({ name: 'ws', workspaces: ['apps/*', '!apps/legacy', '!apps/old-*'] }));
      await generate(tree, { directory: 'apps/old-shop', framework: 'html' });
      expect(readJson(tree, 'package.json').workspaces).toEqual(['apps/*', '!apps/legacy', '!apps/old-*', 'apps/old-shop']);
    });
  });

  describe('bad input fails before writing anything', () => {
    async function expectRefusal(options: Partial<AppGeneratorSchema> & { directory: string }, message: string, fix: string) {
      const before = snapshot(tree);
      const error = await generate(tree, options).then(
        () => undefined,
        (e: Error) => e,
      );
      expect(error?.message).toContain(message);
      expect(error?.message).toContain(`fix: ${fix}`);
      expect(error?.message.startsWith('[esmx:generate] ')).toBe(true);
      expect(snapshot(tree)).toBe(before);
      return error?.message ?? '';
    }

    it('an existing non-empty directory', async () => {
      tree.write('apps/shell/readme.md', 'mine');
      await expectRefusal(
        { directory: 'apps/shell', framework: 'html' },
        'expected apps/shell to be new or empty, found it holds 1 entries (readme.md).',
        'choose a directory that does not exist yet',
      );
    });

    it('a directory outside the workspace, including its parent itself', async () => {
      for (const directory of ['..', '../elsewhere', `${tree.root}/..`]) {
        await expectRefusal(
          { directory, name: 'outside', framework: 'html' },
          'expected a directory inside the workspace for the new module',
          'pass a relative directory such as apps/shell',
        );
      }
    });

    it('a name that is not a valid npm package name', async () => {
      await expectRefusal(
        { directory: 'apps/Shell', framework: 'html' },
        'expected a valid npm package name for the module, found "Shell": it contains capital letters.',
        'pass --name=<lowercase-name>',
      );
      await expectRefusal({ directory: 'apps/x', name: '_x', framework: 'html' }, 'found "_x": it starts with "." or "_"', 'pass --name=');
      await expectRefusal({ directory: 'apps/x', name: 'a b', framework: 'html' }, 'found "a b": it contains characters that are not allowed', 'pass --name=');
    });

    it('the name of a Node.js built-in module, which would shadow it on the server', async () => {
      const cases = [
        { options: { directory: 'apps/http' }, found: 'found "http": "http" is a Node.js built-in module', suggestion: '--name=http-module' },
        { options: { directory: 'apps/x', name: 'fs' }, found: 'found "fs": "fs" is a Node.js built-in module', suggestion: '--name=fs-module' },
        { options: { directory: 'apps/x', name: 'node:fs' }, found: 'found "node:fs": "node:fs" is a Node.js built-in module', suggestion: '--name=fs-module' },
      ];
      for (const { options, found, suggestion } of cases) {
        const message = await expectRefusal({ ...options, framework: 'html' }, found, 'pass --name=<lowercase-name>');
        expect(message).toContain(`e.g. ${suggestion}`);
      }
    });

    it('a name another package has', async () => {
      await generate(tree, { directory: 'apps/page', framework: 'html' });
      await expectRefusal({ directory: 'apps/other', name: 'page', framework: 'html' }, 'found "page" already used by apps/page/package.json', 'pass another --name');
    });

    it('a name an Nx project already has', async () => {
      tree.write('libs/core/project.json', JSON.stringify({ name: 'core', root: 'libs/core' }));
      await expectRefusal({ directory: 'apps/core', framework: 'html' }, 'found the Nx project "core" in libs/core.', 'pass another --name');
    });

    it('--host naming a module that is not an esmx host', async () => {
      await generate(tree, { directory: 'libs/shared', role: 'provider' });
      await expectRefusal(
        { directory: 'apps/cart', role: 'remote', host: 'shared' },
        '--host=shared: expected an esmx host (a module whose esmx.entry declares a client or server entry), found shared without an entry',
        'name a host module (none yet: generate one with --role=host)',
      );
    });

    it('--host naming no project', async () => {
      await expectRefusal(
        { directory: 'apps/cart', role: 'remote', framework: 'html', host: 'nope' },
        '--host=nope: expected the name of an esmx module of this workspace, found no such project (esmx modules: none yet).',
        'pass one of those names',
      );
    });

    it('--host naming a package without an esmx field', async () => {
      tree.write('libs/util/package.json', JSON.stringify({ name: 'util' }));
      await expectRefusal(
        { directory: 'apps/cart', role: 'remote', framework: 'html', host: 'util' },
        '--host=util: expected an esmx module, found the package util (libs/util/package.json) without an "esmx" field',
        'add an "esmx" field to libs/util/package.json',
      );
    });

    it('a React module without a React provider', async () => {
      await expectRefusal(
        { directory: 'apps/shell' },
        'expected an esmx module that provides react (every react module must share one copy), found none in this workspace.',
        'generate one first: nx g @esmx/nx:app libs/shared --role=provider --framework=react',
      );
    });

    it('a React module with two providers and no --uses', async () => {
      await generate(tree, { directory: 'libs/one', role: 'provider' });
      await generate(tree, { directory: 'libs/two', role: 'provider' });
      await expectRefusal({ directory: 'apps/shell' }, 'found 2 providers (one, two) and no --uses naming one.', 'pass --uses=<provider>, e.g. --uses=one');
    });

    it('an html provider without --provides, and --provides on a host', async () => {
      await expectRefusal({ directory: 'libs/lit', role: 'provider', framework: 'html' }, 'expected --provides to list at least one package', 'pass the specifiers to share');
      await expectRefusal({ directory: 'apps/page', framework: 'html', provides: 'lit' }, '--provides lists the packages of a provider', 'drop --provides');
    });

    it('a remote that would use its own host (E_CYCLE)', async () => {
      await generate(tree, { directory: 'apps/page', framework: 'html' });
      await expectRefusal(
        { directory: 'apps/bar', role: 'remote', framework: 'html', host: 'page', uses: 'page' },
        'E_CYCLE: linking page → bar would create the cycle page → bar → page',
        'remove "page" from esmx.uses in apps/bar/package.json first',
      );
    });

    it('--host on a host, and an invalid port', async () => {
      await expectRefusal({ directory: 'apps/page', framework: 'html', host: 'x' }, '--host links a remote into a host, but this module\'s role is host.', 'pass --role=remote');
      await expectRefusal({ directory: 'apps/page', framework: 'html', port: 70000 }, 'expected --port to be a TCP port (1-65535), found 70000.', 'pass e.g. --port=4300');
    });
  });

  it('puts --port on the serve and start targets under the names the plugin options give them', async () => {
    tree.write('nx.json', JSON.stringify({ plugins: [{ plugin: '@esmx/nx/plugin', options: { serveTargetName: 'dev', startTargetName: 'prod' } }] }));
    await generate(tree, { directory: 'apps/page', framework: 'html', port: 4320 });
    expect(readJson(tree, 'apps/page/package.json').nx).toEqual({
      targets: { dev: { options: { port: 4320 } }, prod: { options: { port: 4320 } } },
    });
  });

  it('uses an explicit --uses provider when several exist', async () => {
    await generate(tree, { directory: 'libs/one', role: 'provider' });
    await generate(tree, { directory: 'libs/two', role: 'provider' });
    await generate(tree, { directory: 'apps/shell', uses: ['two'] });
    expect(readJson(tree, 'apps/shell/package.json').esmx.uses).toEqual(['two']);
  });

  it('writes esmx fields the protocol validator accepts, for every role and framework', async () => {
    await createReactWorkspace(tree);
    await generate(tree, { directory: 'apps/cart', role: 'remote', host: 'shell' });
    await generate(tree, { directory: 'apps/promo', role: 'remote', framework: 'html', host: 'shell' });
    await generate(tree, { directory: 'apps/page', framework: 'html', port: 4400 });
    await generate(tree, { directory: 'libs/lit-kit', role: 'provider', framework: 'html', provides: ['lit', 'lit/decorators.js'] });
    const modules = ['libs/shared', 'apps/shell', 'apps/cart', 'apps/promo', 'apps/page', 'libs/lit-kit'];
    const diagnostics = modules.flatMap((dir) => {
      const pkg = readJson(tree, `${dir}/package.json`);
      return validateDeclaration(pkg.esmx, pkg.name);
    });
    expect(diagnostics).toEqual([]);
  });

  it('returns an install task', async () => {
    const task = await appGenerator(tree, { directory: 'apps/page', role: 'host', framework: 'html' });
    expect(typeof task).toBe('function');
  });
});
