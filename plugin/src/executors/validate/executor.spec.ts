import type { ExecutorContext } from '@nx/devkit';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { resolveModule } from '../../protocol/index';
import { makeTempDir, writeModuleSet, type ModuleSpec } from '../../protocol/fixtures/write-module-set';
import runValidateExecutor from './executor';
import { renderReport } from './lib/render-output';

const REPO_ROOT = path.resolve(__dirname, '../../../..');
const SAMPLE_DIR = path.join(REPO_ROOT, 'tools/sample-modules');
const SAMPLE_LINKS: Record<string, string> = JSON.parse(fs.readFileSync(path.join(SAMPLE_DIR, 'links.json'), 'utf8'));

let out: string[];
let err: string[];
let workspace: string;

function context(projectName: string, projectRoot: string, root = workspace): ExecutorContext {
  return {
    root,
    cwd: root,
    isVerbose: false,
    projectName,
    projectsConfigurations: { version: 2, projects: { [projectName]: { root: projectRoot } } },
    nxJsonConfiguration: {},
    projectGraph: { nodes: {}, dependencies: {} },
  } as ExecutorContext;
}

beforeEach(() => {
  out = [];
  err = [];
  workspace = makeTempDir('validate');
  jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out.push(String(chunk));
    return true;
  });
  jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    err.push(String(chunk));
    return true;
  });
});
afterEach(() => {
  jest.restoreAllMocks();
  fs.rmSync(workspace, { recursive: true, force: true });
});

const healthy: ModuleSpec[] = [
  { name: 'shell', dir: 'apps/shell', esmx: { uses: ['cart', 'shared'] }, dependencies: { react: '^19.0.0' } },
  { name: 'cart', dir: 'apps/cart', esmx: { uses: ['shared'] }, dependencies: { react: '^19.2.0' }, built: true },
  { name: 'shared', dir: 'libs/shared', esmx: { provides: ['react'] }, installed: { react: '19.3.1' }, built: true },
];

