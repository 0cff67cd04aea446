import type { Tree } from '@nx/devkit';
import { join } from 'node:path';
import * as ts from 'typescript';
import { createFixtureTree } from '../../../testing/fixture-tree';
import { planMigration } from './plan-migration';
import { readWorkspace } from './read-workspace';

const NX23 = join(__dirname, '..', 'fixtures', 'nx23-react-ssr');
const plan = (tree: Tree, project?: string) => planMigration(readWorkspace(tree, ts, project));
const messageOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('did not throw');
};

describe('planMigration on the workspace Nx 23 generates (host shell, remotes shop and cart, SSR)', () => {
  let tree: Tree;
  beforeEach(() => {
    tree = createFixtureTree(NX23);
  });

  it('one provider shares every npm dependency the apps import (Nx default), subpaths listed, singletons kept single', () => {
    const result = plan(tree);
    expect(result.provider.root).toBe('libs/shared');
    expect(result.provider.packageJson).toEqual({
      name: 'shared',
      version: '0.0.0',
      private: true,
      type: 'module',
      dependencies: { react: '^19.0.0', 'react-dom': '^19.0.0', 'react-router-dom': '6.30.3' },
      esmx: {
        provides: ['react', 'react-dom', 'react-dom/client', 'react-dom/server', 'react-router-dom', 'react-router-dom/server', 'react/jsx-runtime'],
        singletons: ['react-router-dom'],
      },
    });
  });

  it('the host: remotes → esmx.uses (after the provider), entries, its dependencies, its serve port', () => {
    const shell = plan(tree).modules.find((module) => module.name === 'shell');
    expect(shell?.role).toBe('host');
    expect(shell?.packageJson).toEqual({
      name: 'shell',
      version: '0.0.0',
      private: true,
      type: 'module',
      dependencies: { cart: '*', react: '^19.0.0', 'react-dom': '^19.0.0', 'react-router-dom': '6.30.3', shared: '*', shop: '*' },
      esmx: { entry: { client: './src/entry.client.tsx', server: './src/entry.server.tsx' }, uses: ['shared', 'shop', 'cart'] },
      nx: { targets: { serve: { options: { port: 4000 } }, start: { options: { port: 4000 } } } },
    });
  });

  it('a remote: exposes → esmx.exports under the same names, so import("shop/Module") resolves unchanged', () => {
    const shop = plan(tree).modules.find((module) => module.name === 'shop');
    expect(shop?.role).toBe('remote');
    expect(shop?.packageJson.esmx).toEqual({
      entry: { client: './src/entry.client.tsx', server: './src/entry.server.tsx' },
      exports: { './Module': './src/remote-entry.ts' },
      uses: ['shared'],
    });
  });

  it('writes entries from the bootstrap: the client hydrates the same element, the server renders it in a StaticRouter', () => {
    const { writes } = plan(tree);
    const client = writes['apps/shell/src/entry.client.tsx'];
    expect(client).toContain("import App from './app/app';");
    expect(client).toContain("import './styles.css'");
    expect(client).toMatch(/hydrateRoot\(\n {2}document\.getElementById\('root'\) as HTMLElement,\n {2}<StrictMode>\s*<BrowserRouter>\s*<App\/>\s*<\/BrowserRouter>\s*<\/StrictMode>,\n\);/);
    expect(client).not.toContain('createRoot');
    const server = writes['apps/shell/src/entry.server.tsx'];
    expect(server).toContain("import { StaticRouter } from 'react-router-dom/server';");
    expect(server).toMatch(/<StrictMode>\s*<StaticRouter location=\{url\}>\s*<App\/>\s*<\/StaticRouter>\s*<\/StrictMode>/);
    // renderToString would answer with the Suspense fallback of React.lazy(() => import('shop/Module')).
    expect(server).toContain('onAllReady: () => stream.pipe(sink)');
    expect(server).not.toContain('renderToString');
    expect(server).toContain('<title>Shell</title>');
    expect(writes['apps/shop/src/entry.server.tsx']).not.toContain('StaticRouter');
  });

  it('removes the MF, bundler and server files; keeps the app code; drops only the bundler targets of project.json', () => {
    const result = plan(tree);
    expect(result.removes.filter((path) => path.startsWith('apps/shell/'))).toEqual([
      'apps/shell/module-federation.config.ts',
      'apps/shell/module-federation.server.config.ts',
      'apps/shell/rspack.config.prod.ts',
      'apps/shell/rspack.config.ts',
      'apps/shell/server.ts',
      'apps/shell/src/bootstrap.tsx',
      'apps/shell/src/index.html',
      'apps/shell/src/main.server.tsx',
      'apps/shell/src/main.ts',
    ]);
    expect(result.removes.some((path) => /app\.tsx|remote-entry|nx-welcome|styles\.css/.test(path))).toBe(false);
    expect(JSON.parse(result.writes['apps/shop/project.json']).targets).toEqual({});
    expect(JSON.parse(result.writes['apps/shop/project.json']).name).toBe('shop');
  });

  it('removes the MF, bundler and SSR-server dependencies nothing imports any more, and the rspack graph plugin', () => {
    const result = plan(tree);
    expect(result.removedDependencies).toEqual([
      '@module-federation/enhanced',
      '@module-federation/node',
      '@nx/module-federation',
      '@nx/rspack',
      '@rspack/cli',
      '@rspack/core',
      '@rspack/dev-server',
      '@rspack/plugin-react-refresh',
      '@types/express',
      'cors',
      'express',
      'isbot',
    ]);
    // The esmx dev server's React Fast Refresh runtime stays.
    expect(result.rootPackageJson.devDependencies['react-refresh']).toBe('~0.14.0');
    expect(result.rootPackageJson.dependencies).toEqual({ react: '^19.0.0', 'react-dom': '^19.0.0', 'react-router-dom': '6.30.3' });
    expect(result.nxJson.plugins).toEqual([]);
    expect(result.nxJson.targetDefaults).toEqual({});
  });

  it('reports the production remote URLs it does not carry over, with what to do', () => {
    expect(plan(tree).manual).toEqual([
      {
        where: 'apps/shell/rspack.config.prod.ts',
        what: 'production remote URLs (shop → http://localhost:4201/, cart → http://localhost:4202/) are not carried over',
        todo: expect.stringContaining('--links.<remote>=<url>/client/'),
      },
    ]);
  });

  it('an explicit shared list: only those packages (with the subpaths the apps import) are provided', () => {
    tree.write(
      'apps/shell/module-federation.config.ts',
      "export default { name: 'shell', remotes: ['shop', 'cart'], shared: { react: { singleton: true }, 'react-dom': { singleton: true } } };\n",
    );
    for (const remote of ['shop', 'cart']) {
      tree.write(`apps/${remote}/module-federation.config.ts`, `export default { name: '${remote}', exposes: { './Module': './src/remote-entry.ts' }, shared: ['react', 'react-dom'] };\n`);
    }
    const { provider } = plan(tree);
    expect(provider.packageJson.esmx).toEqual({ provides: ['react', 'react-dom', 'react-dom/client', 'react-dom/server', 'react/jsx-runtime'] });
    expect(provider.packageJson.dependencies).toEqual({ react: '^19.0.0', 'react-dom': '^19.0.0' });
  });

  it('--project=<remote> migrates that remote alone and keeps the MF dependencies the others still need', () => {
    const result = plan(tree, 'shop');
    expect(result.modules.map((module) => module.name)).toEqual(['shop']);
    expect(result.removedDependencies).toEqual([]);
    expect(result.nxJson.plugins).toHaveLength(1);
  });

  it('--project=<host> migrates the host and every remote it loads', () => {
    expect(plan(tree, 'shell').modules.map((module) => module.name).sort()).toEqual(['cart', 'shell', 'shop']);
  });

  it('reports run-time remotes (loadRemote, a manifest) and non-React frameworks, and leaves the latter as they are', () => {
    tree.write('apps/shell/src/app/dynamic.ts', "import { loadRemote } from '@module-federation/enhanced/runtime';\nexport const load = () => loadRemote('shop/Module');\n");
    tree.write('apps/cart/src/app/app.tsx', "import { createApp } from 'vue';\nexport default createApp({});\n");
    const result = plan(tree);
    expect(result.modules.map((module) => module.name).sort()).toEqual(['shell', 'shop']);
    expect(result.manual.map((step) => step.where)).toEqual(
      expect.arrayContaining(['apps/shell/src/app/dynamic.ts', 'apps/cart (vue)']),
    );
    expect(result.modules.find((module) => module.name === 'shell')?.packageJson.esmx.uses).toEqual(['shared', 'shop']);
  });
});

