/**
 * The generated modules as code: they type-check against the real React types and the runtime's
 * RenderContext, and their own specs pass. Written to a folder under the repository's tmp/ so that
 * packages resolve from the repository's node_modules; workspace links are symlinks, as npm makes them.
 */
import type { Tree } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as ts from 'typescript';
import { linkGenerator } from '../link/generator';
import { appGenerator } from './generator';
import type { AppGeneratorSchema } from './schema';

const repoRoot = join(__dirname, '../../../..');
const MODULES: Array<Partial<AppGeneratorSchema> & { directory: string }> = [
  { directory: 'libs/shared', role: 'provider', framework: 'react' },
  { directory: 'apps/shell', role: 'host', framework: 'react' },
  { directory: 'apps/cart', role: 'remote', framework: 'react', host: 'shell' },
  { directory: 'apps/promo', role: 'remote', framework: 'html', host: 'shell' },
  { directory: 'apps/page', role: 'host', framework: 'html' },
  { directory: 'apps/bar', role: 'remote', framework: 'html', host: 'page' },
  { directory: 'libs/ui-kit', role: 'provider', framework: 'preact' },
  { directory: 'apps/board', role: 'host', framework: 'preact' },
  { directory: 'apps/counter', role: 'remote', framework: 'preact', host: 'board' },
  { directory: 'libs/vue-kit', role: 'provider', framework: 'vue' },
  { directory: 'apps/vue-page', role: 'host', framework: 'vue' },
  { directory: 'apps/vue-counter', role: 'remote', framework: 'vue', host: 'vue-page' },
  { directory: 'libs/svelte-kit', role: 'provider', framework: 'svelte' },
  { directory: 'apps/svelte-page', role: 'host', framework: 'svelte' },
  { directory: 'apps/svelte-counter', role: 'remote', framework: 'svelte', host: 'svelte-page' },
  { directory: 'libs/solid-kit', role: 'provider', framework: 'solid' },
  { directory: 'apps/solid-page', role: 'host', framework: 'solid' },
  { directory: 'apps/solid-counter', role: 'remote', framework: 'solid', host: 'solid-page' },
  { directory: 'libs/lit-kit', role: 'provider', framework: 'lit' },
  { directory: 'apps/lit-page', role: 'host', framework: 'lit' },
  { directory: 'apps/lit-counter', role: 'remote', framework: 'lit', host: 'lit-page' },
];

async function generateWorkspace(): Promise<Tree> {
  const tree = createTreeWithEmptyWorkspace();
  for (const options of MODULES) await appGenerator(tree, { skipInstall: true, ...options } as AppGeneratorSchema);
  await linkGenerator(tree, { from: 'page', to: 'promo', import: true, skipInstall: true });
  return tree;
}

function writeToDisk(tree: Tree, root: string): void {
  for (const change of tree.listChanges()) {
    if (!change.content) continue;
    mkdirSync(dirname(join(root, change.path)), { recursive: true });
    writeFileSync(join(root, change.path), change.content);
  }
  mkdirSync(join(root, 'node_modules'));
  for (const { directory } of MODULES) symlinkSync(join(root, directory), join(root, 'node_modules', directory.split('/').pop() as string));
}

function readTsConfig(projectDir: string): ts.ParsedCommandLine {
  const configPath = join(projectDir, 'tsconfig.json');
  return ts.parseJsonConfigFileContent(ts.readConfigFile(configPath, ts.sys.readFile).config, ts.sys, projectDir);
}

/**
 * One program per distinct set of compiler options (a program per module costs 1-3 s each): the generated tsconfigs
 * differ only in the framework's JSX options, so modules of one framework share a program.
 */
function typeCheck(projectDirs: string[]): string[] {
  const groups = new Map<string, ts.ParsedCommandLine[]>();
  for (const config of projectDirs.map(readTsConfig)) {
    const { configFilePath: _path, ...options } = config.options;
    const key = JSON.stringify(options);
    groups.set(key, [...(groups.get(key) ?? []), config]);
  }
  const diagnostics: string[] = [];
  for (const configs of groups.values()) {
    const program = ts.createProgram(configs.flatMap((c) => c.fileNames), configs[0].options);
    diagnostics.push(
      ...ts.getPreEmitDiagnostics(program).map((d) => `${d.file?.fileName ?? ''}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`),
    );
  }
  return diagnostics;
}

/**
 * The @esmx/nx Jest preset as the package ships it (compiled JavaScript: Jest loads presets and transformers with
 * Node's require), written next to the generated workspace. The modules' jest.config.mjs name `preset: '@esmx/nx'`,
 * which from here resolves to the TypeScript sources, so the runs below point `--preset` at this copy.
 */
