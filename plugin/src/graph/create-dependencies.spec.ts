import { DependencyType, validateDependency, type CreateDependenciesContext, type ProjectConfiguration } from '@nx/devkit';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createDependencies } from '../../plugin';
import { clearMemoryCaches } from './lib/json-cache';

let root: string;
let warn: jest.SpyInstance;

function write(file: string, content: unknown) {
  const path = join(root, file);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
}

const esmxProject = (projectRoot: string): ProjectConfiguration => ({ root: projectRoot, tags: ['esmx:module'] });

function makeContext(hashes: Record<string, string> = {}): CreateDependenciesContext {
  const projects: Record<string, ProjectConfiguration> = {
    shell: esmxProject('apps/shell'),
    cart: esmxProject('apps/cart'),
    shared: esmxProject('libs/shared'),
    broken: esmxProject('apps/broken'),
    tooling: { root: 'tools/tooling', tags: [] },
  };
  const projectFileMap = Object.fromEntries(
    Object.entries(projects).map(([name, p]) => {
      const file = `${p.root}/package.json`;
      return [name, [{ file, hash: hashes[file] ?? 'h1' }, { file: `${p.root}/src/x.ts`, hash: 'x' }]];
    }),
  );
  const fileMap = { projectFileMap, nonProjectFiles: [] };
  return { projects, externalNodes: {}, nxJsonConfiguration: {}, fileMap, filesToProcess: fileMap, workspaceRoot: root };
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'esmx-deps-'));
  clearMemoryCaches();
  warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
  write('apps/shell/package.json', { name: 'shell', esmx: { uses: ['cart', 'shared', 'outside-lib'] } });
  write('apps/cart/package.json', { name: 'cart', esmx: { uses: ['shared', 'shell', 'cart'] } });
  write('libs/shared/package.json', { name: 'shared', esmx: { provides: ['react'] } });
  write('apps/broken/package.json', '{ "name": "broken", "esmx": { "uses": ["cart"] ');
  write('tools/tooling/package.json', { name: 'tooling', esmx: { uses: ['cart'] } });
});

afterEach(() => {
  warn.mockRestore();
  rmSync(root, { recursive: true, force: true });
});

describe('createDependencies', () => {
  it('adds a static edge per used workspace project, with the declaring package.json as source file', async () => {
    const context = makeContext();
    const deps = await createDependencies(undefined, context);
    expect(deps).toEqual([
      { source: 'shell', target: 'cart', type: DependencyType.static, sourceFile: 'apps/shell/package.json' },
      { source: 'shell', target: 'shared', type: 'static', sourceFile: 'apps/shell/package.json' },
      { source: 'cart', target: 'shared', type: 'static', sourceFile: 'apps/cart/package.json' },
      // a uses cycle stays visible as edges; validate reports E_CYCLE
      { source: 'cart', target: 'shell', type: 'static', sourceFile: 'apps/cart/package.json' },
    ]);
    for (const dep of deps) expect(() => validateDependency(dep, context)).not.toThrow();
  });

  it('skips a name that is not a workspace project with exactly one warning line, once per process', async () => {
    // A name not warned about by an earlier test in this process (warnings are once per process).
    write('apps/shell/package.json', { name: 'shell', esmx: { uses: ['cart', 'elsewhere'] } });
    await createDependencies(undefined, makeContext({ 'apps/shell/package.json': 'w1' }));
    await createDependencies(undefined, makeContext({ 'apps/shell/package.json': 'w1' }));
    expect(warn).toHaveBeenCalledTimes(1);
    const [line] = warn.mock.calls[0];
    expect(line).toMatch(/^\[esmx:graph\] apps\/shell\/package.json: "shell" uses "elsewhere", which is not a project/);
    expect(line).not.toContain('\n');
  });

  it('reads a package.json only when its hash is new, and never throws on a missing file', async () => {
    await createDependencies(undefined, makeContext());
    // Same hashes: answered from the cache even though the file on disk changed.
    write('apps/shell/package.json', { name: 'shell', esmx: { uses: [] } });
    expect((await createDependencies(undefined, makeContext())).filter((d) => d.source === 'shell')).toHaveLength(2);
    // New hash (what Nx reports after the edit): re-read.
    const fresh = makeContext({ 'apps/shell/package.json': 'h2' });
    expect((await createDependencies(undefined, fresh)).filter((d) => d.source === 'shell')).toEqual([]);
    rmSync(join(root, 'apps/cart/package.json'));
    const gone = makeContext({ 'apps/cart/package.json': 'h3', 'apps/shell/package.json': 'h2' });
    expect(await createDependencies(undefined, gone)).toEqual([]);
  });
});
