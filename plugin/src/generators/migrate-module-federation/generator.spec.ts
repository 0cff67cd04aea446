import type { Tree } from '@nx/devkit';
import { logger, readJson, readNxJson } from '@nx/devkit';
import { join } from 'node:path';
import { createFixtureTree, snapshotChanges } from '../../testing/fixture-tree';
import { migrateModuleFederationGenerator } from './generator';

const NX23 = join(__dirname, 'fixtures', 'nx23-react-ssr');
const migrate = (tree: Tree, options: Record<string, unknown> = {}) => migrateModuleFederationGenerator(tree, { skipInstall: true, ...options });

describe('@esmx/nx:migrate-module-federation', () => {
  let tree: Tree;
  let printed: string[];
  beforeEach(() => {
    tree = createFixtureTree(NX23);
    printed = [];
    jest.spyOn(logger, 'info').mockImplementation((message) => void printed.push(String(message)));
    jest.spyOn(logger, 'warn').mockImplementation((message) => void printed.push(String(message)));
  });
  afterEach(() => jest.restoreAllMocks());

  it('prints what it changed and what is left to do by hand', async () => {
    await migrate(tree);
    const output = printed.join('\n');
    expect(output).toContain('[esmx:generate] migrated from Module Federation: cart (remote), shell (host), shop (remote); shared packages → shared.');
    expect(output).toContain('  - apps/shell/package.json: npm-workspace package shell (host), uses shared, shop, cart');
    expect(output).toContain('  - root package.json: removed @module-federation/enhanced, @module-federation/node, @nx/module-federation');
    expect(output).toContain('[esmx:generate] not migrated (1); do these by hand:');
    expect(output).toMatch(/apps\/shell\/rspack\.config\.prod\.ts: production remote URLs \(shop → http:\/\/localhost:4201\/, cart → http:\/\/localhost:4202\/\) are not carried over\.\n {4}todo: /);
  });

  it('turns every app into an npm-workspace esmx module and registers the plugin', async () => {
    await migrate(tree);
    expect(readJson(tree, 'package.json').workspaces).toEqual(['libs/*', 'apps/*']);
    expect(readNxJson(tree)?.plugins).toEqual(['@esmx/nx/plugin']);
    for (const name of ['shell', 'shop', 'cart']) expect(readJson(tree, `apps/${name}/package.json`).name).toBe(name);
    expect(readJson(tree, 'libs/shared/package.json').esmx.provides).toContain('react');
    // init adds the Rspack version the plugin builds with, in place of the removed MF one.
    expect(readJson(tree, 'package.json').devDependencies['@rspack/core']).toMatch(/^~2\.3\./);
    expect(readJson(tree, 'package.json').devDependencies['@nx/module-federation']).toBeUndefined();
  });

  it('keeps each replaced file as <file>.mf-backup, and the application code untouched', async () => {
    const app = tree.read('apps/shell/src/app/app.tsx', 'utf-8');
    const config = tree.read('apps/shell/module-federation.config.ts', 'utf-8');
    await migrate(tree);
    expect(tree.exists('apps/shell/module-federation.config.ts')).toBe(false);
    expect(tree.read('apps/shell/module-federation.config.ts.mf-backup', 'utf-8')).toBe(config);
    expect(tree.exists('apps/shell/src/bootstrap.tsx.mf-backup')).toBe(true);
    expect(tree.read('apps/shell/src/app/app.tsx', 'utf-8')).toBe(app);
    expect(app).toContain("React.lazy(() => import('shop/Module'))");
  });

  it('--no-backup removes the replaced files without copies', async () => {
    await migrate(tree, { backup: false });
    expect(tree.exists('apps/shell/rspack.config.ts')).toBe(false);
    expect(tree.listChanges().some((change) => change.path.endsWith('.mf-backup'))).toBe(false);
  });

  it('refuses a config computed in code, naming file, line and fix, and writes nothing', async () => {
    tree.write(
      'apps/shop/module-federation.config.ts',
      "export default { name: 'shop', exposes: process.env.EXPOSE ? { './Module': './src/remote-entry.ts' } : {} };\n",
    );
    const before = snapshotChanges(tree);
    const error = await migrate(tree).then(() => undefined, (e: Error) => e);
    expect(error?.message).toMatch(
      /^\[esmx:generate\] cannot read apps\/shop\/module-federation\.config\.ts without running it \(line 1\): expected an object literal as `exposes`, found `process\.env\.EXPOSE \? .*`\. [^\n]*\n {2}fix: write that value as a literal in apps\/shop\/module-federation\.config\.ts/,
    );
    expect(error?.stack).toBe('');
    expect(snapshotChanges(tree)).toEqual(before);
  });

  it('refuses a remote name that is not an npm package name and writes nothing', async () => {
    tree.write('apps/cart/module-federation.config.ts', "export default { name: 'Cart_App', exposes: { './Module': './src/remote-entry.ts' } };\n");
    const before = snapshotChanges(tree);
    await expect(migrate(tree)).rejects.toThrow(/found "Cart_App" in apps\/cart\/module-federation\.config\.ts: it contains capital letters\.\n {2}fix: rename it first/);
    expect(snapshotChanges(tree)).toEqual(before);
  });

  it('a second run finds nothing left to migrate and says so', async () => {
    await migrate(tree);
    await expect(migrate(tree)).rejects.toThrow(/expected at least one Nx project with a module-federation\.config\.ts/);
  });
});
