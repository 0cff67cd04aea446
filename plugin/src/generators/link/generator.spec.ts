import type { Tree } from '@nx/devkit';
import { readJson } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { appGenerator } from '../app/generator';
import type { AppGeneratorSchema } from '../app/schema';
import { linkGenerator } from './generator';

function snapshot(tree: Tree): string {
  return JSON.stringify(tree.listChanges().map((change) => [change.path, change.type, change.content?.toString('utf-8')]));
}

async function generate(tree: Tree, options: Partial<AppGeneratorSchema> & { directory: string }): Promise<void> {
  await appGenerator(tree, { role: 'remote', framework: 'react', skipInstall: true, ...options } as AppGeneratorSchema);
}

async function refusal(tree: Tree, from: string, to: string): Promise<string> {
  const before = snapshot(tree);
  const message = await linkGenerator(tree, { from, to, import: true }).then(
    () => 'no error',
    (error: Error) => error.message,
  );
  expect(snapshot(tree)).toBe(before);
  return message;
}

describe('@esmx/nx:link', () => {
  let tree: Tree;
  beforeEach(async () => {
    jest.spyOn(console, 'info').mockImplementation(() => undefined);
    jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    tree = createTreeWithEmptyWorkspace();
    await generate(tree, { directory: 'libs/shared', role: 'provider' });
    await generate(tree, { directory: 'apps/shell', role: 'host' });
    await generate(tree, { directory: 'apps/cart' });
    await generate(tree, { directory: 'apps/promo', framework: 'html' });
  });
  afterEach(() => jest.restoreAllMocks());

  it('adds uses and the workspace dependency, and nothing else without --import', async () => {
    const app = tree.read('apps/shell/src/app.tsx', 'utf-8');
    await linkGenerator(tree, { from: 'shell', to: 'cart', skipInstall: true });
    const host = readJson(tree, 'apps/shell/package.json');
    expect(host.esmx.uses).toEqual(['shared', 'cart']);
    expect(host.dependencies).toEqual({ cart: '*', react: '19.3.1', 'react-dom': '19.3.1', shared: '*' });
    expect(tree.read('apps/shell/src/app.tsx', 'utf-8')).toBe(app);
  });

  it('with --import lists the remote in the host\'s islands, each remote once', async () => {
    const app = tree.read('apps/shell/src/app.tsx', 'utf-8');
    await linkGenerator(tree, { from: 'shell', to: 'cart', import: true, skipInstall: true });
    await linkGenerator(tree, { from: 'shell', to: 'promo', import: true, skipInstall: true });
    expect(tree.read('apps/shell/src/remotes.ts', 'utf-8')).toContain(
      "export const remotes: Remote[] = [\n  { name: 'cart', load: () => import('cart/widget') },\n  { name: 'promo', load: () => import('promo/widget') },\n  // esmx:widgets",
    );
    expect(tree.read('apps/shell/src/app.tsx', 'utf-8')).toBe(app);
  });

  it('says why a sample import is skipped when the host has no remotes list', async () => {
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    tree.delete('apps/shell/src/remotes.ts');
    await linkGenerator(tree, { from: 'shell', to: 'cart', import: true, skipInstall: true });
    expect(readJson(tree, 'apps/shell/package.json').esmx.uses).toEqual(['shared', 'cart']);
    expect(warn.mock.calls.join('\n')).toContain(
      'sample import of cart/widget into shell skipped: apps/shell/src/remotes.ts with the "// esmx:widgets" marker was not found',
    );
  });

  it('accepts directories as well as names', async () => {
    await linkGenerator(tree, { from: 'apps/shell', to: './apps/promo/', skipInstall: true });
    expect(readJson(tree, 'apps/shell/package.json').esmx.uses).toEqual(['shared', 'promo']);
  });

  it('is idempotent: linking twice changes nothing and runs no install', async () => {
    await linkGenerator(tree, { from: 'shell', to: 'cart', import: true, skipInstall: true });
    const first = snapshot(tree);
    const task = await linkGenerator(tree, { from: 'shell', to: 'cart', import: true });
    expect(snapshot(tree)).toBe(first);
    expect(task()).toBeUndefined();
  });

  it('keeps a dependency the consumer already declares', async () => {
    tree.write('apps/shell/package.json', JSON.stringify({ ...readJson(tree, 'apps/shell/package.json'), devDependencies: { cart: '^1.0.0' } }));
    await linkGenerator(tree, { from: 'shell', to: 'cart', skipInstall: true });
    const host = readJson(tree, 'apps/shell/package.json');
    expect(host.dependencies.cart).toBeUndefined();
    expect(host.devDependencies.cart).toBe('^1.0.0');
  });

  it('refuses a cycle with E_CYCLE, the cycle and the fix', async () => {
    await linkGenerator(tree, { from: 'shell', to: 'cart', skipInstall: true });
    await linkGenerator(tree, { from: 'cart', to: 'promo', skipInstall: true });
    expect(await refusal(tree, 'promo', 'shell')).toBe(
      '[esmx:generate] E_CYCLE: linking promo → shell would create the cycle promo → shell → cart → promo; esmx modules must form an acyclic "uses" graph.\n' +
        '  fix: remove "promo" from esmx.uses in apps/cart/package.json first, or move what both need into a third module that both use',
    );
  });

  it('refuses a module using itself', async () => {
    expect(await refusal(tree, 'cart', 'cart')).toContain('E_CYCLE: a module cannot use itself (cart → cart).');
  });

  it('refuses an unknown project, listing the esmx modules', async () => {
    expect(await refusal(tree, 'shell', 'checkout')).toBe(
      '[esmx:generate] --to=checkout: expected the name of an esmx module of this workspace, found no such project (esmx modules: cart, promo, shared, shell).\n' +
        '  fix: pass one of those names, or generate the module first: nx g @esmx/nx:app <directory> --name=checkout',
    );
    expect(await refusal(tree, 'nope', 'cart')).toContain('--from=nope: expected the name of an esmx module');
    // A typo of an existing module gets a "did you mean", not an offer to create it.
    expect(await refusal(tree, 'shel', 'cart')).toBe(
      '[esmx:generate] --from=shel: expected the name of an esmx module of this workspace, found no such project (esmx modules: cart, promo, shared, shell).\n' +
        '  fix: did you mean --from=shell?',
    );
  });

  it('says why a sample import is skipped when the module has no widget', async () => {
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    await generate(tree, { directory: 'libs/lit-kit', role: 'provider', framework: 'html', provides: ['lit'] });
    await linkGenerator(tree, { from: 'shell', to: 'lit-kit', import: true, skipInstall: true });
    expect(readJson(tree, 'apps/shell/package.json').esmx.uses).toEqual(['shared', 'lit-kit']);
    expect(warn.mock.calls.join('\n')).toContain('sample import of lit-kit/widget into shell skipped: lit-kit has no "./widget" export');
  });
});