describe('planMigration refuses, before any write', () => {
  it('a workspace without Module Federation projects', () => {
    const tree = createFixtureTree(NX23);
    for (const app of ['shell', 'shop', 'cart']) tree.delete(`apps/${app}/module-federation.config.ts`);
    expect(messageOf(() => plan(tree))).toMatch(/^\[esmx:generate\] expected at least one Nx project with a module-federation\.config\.ts .*found none[\s\S]*\n {2}fix: /);
  });

  it('a Module Federation name that is not a valid npm package name, with a suggestion', () => {
    const tree = createFixtureTree(NX23);
    tree.write('apps/shop/module-federation.config.ts', "export default { name: 'shopApp', exposes: { './Module': './src/remote-entry.ts' } };\n");
    const message = messageOf(() => plan(tree));
    expect(message).toContain('found "shopApp" in apps/shop/module-federation.config.ts: it contains capital letters');
    expect(message).toContain('fix: rename it first, e.g. to "shop-app"');
  });

  it('a remote that is neither an app of the workspace nor a [name, url] tuple', () => {
    const tree = createFixtureTree(NX23);
    tree.write('apps/shell/module-federation.config.ts', "export default { name: 'shell', remotes: ['shop', 'cart', 'admin'] };\n");
    expect(messageOf(() => plan(tree))).toContain('found "admin" in apps/shell/module-federation.config.ts without a module-federation.config of its own');
  });

  it('--project naming no Module Federation project', () => {
    const tree = createFixtureTree(NX23);
    expect(messageOf(() => plan(tree, 'nope'))).toContain('--project=nope: expected a project with a module-federation.config, found no such project (Module Federation projects: ');
  });
});