describe('@esmx/nx:validate', () => {
  it('prints the readable report of a healthy module and succeeds', async () => {
    writeModuleSet(workspace, healthy);
    await expect(runValidateExecutor({}, context('shell', 'apps/shell'))).resolves.toEqual({ success: true });
    expect(err).toEqual([]);
    expect(out).toHaveLength(1);
    expect(out[0]).toBe(
      [
        `[esmx:validate] shell (${workspace}/apps/shell)`,
        '',
        'Mounts',
        '  shell   self          .  not built',
        '  cart    node_modules  ../cart  built (used by shell)',
        '  shared  node_modules  ../../libs/shared  built (used by shell)',
        '',
        'Supply',
        '  react@19.3.1 (major 19) ← shared  [react]',
        '',
        'Wiring',
        '  shell   react@19.3.1 ← shared  (react)',
        '  cart    react@19.3.1 ← shared  (react)',
        '  shared  react@19.3.1 ← itself  (react)',
        '',
        'Diagnostics',
        '  none',
        '',
        '0 errors, 0 warnings',
        '',
      ].join('\n'),
    );
  });

  it('prints exactly the JSON envelope with --json, nothing else on stdout', async () => {
    writeModuleSet(workspace, healthy);
    await expect(runValidateExecutor({ json: true }, context('shell', 'apps/shell'))).resolves.toEqual({ success: true });
    expect(out).toHaveLength(1);
    const envelope = JSON.parse(out[0]);
    expect(Object.keys(envelope)).toEqual(['diagnostics', 'supply', 'mounts']);
    const expected = resolveModule(path.join(workspace, 'apps/shell'));
    expect(envelope).toEqual({ diagnostics: expected.diagnostics, supply: expected.supply, mounts: expected.mounts });
    expect(envelope.supply.wiring.cart.react).toEqual({ specifier: 'react', package: 'react', provider: 'shared', version: '19.3.1', major: 19 });
  });

  it('fails on a version out of range, with code, found, required and fix, and no stack trace', async () => {
    writeModuleSet(workspace, [{ ...healthy[0], dependencies: { react: '^18.2.0' } }, ...healthy.slice(1)]);
    await expect(runValidateExecutor({}, context('shell', 'apps/shell'))).resolves.toEqual({ success: false });
    const text = out.join('');
    expect(text).toContain(
      [
        '  Errors (1)',
        '    error E_VERSION [esmx:protocol] shell: requires react@^18.2.0, but its uses closure provides 19.3.1 (shared)',
        '        package:  react',
        '        found:    19.3.1 (shared)',
        '        required: ^18.2.0',
      ].join('\n'),
    );
    expect(text.trimEnd().split('\n').pop()).toBe('1 error, 0 warnings');
    expect(text).not.toMatch(/\n\s+at .+:\d+:\d+/);
    expect(text).not.toContain('\u001b[');
  });

  it('fails with --json too, and the envelope carries the diagnostic', async () => {
    writeModuleSet(workspace, [{ ...healthy[0], esmx: { uses: ['cart', 'shared', 'ghost'] } }, ...healthy.slice(1)]);
    await expect(runValidateExecutor({ json: true }, context('shell', 'apps/shell'))).resolves.toEqual({ success: false });
    const envelope = JSON.parse(out.join(''));
    expect(envelope.diagnostics).toEqual([
      expect.objectContaining({ code: 'E_NOT_LINKED', severity: 'error', module: 'shell', package: 'ghost', found: 'not found' }),
    ]);
  });

  it("checks the export files of every module it uses and the modules its sources import without using them", async () => {
    writeModuleSet(workspace, [
      { ...healthy[0], esmx: { entry: { client: './src/entry.client.ts' }, uses: ['cart', 'shared'] }, files: ['src/entry.client.ts'] },
      { ...healthy[1], esmx: { exports: { './widget': './src/widget.tsx' }, uses: ['shared'] } },
      healthy[2],
      { name: 'promo', dir: 'apps/promo', esmx: { exports: { './widget': './src/widget.ts' } }, files: ['src/widget.ts'], built: true },
    ]);
    fs.writeFileSync(path.join(workspace, 'apps/shell/src/entry.client.ts'), "import('cart/widget');\nimport('promo/widget');\n");
    await expect(runValidateExecutor({ json: true }, context('shell', 'apps/shell'))).resolves.toEqual({ success: false });
    const { diagnostics } = JSON.parse(out.join(''));
    expect(diagnostics.map((d: { code: string; module: string; package?: string }) => [d.code, d.module, d.package])).toEqual([
      ['E_TARGET_MISSING', 'cart', undefined],
      ['E_NOT_LINKED', 'shell', 'promo'],
    ]);
    expect(diagnostics[0].fix).toBe(
      `create ${path.join(workspace, 'apps/cart/src/widget.tsx')} or correct esmx.exports["./widget"] in ${path.join(workspace, 'apps/cart/package.json')}`,
    );
    expect(diagnostics[1].message).toContain('shell: src/entry.client.ts:2 imports "promo/widget", but "promo" is not in the esmx.uses of shell');
    expect(diagnostics[1].fix).toMatch(/^add "promo" to esmx\.uses in /);
  });

  it("checks the module's framework: W_NOT_PROVIDED for a runtime no provider supplies, E_SCHEMA for an unknown one", async () => {
    const page: ModuleSpec = { name: 'page', dir: 'apps/page', esmx: { framework: 'preact', uses: ['shared'] }, dependencies: { preact: '^11.0.0' } };
    writeModuleSet(workspace, [page, healthy[2]]);
    await expect(runValidateExecutor({}, context('page', 'apps/page'))).resolves.toEqual({ success: true });
    expect(out.join('')).toContain('its framework is preact, but no module of its uses closure provides preact: it bundles a copy of its own');
    expect(out.join('')).toContain('\n0 errors, 1 warning\n');

    out = [];
    const packageJson = path.join(workspace, 'apps/page/package.json');
    const json = JSON.parse(fs.readFileSync(packageJson, 'utf8'));
    fs.writeFileSync(packageJson, JSON.stringify({ ...json, esmx: { ...json.esmx, framework: 'preakt' } }));
    await expect(runValidateExecutor({}, context('page', 'apps/page'))).resolves.toEqual({ success: false });
    expect(out.join('')).toContain('expected esmx.framework of page to be one of react, preact, vue, svelte, solid, lit, html, found "preakt"');
    expect(out.join('')).toContain('use "preact"');
    expect(out.join('')).toContain('\n1 error, 0 warnings\n');
  });

  it('succeeds with warnings only (an unbuilt used module)', async () => {
    writeModuleSet(workspace, [healthy[0], { ...healthy[1], built: false }, healthy[2]]);
    await expect(runValidateExecutor({}, context('shell', 'apps/shell'))).resolves.toEqual({ success: true });
    expect(out.join('')).toContain('\n0 errors, 1 warning\n');
  });

  it('reports a malformed esmx field and an invalid package.json without a stack trace', async () => {
    writeModuleSet(workspace, [{ name: 'shell', dir: 'apps/shell', esmx: { uses: ['shell'], exports: { './ui': 'ui.ts' } } }]);
    await expect(runValidateExecutor({}, context('shell', 'apps/shell'))).resolves.toEqual({ success: false });
    const text = out.join('');
    expect(text).toContain('error E_SCHEMA [esmx:protocol] shell: esmx.exports["./ui"] must start with "./"');
    expect(text).toContain('error E_SCHEMA [esmx:protocol] shell: esmx.uses lists the module itself');
    expect(text.trimEnd().split('\n').pop()).toBe('2 errors, 0 warnings');

    fs.writeFileSync(path.join(workspace, 'apps/shell/package.json'), '{ "name": "shell", ');
    out = [];
    await expect(runValidateExecutor({}, context('shell', 'apps/shell'))).resolves.toEqual({ success: false });
    expect(out.join('')).toContain('package.json is not valid JSON at line 1, column 20 (position 19): unexpected end of file');
    expect(out.join('')).not.toMatch(/\n\s+at .+:\d+:\d+/);
  });

  it('rejects bad options and a missing project on stderr', async () => {
    await expect(runValidateExecutor({ links: { cart: 3 as unknown as string } }, context('shell', 'apps/shell'))).resolves.toEqual({ success: false });
    expect(err).toEqual([
      '[esmx:validate] option "links.cart" must be a directory or an http(s) URL, found 3; fix: set it to the module\'s root directory or deployed URL\n',
    ]);
    err = [];
    const noProject = { ...context('shell', 'apps/shell'), projectName: undefined } as ExecutorContext;
    await expect(runValidateExecutor({}, noProject)).resolves.toEqual({ success: false });
    expect(err).toEqual(['[esmx:validate] expected to run on a project, found none; fix: run it as nx run <module>:validate\n']);
    expect(out).toEqual([]);
  });

  it('writes the link-graph page with --linkGraph=<file>, relative to the workspace root', async () => {
    writeModuleSet(workspace, [{ ...healthy[0], esmx: { uses: ['cart', 'shared', 'ghost'] } }, healthy[1], healthy[2]]);
    await expect(runValidateExecutor({ linkGraph: 'reports/links.html' }, context('shell', 'apps/shell'))).resolves.toEqual({
      success: false, // ghost is not linked
    });
    const file = path.join(workspace, 'reports/links.html');
    expect(err).toContain(`[esmx:graph] link-graph page written to ${file}\n`);
    expect(fs.readFileSync(file, 'utf8')).toContain('<title>Module links of shell</title>');
  });

  it('writes the pure JSON envelope with --outputFile=<file> (no task banners), beside the readable report', async () => {
    writeModuleSet(workspace, healthy);
    await expect(runValidateExecutor({ outputFile: 'reports/validate.json' }, context('shell', 'apps/shell'))).resolves.toEqual({ success: true });
    const file = path.join(workspace, 'reports/validate.json');
    const envelope = JSON.parse(fs.readFileSync(file, 'utf8'));
    expect(Object.keys(envelope)).toEqual(['diagnostics', 'supply', 'mounts']);
    expect(out.join('')).toMatch(/^0 errors/m);
    expect(err).toContain(`[esmx:validate] JSON envelope written to ${file}\n`);
    await expect(runValidateExecutor({ outputFile: '' }, context('shell', 'apps/shell'))).resolves.toEqual({ success: false });
    expect(err.at(-1)).toBe('[esmx:validate] option "outputFile" must be a file path, found ""; fix: pass --outputFile=dist/validate.json\n');
  });

  it('colors only for a terminal, and not under NO_COLOR', () => {
    writeModuleSet(workspace, healthy);
    const resolution = resolveModule(path.join(workspace, 'apps/shell'));
    const saved = process.env.NO_COLOR;
    delete process.env.NO_COLOR;
    try {
      expect(renderReport(resolution, { isTTY: false })).not.toContain('\u001b[');
      expect(renderReport(resolution, { isTTY: true })).toContain('\u001b[1mshell\u001b[22m');
      process.env.NO_COLOR = '1';
      expect(renderReport(resolution, { isTTY: true })).not.toContain('\u001b[');
    } finally {
      if (saved === undefined) delete process.env.NO_COLOR;
      else process.env.NO_COLOR = saved;
    }
  });
});

