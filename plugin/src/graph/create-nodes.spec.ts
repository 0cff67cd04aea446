import type { CreateNodesContext, ProjectConfiguration } from '@nx/devkit';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createNodes, createNodesV2 } from '../../plugin';
import { clearMemoryCaches, findWorkspaceDataDirectory } from './lib/json-cache';

let root: string;

function write(file: string, content: unknown) {
  const path = join(root, file);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
}

function context(namedInputs: Record<string, string[]> = { production: ['default'] }): CreateNodesContext {
  return { workspaceRoot: root, nxJsonConfiguration: { namedInputs } };
}

async function run(files: string[], options?: Record<string, unknown>, ctx = context()) {
  const results = await createNodesV2[1](files, options, ctx);
  const byRoot: Record<string, ProjectConfiguration> = {};
  for (const [file, result] of results) {
    for (const [projectRoot, project] of Object.entries(result.projects ?? {})) {
      expect(file).toBe(projectRoot === '.' ? 'package.json' : `${projectRoot}/package.json`);
      byRoot[projectRoot] = project as ProjectConfiguration;
    }
  }
  return byRoot;
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'esmx-nodes-'));
  clearMemoryCaches();
  write('package.json', { name: 'workspace', private: true, workspaces: ['apps/*', 'libs/*'] });
  write('apps/shell/package.json', {
    name: 'shell',
    esmx: { entry: { client: './src/entry.client.ts', server: './src/entry.server.ts' }, provides: ['react'], uses: ['cart'] },
  });
  write('apps/cart/package.json', { name: 'cart', esmx: { exports: { './widget': './src/widget.ts' } } });
  write('libs/plain/package.json', { name: 'plain', version: '1.0.0' });
});

afterEach(() => rmSync(root, { recursive: true, force: true }));

const ALL = ['package.json', 'apps/shell/package.json', 'apps/cart/package.json', 'libs/plain/package.json'];