function writeCompiledPreset(dir: string): string {
  const pluginDir = join(repoRoot, 'plugin');
  const sources = ['jest-preset.ts', 'src/constants.ts', ...readdirSync(join(pluginDir, 'src/jest')).filter((f) => !f.endsWith('.spec.ts')).map((f) => `src/jest/${f}`)];
  for (const source of sources) {
    const output = ts.transpileModule(readFileSync(join(pluginDir, source), 'utf8'), {
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
    }).outputText;
    mkdirSync(dirname(join(dir, source)), { recursive: true });
    writeFileSync(join(dir, source.replace(/\.ts$/, '.js')), output);
  }
  return join(dir, 'jest-preset.js');
}

let presetFile: string;
/**
 * Jest in a module's folder, with its own jest.config.mjs, as `npx jest` runs it there; one worker, and a transform
 * cache of this run only (shared by the modules, never left from an earlier version of the transformer).
 */
function runJest(cwd: string, args: string[]): SpawnSyncReturns<string> {
  const jestBin = join(repoRoot, 'node_modules/jest/bin/jest.js');
  const cacheDirectory = join(dirname(presetFile), 'cache');
  return spawnSync(process.execPath, [jestBin, '--ci', '--runInBand', '--cacheDirectory', cacheDirectory, '--preset', presetFile, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, NODE_OPTIONS: '' },
    timeout: 120_000,
  });
}

describe('generated modules', () => {
  let root: string;
  beforeAll(async () => {
    jest.spyOn(console, 'info').mockImplementation(() => undefined);
    jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    mkdirSync(join(repoRoot, 'tmp'), { recursive: true });
    root = mkdtempSync(join(repoRoot, 'tmp', 'generated-code-'));
    writeToDisk(await generateWorkspace(), root);
    presetFile = writeCompiledPreset(join(root, '.esmx-jest'));
  });
  afterAll(() => {
    rmSync(root, { recursive: true, force: true });
    jest.restoreAllMocks();
  });

  it('type-check with their tsconfig against the framework types (React, Preact) and the runtime RenderContext', () => {
    expect(typeCheck(MODULES.map((m) => join(root, m.directory)))).toEqual([]);
  });

  it.each(MODULES.filter((m) => m.framework === 'vue' && m.role !== 'provider').map((m) => m.directory))(
    '%s type-checks its single-file components with vue-tsc',
    (directory) => {
      const vueTsc = join(repoRoot, 'node_modules/vue-tsc/bin/vue-tsc.js');
      const result = spawnSync(process.execPath, [vueTsc, '--noEmit', '-p', join(root, directory, 'tsconfig.json')], { encoding: 'utf8', timeout: 120_000 });
      expect(result.stdout + result.stderr).toBe('');
      expect(result.status).toBe(0);
    },
  );

  it.each(MODULES.filter((m) => m.framework === 'svelte' && m.role !== 'provider').map((m) => m.directory))(
    '%s type-checks its components with svelte-check',
    (directory) => {
      const svelteCheck = join(repoRoot, 'node_modules/svelte-check/bin/svelte-check');
      const result = spawnSync(process.execPath, [svelteCheck, '--workspace', join(root, directory), '--tsconfig', 'tsconfig.json', '--output', 'machine', '--fail-on-warnings'], {
        encoding: 'utf8',
        timeout: 120_000,
      });
      expect(result.stdout).toMatch(/COMPLETED \d+ FILES 0 ERRORS 0 WARNINGS/);
      expect(result.status).toBe(0);
    },
  );

  it.each(MODULES.map((m) => m.directory))('%s passes its generated spec (Jest, through its jest.config.mjs)', (directory) => {
    const cwd = join(root, directory);
    const specs = readdirSync(join(cwd, 'src')).filter((file) => /\.spec\.tsx?$/.test(file));
    expect(specs.length).toBe(1);
    const result = runJest(cwd, ['--json']);
    const report = JSON.parse(result.stdout);
    expect({ failed: report.numFailedTests, suites: report.numFailedTestSuites, output: result.status === 0 ? '' : result.stderr }).toEqual({
      failed: 0,
      suites: 0,
      output: '',
    });
    expect(report.numPassedTests).toBeGreaterThan(0);
    expect(report.testResults.map((r: { name: string }) => r.name)).toEqual([join(cwd, 'src', specs[0])]);
  });

  it('fails a generated spec whose expectation fails, naming the assertion', () => {
    const cwd = join(root, 'apps/cart');
    const spec = join(cwd, 'src/widget.spec.tsx');
    const source = readFileSync(spec, 'utf8');
    writeFileSync(spec, source.replace('Count: 0', 'Count: 1'));
    try {
      const result = runJest(cwd, []);
      expect(result.status).toBe(1);
      expect(result.stderr).toMatch(/✕ the widget of cart renders its counter at 0/);
      expect(result.stderr).toMatch(/Expected: ".*Count: 1<\/button><\/section>"\n\s*Received: ".*Count: 0<\/button><\/section>"/);
      // Source-mapped to the spec's own line.
      expect(result.stderr).toMatch(/at .*src\/widget\.spec\.tsx:7:\d+/);
    } finally {
      writeFileSync(spec, source);
    }
  });
});
