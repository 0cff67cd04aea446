/**
 * The framework extension point seen from outside the plugin: an adapter a workspace defines in its own file (named
 * under `frameworks` in the plugin options of nx.json) generates modules with `@esmx/nx:app` and compiles them in a
 * real Rspack build; unknown names list the known frameworks; another framework's file is refused by name.
 */
import type { Tree } from '@nx/devkit';
import { readJson, readNxJson, updateNxJson } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { buildModule } from '../bundler/build-module';
import { makeResolution } from '../bundler/fixtures/fixture-workspace';
import { appGenerator } from '../generators/app/generator';
import type { AppGeneratorSchema } from '../generators/app/schema';
import { BUILT_IN_FRAMEWORKS } from './registry';
import { checkRuntimeSupply } from './index';
import { loadFrameworks } from './load-frameworks';
import type { ModuleInfo, Resolution } from '../protocol/types';

jest.setTimeout(60_000);

const FIXTURE = join(__dirname, 'fixtures/workspace-adapter');
const BUILT_IN = BUILT_IN_FRAMEWORKS.map((adapter) => adapter.name);

function registerAdapter(tree: Tree, file: string): void {
  const nxJson = readNxJson(tree) ?? {};
  nxJson.plugins = [...(nxJson.plugins ?? []), { plugin: '@esmx/nx/plugin', options: { frameworks: { upper: file } } }];
  updateNxJson(tree, nxJson);
}

async function generate(tree: Tree, options: Partial<AppGeneratorSchema> & { directory: string }): Promise<void> {
  await appGenerator(tree, { role: 'remote', framework: 'upper', skipInstall: true, ...options } as AppGeneratorSchema);
}