describe('createNodesV2', () => {
  it('is the same tuple as createNodes and globs every package.json', () => {
    expect(createNodes).toBe(createNodesV2);
    expect(createNodesV2[0]).toBe('**/package.json');
  });

  it('infers one project per package.json with an esmx field, with roles as tags', async () => {
    const projects = await run(ALL);
    expect(Object.keys(projects).sort()).toEqual(['apps/cart', 'apps/shell']);
    const shell = projects['apps/shell'];
    expect(shell.name).toBe('shell');
    expect(shell.projectType).toBe('application');
    expect(shell.tags).toEqual(['esmx:module', 'esmx:host', 'esmx:provider']);
    expect(shell.namedInputs).toEqual({ esmxDeclaration: ['{projectRoot}/package.json'] });
    expect(Object.keys(shell.targets!)).toEqual(['bundle', 'build', 'serve', 'start', 'standalone', 'validate']);
    const cart = projects['apps/cart'];
    expect(cart.projectType).toBe('library');
    expect(cart.tags).toEqual(['esmx:module', 'esmx:remote']);
    expect(Object.keys(cart.targets!)).toEqual(['bundle', 'build', 'validate']);
  });

  it('tags roles from the whole workspace: a host is a root of the link graph, a remote is used, a provider provides', async () => {
    write('libs/shared/package.json', { name: 'shared', esmx: { provides: ['react'] } });
    // A remote that uses a provider and has a dev page of its own: used by shell, so a remote, not a host.
    write('apps/cart/package.json', { name: 'cart', esmx: { entry: { client: './src/dev.ts' }, exports: { './widget': './src/widget.ts' }, uses: ['shared'] } });
    // A module with exports that nobody uses yet is not a remote.
    write('libs/lone/package.json', { name: 'lone', esmx: { exports: { './x': './src/x.ts' } } });
    const projects = await run([...ALL, 'libs/shared/package.json', 'libs/lone/package.json']);
    expect(Object.fromEntries(Object.entries(projects).map(([root, p]) => [root, p.tags]))).toEqual({
      'apps/shell': ['esmx:module', 'esmx:host', 'esmx:provider'],
      'apps/cart': ['esmx:module', 'esmx:remote'],
      'libs/shared': ['esmx:module', 'esmx:provider'],
      'libs/lone': ['esmx:module'],
    });
  });

  it('infers test (Jest) from the specs under src/ and a jest config, and typecheck from a tsconfig.json, with the checker of the framework', async () => {
    write('apps/shell/src/entry.server.spec.tsx', '');
    write('apps/shell/src/deep/util.spec.ts', '');
    write('apps/shell/jest.config.mjs', "export default { preset: '@esmx/nx' };");
    write('apps/shell/tsconfig.json', '{}');
    write('apps/cart/package.json', { name: 'cart', esmx: { exports: { './widget': './src/widget.ts' }, framework: 'vue' } });
    write('apps/cart/tsconfig.json', '{}');
    const projects = await run(ALL);
    const shell = projects['apps/shell'].targets!;
    expect(shell.test).toMatchObject({
      executor: 'nx:run-commands',
      options: { command: 'jest --config jest.config.mjs', cwd: '{projectRoot}' },
      cache: true,
      inputs: ['default', '^default', { externalDependencies: ['jest', '@swc/jest', '@esmx/nx'] }],
    });
    expect(shell.test.metadata?.description).toMatch(/with Jest \(jest\.config\.mjs: the @esmx\/nx preset/);
    expect(shell.typecheck.options).toEqual({ command: 'tsc --noEmit -p tsconfig.json', cwd: '{projectRoot}' });
    const cart = projects['apps/cart'].targets!;
    expect(cart.test).toBeUndefined();
    expect(cart.typecheck.options.command).toBe('vue-tsc --noEmit -p tsconfig.json');
    // A spec without a jest config is no test target yet; the config appearing adds it (the cache key covers the checks).
    write('apps/cart/src/widget.spec.ts', '');
    expect((await run(ALL))['apps/cart'].targets!.test).toBeUndefined();
    write('apps/cart/jest.config.cjs', "module.exports = { preset: '@esmx/nx' };");
    expect((await run(ALL))['apps/cart'].targets!.test.options.command).toBe('jest --config jest.config.cjs');
    // A jest config without specs is no test target either (Jest would fail with "No tests found").
    write('apps/lone/package.json', { name: 'lone', esmx: {} });
    write('apps/lone/jest.config.mjs', 'export default {};');
    expect((await run([...ALL, 'apps/lone/package.json']))['apps/lone'].targets!.test).toBeUndefined();
  });

  it('offers production (default) and development as configurations of bundle, build, start and standalone; serve defaults to development', async () => {
    const { targets } = (await run(ALL))['apps/shell'];
    expect([targets!.bundle.configurations, targets!.bundle.defaultConfiguration]).toEqual([
      { production: { mode: 'production' }, development: { mode: 'development' } },
      'production',
    ]);
    for (const name of ['build', 'start', 'standalone']) {
      expect([name, targets![name].configurations, targets![name].defaultConfiguration]).toEqual([name, { production: {}, development: {} }, 'production']);
    }
    expect([targets!.serve.configurations, targets!.serve.defaultConfiguration]).toEqual([
      { development: { mode: 'development' }, production: { mode: 'production' } },
      'development',
    ]);
  });

  it('splits bundle (own sources + used declarations) from the link step (used manifests)', async () => {
    const { targets } = (await run(ALL))['apps/shell'];
    expect(targets!.bundle).toEqual({
      executor: '@esmx/nx:bundle',
      options: { link: false },
      cache: true,
      inputs: ['production', '{projectRoot}/package.json', '!{projectRoot}/dist/**', '^{projectRoot}/package.json'],
      outputs: ['{projectRoot}/dist/client', '{projectRoot}/dist/server', '{projectRoot}/dist/index.mjs'],
      dependsOn: [],
      metadata: expect.objectContaining({ description: expect.stringContaining('Rspack') }),
      configurations: { production: { mode: 'production' }, development: { mode: 'development' } },
      defaultConfiguration: 'production',
    });
    expect(targets!.build).toEqual({
      executor: '@esmx/nx:link',
      cache: true,
      inputs: [
        '{projectRoot}/package.json',
        '{projectRoot}/esmx.links.json',
        '^{projectRoot}/package.json',
        { dependentTasksOutputFiles: '**/manifest.json', transitive: true },
      ],
      outputs: ['{projectRoot}/dist/importmap.json', '{projectRoot}/dist/link.json'],
      dependsOn: ['bundle', '^build'],
      metadata: expect.objectContaining({ description: expect.stringContaining('importmap.json') }),
      configurations: { production: {}, development: {} },
      defaultConfiguration: 'production',
    });
    expect(targets!.serve).toMatchObject({ executor: '@esmx/nx:serve', continuous: true, cache: false, dependsOn: [] });
    expect(targets!.start).toMatchObject({ executor: '@esmx/nx:start', continuous: true, cache: false, dependsOn: ['build'] });
    expect(targets!.validate).toMatchObject({ executor: '@esmx/nx:validate', cache: false, dependsOn: [] });
    expect(targets!.standalone).toMatchObject({
      executor: '@esmx/nx:standalone',
      cache: true,
      dependsOn: ['build'],
      inputs: ['{projectRoot}/esmx.links.json', { dependentTasksOutputFiles: '**/*', transitive: true }, { externalDependencies: ['@esmx/nx'] }],
      outputs: ['{projectRoot}/dist/standalone'],
    });
    for (const target of Object.values(targets!)) {
      expect(target.metadata?.description).toMatch(/\w.{30,}/);
      expect(Array.isArray(target.inputs) && Array.isArray(target.outputs)).toBe(true);
    }
  });

  it('makes the workspace\'s own framework adapter files inputs of every bundle', async () => {
    const { targets } = (await run(ALL, { frameworks: { upper: './tools/upper/framework.cjs', solid2: 'tools/solid2.mjs' } }))['apps/cart'];
    expect(targets!.bundle.inputs).toEqual([
      'production',
      '{projectRoot}/package.json',
      '!{projectRoot}/dist/**',
      '^{projectRoot}/package.json',
      '{workspaceRoot}/tools/solid2.mjs',
      '{workspaceRoot}/tools/upper/framework.cjs',
    ]);
  });

  it('writes only link.json for a library and falls back to the default input without a production one', async () => {
    const cart = (await run(ALL, undefined, context({})))['apps/cart'];
    expect(cart.targets!.build.outputs).toEqual(['{projectRoot}/dist/link.json']);
    expect(cart.targets!.bundle.inputs![0]).toBe('default');
  });

  it('renames targets through the plugin options, including the references between them', async () => {
    const shell = (
      await run(ALL, {
        bundleTargetName: 'esmx-bundle',
        buildTargetName: 'esmx-build',
        serveTargetName: 'dev',
        startTargetName: 'prod',
        validateTargetName: 'check',
        standaloneTargetName: 'folder',
      })
    )['apps/shell'];
    expect(Object.keys(shell.targets!)).toEqual(['esmx-bundle', 'esmx-build', 'dev', 'prod', 'folder', 'check']);
    expect(shell.targets!['esmx-build'].dependsOn).toEqual(['esmx-bundle', '^esmx-build']);
    expect(shell.targets!.prod.dependsOn).toEqual(['esmx-build']);
    expect(shell.targets!.folder.dependsOn).toEqual(['esmx-build']);
  });

  it('offers every environment of esmx.links.json as a configuration of build, start, serve and standalone', async () => {
    write('apps/shell/esmx.links.json', { environments: { staging: { cart: 'https://s.example/cart/client/' }, production: {} } });
    const { targets } = (await run(ALL))['apps/shell'];
    // An environment named like a mode adds to that mode's configuration.
    for (const name of ['build', 'start', 'standalone']) {
      expect(targets![name].configurations).toEqual({
        production: { environment: 'production' },
        development: {},
        staging: { environment: 'staging' },
      });
    }
    expect(targets!.serve.configurations).toEqual({
      development: { mode: 'development' },
      production: { mode: 'production', environment: 'production' },
      staging: { environment: 'staging' },
    });
    expect(targets!.bundle.configurations).toEqual({ production: { mode: 'production' }, development: { mode: 'development' } });
    // The file is part of the inference cache key: an edit shows at once.
    write('apps/shell/esmx.links.json', { environments: { qa: {} } });
    expect((await run(ALL))['apps/shell'].targets!.build.configurations).toEqual({ production: {}, development: {}, qa: { environment: 'qa' } });
  });

  it('warns about an esmx.links.json that is not valid and offers no configuration, without failing the graph', async () => {
    write('apps/shell/esmx.links.json', '{ "environments": { "staging": ');
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      const { targets } = (await run(ALL))['apps/shell'];
      expect(targets!.build.configurations).toEqual({ production: {}, development: {} });
      expect(warn).toHaveBeenCalledWith(expect.stringMatching(/^\[esmx:graph\] expected JSON in .*esmx\.links\.json, found invalid JSON at line 1/));
    } finally {
      warn.mockRestore();
    }
  });

  it('keeps a module whose package.json is not valid JSON, with a guessed name and a validate target', async () => {
    write('apps/broken/package.json', '{ "name": "broken", "esmx": { "uses": ["cart"] ');
    write('apps/not-esmx-broken/package.json', '{ "name": "nope", ');
    const projects = await run([...ALL, 'apps/broken/package.json', 'apps/not-esmx-broken/package.json']);
    expect(projects['apps/not-esmx-broken']).toBeUndefined();
    const broken = projects['apps/broken'];
    expect(broken.name).toBe('broken');
    expect(broken.projectType).toBe('library');
    expect(broken.tags).toEqual(['esmx:module']);
    expect(broken.targets!.validate.executor).toBe('@esmx/nx:validate');
  });

  it('keeps a module whose esmx field has the wrong shape, and names an unnamed one after its root', async () => {
    write('apps/odd/package.json', { name: 'odd', esmx: { entry: 'src/main.ts', exports: ['x'], uses: 'cart', provides: [1] } });
    write('apps/anon/package.json', { esmx: {} });
    write('apps/null/package.json', { name: 'null-esmx', esmx: null });
    const projects = await run([...ALL, 'apps/odd/package.json', 'apps/anon/package.json', 'apps/null/package.json']);
    expect(projects['apps/odd']).toMatchObject({ name: 'odd', projectType: 'library', tags: ['esmx:module'] });
    expect(projects['apps/odd'].targets!.validate).toBeDefined();
    expect(projects['apps/anon'].name).toBe('apps/anon');
    expect(projects['apps/null'].tags).toEqual(['esmx:module']);
  });

  it('caches by options and content: in memory, on disk, and invalidated by a change', async () => {
    const first = await run(ALL);
    const cacheFile = join(findWorkspaceDataDirectory(root), 'esmx-nx-nodes.json');
    expect(existsSync(cacheFile)).toBe(true);
    clearMemoryCaches();
    expect(await run(ALL)).toEqual(first);
    // Prove the second process-like run read the disk layer: a doctored entry comes back as is.
    const disk = JSON.parse(readFileSync(cacheFile, 'utf8'));
    expect(Object.keys(disk.entries)).toHaveLength(2);
    for (const key of Object.keys(disk.entries)) {
      const project = JSON.parse(disk.entries[key]);
      disk.entries[key] = JSON.stringify({ ...project, tags: ['from-disk'] });
    }
    writeFileSync(cacheFile, JSON.stringify(disk));
    clearMemoryCaches();
    expect((await run(ALL))['apps/shell'].tags).toEqual(['from-disk']);
    clearMemoryCaches();
    rmSync(cacheFile);
    // Hits hand out fresh objects: mutating one result must not leak into the next.
    const again = await run(ALL);
    again['apps/shell'].tags!.push('mutated');
    expect((await run(ALL))['apps/shell'].tags).not.toContain('mutated');

    write('apps/cart/package.json', { name: 'cart', esmx: { entry: { client: './src/main.ts' }, exports: { './widget': './src/widget.ts' } } });
    const changed = await run(ALL);
    expect(changed['apps/cart'].projectType).toBe('application');
    // A remote with a dev page of its own is a remote, not a host: shell uses it.
    expect(changed['apps/cart'].tags).toEqual(['esmx:module', 'esmx:remote']);
    const renamed = await run(ALL, { buildTargetName: 'link' });
    expect(Object.keys(renamed['apps/cart'].targets!)).toContain('link');
  });
});
