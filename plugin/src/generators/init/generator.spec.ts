import picomatch from 'picomatch';
import type { Tree } from '@nx/devkit';
import { readJson, readNxJson, updateNxJson } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { initGenerator } from './generator';

function snapshot(tree: Tree): Record<string, string> {
  return Object.fromEntries(
    tree.listChanges().map((change) => [change.path, change.content?.toString('utf-8') ?? '<deleted>']),
  );
}

describe('@esmx/nx:init', () => {
  let tree: Tree;
  beforeEach(() => {
    tree = createTreeWithEmptyWorkspace();
  });

  it('registers the graph plugin and keeps the existing nx.json settings', async () => {
    await initGenerator(tree, {});
    const nxJson = readNxJson(tree);
    expect(nxJson?.plugins).toEqual(['@esmx/nx/plugin']);
    expect(nxJson?.targetDefaults).toEqual({ build: { cache: true }, lint: { cache: true } });
    expect(nxJson?.affected).toEqual({ defaultBase: 'main' });
  });

  it('keeps an existing registration with its options and adds no second one', async () => {
    updateNxJson(tree, {
      ...readNxJson(tree),
      plugins: ['@nx/js', { plugin: '@esmx/nx/plugin', options: { custom: 1 } }],
    });
    await initGenerator(tree, {});
    expect(readNxJson(tree)?.plugins).toEqual(['@nx/js', { plugin: '@esmx/nx/plugin', options: { custom: 1 } }]);
  });

  it('defines the default and production named inputs only where absent', async () => {
    updateNxJson(tree, { ...readNxJson(tree), namedInputs: { production: ['default', '!{projectRoot}/mine'] } });
    await initGenerator(tree, {});
    expect(readNxJson(tree)?.namedInputs).toEqual({
      production: ['default', '!{projectRoot}/mine'],
      default: ['{projectRoot}/**/*'],
    });
  });

  it("leaves specs, the Jest config and dist/ out of the production input (a test-only edit rebuilds no bundle)", async () => {
    await initGenerator(tree, {});
    const production = readNxJson(tree)?.namedInputs?.production as string[];
    const excluded = (file: string) =>
      production.some((input) => input.startsWith('!') && picomatch(input.slice(1).replace('{projectRoot}', 'apps/cart'))(file));
    for (const file of ['apps/cart/jest.config.mjs', 'apps/cart/jest.config.cjs', 'apps/cart/jest.config.ts', 'apps/cart/src/widget.spec.tsx', 'apps/cart/dist/index.mjs']) {
      expect([file, excluded(file)]).toEqual([file, true]);
    }
    for (const file of ['apps/cart/src/widget.tsx', 'apps/cart/package.json', 'apps/cart/tsconfig.json']) expect([file, excluded(file)]).toEqual([file, false]);
  });

  it('adds the pinned development dependencies', async () => {
    await initGenerator(tree, {});
    expect(readJson(tree, 'package.json').devDependencies).toEqual({
      '@jest/globals': '30.5.2',
      '@rspack/core': '~2.3.3',
      '@swc/core': '1.16.22',
      '@swc/jest': '0.2.39',
      '@types/node': '^20.19.0',
      '@types/react': '^19.3.0',
      '@types/react-dom': '^19.3.0',
      'es-module-shims': '2.8.4',
      jest: '30.5.2',
      react: '19.3.1',
      'react-dom': '19.3.1',
      typescript: '~5.9.3',
    });
  });

  it('keeps the versions the user already chose', async () => {
    tree.write('package.json', JSON.stringify({ name: 'ws', devDependencies: { react: '^19.0.0', typescript: '5.8.2' } }));
    await initGenerator(tree, { keepExistingVersions: true });
    const pkg = readJson(tree, 'package.json');
    expect(pkg.devDependencies.react).toBe('^19.0.0');
    expect(pkg.devDependencies.typescript).toBe('5.8.2');
    expect(pkg.devDependencies['react-dom']).toBe('19.3.1');
  });

  it('adds no dependency with --skipPackageJson', async () => {
    await initGenerator(tree, { skipPackageJson: true });
    expect(readJson(tree, 'package.json').devDependencies).toEqual({});
  });

  it('ignores dist in an existing .gitignore, once', async () => {
    tree.write('.gitignore', 'node_modules');
    await initGenerator(tree, {});
    await initGenerator(tree, {});
    expect(tree.read('.gitignore', 'utf-8')).toBe('node_modules\ndist\n');
    tree.write('.gitignore', '**/dist/\n');
    await initGenerator(tree, {});
    expect(tree.read('.gitignore', 'utf-8')).toBe('**/dist/\n');
  });

  it('adds dist when the .gitignore ignores only the root dist: modules build into <module>/dist', async () => {
    tree.write('.gitignore', '/dist\n');
    await initGenerator(tree, {});
    expect(tree.read('.gitignore', 'utf-8')).toBe('/dist\ndist\n');
  });

  it('is idempotent: a second run changes no file', async () => {
    tree.write('.gitignore', 'node_modules\n');
    await initGenerator(tree, {});
    const first = snapshot(tree);
    await initGenerator(tree, {});
    expect(snapshot(tree)).toEqual(first);
  });

  it('returns an install task', async () => {
    const task = await initGenerator(tree, {});
    expect(typeof task).toBe('function');
  });
});