describe('framework adapters', () => {
  let tree: Tree;
  const dirs: string[] = [];
  beforeEach(() => {
    tree = createTreeWithEmptyWorkspace();
    jest.spyOn(console, 'info').mockImplementation(() => undefined);
    jest.spyOn(console, 'warn').mockImplementation(() => undefined);
  });
  afterEach(() => jest.restoreAllMocks());
  afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  /** The fixture workspace (nx.json + tools/upper) on disk with the generated files of `tree` written into it. */
  function writeWorkspace(): string {
    const root = mkdtempSync(join(tmpdir(), 'esmx-frameworks-'));
    dirs.push(root);
    cpSync(FIXTURE, root, { recursive: true });
    for (const change of tree.listChanges()) {
      if (!change.content || !change.path.startsWith('apps/')) continue;
      mkdirSync(dirname(join(root, change.path)), { recursive: true });
      writeFileSync(join(root, change.path), change.content);
    }
    return root;
  }

  function setFramework(moduleRoot: string, framework: string): void {
    const pkg = JSON.parse(readFileSync(join(moduleRoot, 'package.json'), 'utf8'));
    pkg.esmx.framework = framework;
    writeFileSync(join(moduleRoot, 'package.json'), JSON.stringify(pkg));
  }

  async function build(moduleRoot: string) {
    const lines: string[] = [];
    const result = await buildModule({ root: moduleRoot, mode: 'production', resolution: makeResolution('hello', { hello: moduleRoot }), log: (l) => lines.push(l) });
    return result;
  }

  it('a workspace adapter generates a remote from its own templates, recorded in esmx.framework', async () => {
    registerAdapter(tree, join(FIXTURE, 'tools/upper/framework.cjs'));
    await generate(tree, { directory: 'apps/hello' });
    expect(readJson(tree, 'apps/hello/package.json').esmx).toEqual({
      entry: { client: './src/entry.client.ts', server: './src/entry.server.ts' },
      framework: 'upper',
      exports: { './widget': './src/widget.ts' },
    });
    expect(tree.read('apps/hello/src/greeting.upper', 'utf8')).toBe('hello from hello\n');
    expect(tree.read('apps/hello/tsconfig.json', 'utf8')).not.toContain('"jsx"');
  });

  it('builds that module with the adapter rules (found through nx.json above the module), on both targets', async () => {
    registerAdapter(tree, join(FIXTURE, 'tools/upper/framework.cjs'));
    await generate(tree, { directory: 'apps/hello' });
    const moduleRoot = join(writeWorkspace(), 'apps/hello');
    const result = await build(moduleRoot);
    expect(result.errors).toEqual([]);
    expect(result.ok).toBe(true);
    const server = JSON.parse(readFileSync(join(moduleRoot, 'dist/server/manifest.json'), 'utf8'));
    const widget = await import(join(moduleRoot, 'dist/server', server.exports.widget.file));
    expect(widget.render()).toBe('<p data-widget="hello">HELLO FROM HELLO (server)</p>');
    const client = JSON.parse(readFileSync(join(moduleRoot, 'dist/client/manifest.json'), 'utf8'));
    expect(readFileSync(join(moduleRoot, 'dist/client', client.exports.widget.file), 'utf8')).toContain('HELLO FROM HELLO (client)');
  });

  it('a file only another framework compiles fails the build, naming the file and the adapter to use', async () => {
    registerAdapter(tree, join(FIXTURE, 'tools/upper/framework.cjs'));
    await generate(tree, { directory: 'apps/hello' });
    const moduleRoot = join(writeWorkspace(), 'apps/hello');
    setFramework(moduleRoot, 'html');
    const result = await build(moduleRoot);
    expect(result.ok).toBe(false);
    expect(result.errors.join('\n')).toContain(
      `imports ./greeting.upper, a .upper file, but the module's framework is "html", which does not compile .upper files. Fix: move the file to a module whose esmx.framework is "upper"`,
    );
  });

  it('an unknown esmx.framework fails the build before Rspack, listing the known frameworks', async () => {
    registerAdapter(tree, join(FIXTURE, 'tools/upper/framework.cjs'));
    await generate(tree, { directory: 'apps/hello' });
    const moduleRoot = join(writeWorkspace(), 'apps/hello');
    setFramework(moduleRoot, 'uper');
    const result = await build(moduleRoot);
    expect(result.ok).toBe(false);
    expect(result.errors).toEqual([
      `[esmx:framework] expected esmx.framework of hello to be one of ${[...BUILT_IN, 'upper'].join(', ')}, found "uper". ` +
        'Fix: use "upper", or register your own adapter under "frameworks" in the options of the @esmx/nx/plugin entry of nx.json.',
    ]);
  });

  it('an unknown --framework lists the known ones, and writes nothing', async () => {
    const before = tree.listChanges().length;
    const error = await generate(tree, { directory: 'apps/hello', framework: 'angular' }).catch((e: Error) => e);
    expect((error as Error).message).toBe(
      `[esmx:framework] expected --framework to be one of ${BUILT_IN.join(', ')}, found "angular". ` +
        `Fix: use one of ${BUILT_IN.join(', ')}, or register your own adapter under "frameworks" in the options of the @esmx/nx/plugin entry of nx.json.`,
    );
    expect((error as Error).stack).toBe('');
    const typo = await generate(tree, { directory: 'apps/hello', framework: 'svelt' }).catch((e: Error) => e);
    expect((typo as Error).message).toContain('found "svelt". Fix: use "svelte", or register your own adapter');
    expect(tree.listChanges().length).toBe(before);
  });

  it('warns W_NOT_PROVIDED when a module\'s framework runtime comes from no provider of its closure', () => {
    const info = { name: 'cart', root: '/ws/apps/cart', packageJsonPath: '/ws/apps/cart/package.json', framework: 'preact', uses: ['shared'] } as ModuleInfo;
    const resolution = { module: 'cart', modules: { cart: info }, supply: { groups: [], wiring: { cart: {} } } } as unknown as Resolution;
    const preact = BUILT_IN_FRAMEWORKS.find((adapter) => adapter.name === 'preact')!;
    expect(checkRuntimeSupply(resolution, preact)).toEqual([
      {
        code: 'W_NOT_PROVIDED',
        severity: 'warning',
        module: 'cart',
        package: 'preact',
        message: '[esmx:build] cart: its framework is preact, but no module of its uses closure provides preact: it bundles a copy of its own',
        found: 'uses: shared',
        required: 'a provider of preact in esmx.uses',
        fix: 'add a provider of preact to esmx.uses of /ws/apps/cart/package.json (nx g @esmx/nx:app libs/preact-kit --role=provider --framework=preact, then nx g @esmx/nx:link --from=cart --to=preact-kit)',
      },
    ]);
    const wired = { ...resolution, supply: { groups: [], wiring: { cart: { preact: { specifier: 'preact', package: 'preact', provider: 'shared', version: '11.2.0', major: 11 } } } } };
    expect(checkRuntimeSupply(wired as Resolution, preact)).toEqual([]);
    expect(checkRuntimeSupply(resolution, BUILT_IN_FRAMEWORKS.find((adapter) => adapter.name === 'html')!)).toEqual([]);
    // A module from before esmx.framework (React's rules by default) is not taken for a React module.
    const undeclared = { ...resolution, modules: { cart: { ...info, framework: undefined } } };
    expect(checkRuntimeSupply(undeclared as Resolution, BUILT_IN_FRAMEWORKS.find((adapter) => adapter.name === 'react')!)).toEqual([]);
  });

  it('without --framework, lists every known framework with its description', async () => {
    const error = await generate(tree, { directory: 'apps/hello', framework: '' }).catch((e: Error) => e);
    expect((error as Error).message).toContain(
      "[esmx:generate] expected --framework to name the module's framework, found none. Fix: pass --framework=<name>, one of: react: React 19 (server-rendered with renderToString, hydrated with hydrateRoot); preact: ",
    );
    expect((error as Error).message).toContain('; lit: Lit web components');
  });

  it('refuses an adapter file that does not default-export an adapter, or that takes a built-in name', async () => {
    const root = mkdtempSync(join(tmpdir(), 'esmx-frameworks-'));
    dirs.push(root);
    writeFileSync(join(root, 'bad.cjs'), 'module.exports = { name: "bad", description: "x" };');
    await expect(loadFrameworks(root, { bad: 'bad.cjs' })).rejects.toThrow(
      `[esmx:framework] expected ${join(root, 'bad.cjs')} to default-export a framework adapter named "bad", but its "templates" is undefined (expected a string).`,
    );
    await expect(loadFrameworks(root, { react: 'bad.cjs' })).rejects.toThrow('found "react", which is built in');
    await expect(loadFrameworks(root, { gone: 'gone.mjs' })).rejects.toThrow(`expected the adapter of framework "gone" at ${join(root, 'gone.mjs')}`);
  });
});