describe('the sample module set (tools/sample-modules)', () => {
  // `npx nx run sample-host:build` in this repository builds the set; each unbuilt used module is one warning.
  const unbuiltSampleModules = () =>
    ['sample-cart', 'sample-profile', 'sample-shared'].filter(
      (name) => !fs.existsSync(path.join(SAMPLE_DIR, name.replace('sample-', ''), 'dist/client/manifest.json')),
    );

  it('validates the sample host through its explicit links: no error, React supplied by sample-shared', async () => {
    const result = await runValidateExecutor({ json: true, links: SAMPLE_LINKS }, context('sample-host', 'tools/sample-modules/host', REPO_ROOT));
    expect(result).toEqual({ success: true });
    const envelope = JSON.parse(out.join(''));
    const reactVersion = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'node_modules/react/package.json'), 'utf8')).version;
    expect(envelope.supply.groups.map((g: { package: string; provider: string; version: string }) => `${g.package}@${g.version}←${g.provider}`)).toEqual([
      `react@${reactVersion}←sample-shared`,
      `react-dom@${reactVersion}←sample-shared`,
    ]);
    expect(Object.keys(envelope.mounts)).toEqual(['sample-host', 'sample-cart', 'sample-profile', 'sample-shared']);
    expect(envelope.diagnostics.map((d: { code: string; module: string }) => `${d.code} ${d.module}`)).toEqual(
      unbuiltSampleModules().map((name) => `E_NOT_BUILT ${name}`),
    );
  });

  it('gives the same supply table when mounted through node_modules symlinks in a temporary copy', () => {
    const copy = path.join(workspace, 'sample');
    fs.cpSync(SAMPLE_DIR, copy, { recursive: true });
    fs.mkdirSync(path.join(copy, 'node_modules'));
    for (const [name, dir] of Object.entries({ 'sample-cart': 'cart', 'sample-profile': 'profile', 'sample-shared': 'shared', react: null, 'react-dom': null })) {
      const target = dir ? path.join(copy, dir) : path.join(REPO_ROOT, 'node_modules', name);
      fs.symlinkSync(target, path.join(copy, 'node_modules', name));
    }
    const viaNodeModules = resolveModule(path.join(copy, 'host'));
    const viaLinks = resolveModule(path.join(SAMPLE_DIR, 'host'), {
      links: Object.fromEntries(Object.entries(SAMPLE_LINKS)),
    });
    expect(viaNodeModules.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(viaNodeModules.supply).toEqual(viaLinks.supply);
    expect(Object.values(viaNodeModules.mounts).map((m) => m.via)).toEqual(['self', 'node_modules', 'node_modules', 'node_modules']);
  });

  it('prints the report from the command line helper the demo uses', () => {
    const text = execFileSync(process.execPath, [path.join(SAMPLE_DIR, 'validate-sample.cjs')], { cwd: REPO_ROOT, encoding: 'utf8' });
    expect(text.startsWith(`[esmx:validate] sample-host (${SAMPLE_DIR}/host)\n`)).toBe(true);
    expect(text).toContain('\n  react@');
    const warnings = unbuiltSampleModules().length;
    expect(text.endsWith(`\n0 errors, ${warnings} warning${warnings === 1 ? '' : 's'}\n`)).toBe(true);
  });
});
