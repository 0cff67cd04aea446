import type { ExecutorContext } from '@nx/devkit';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import runLinkExecutor from './executor';
import { createLinkWorkspace, type LinkWorkspace } from '../../link/fixtures/link-workspace';

let ws: LinkWorkspace;
let log: jest.SpyInstance;
let error: jest.SpyInstance;
let warn: jest.SpyInstance;

function context(projectName: string, root: string): ExecutorContext {
  return {
    root: ws.root,
    cwd: ws.root,
    isVerbose: false,
    projectName,
    projectsConfigurations: { version: 2, projects: { [projectName]: { root } } },
    nxJsonConfiguration: {},
    projectGraph: { nodes: {}, dependencies: {} },
  } as ExecutorContext;
}

beforeEach(() => {
  ws = createLinkWorkspace();
  log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
  error = jest.spyOn(console, 'error').mockImplementation(() => undefined);
  warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
});
afterEach(() => {
  jest.restoreAllMocks();
  ws.remove();
});

describe('@esmx/nx:link', () => {
  it('links the project and prints one summary line', async () => {
    await expect(runLinkExecutor({}, context('shop', 'apps/shop'))).resolves.toEqual({ success: true });
    expect(log.mock.calls).toEqual([
      ['[esmx:link] shop: linked 3 modules; wrote dist/importmap.json (3 imports, 0 scopes) and dist/link.json.'],
    ]);
    expect(error).not.toHaveBeenCalled();
    expect(JSON.parse(readFileSync(join(ws.dir('shop'), 'dist/link.json'), 'utf8')).module).toBe('shop');
  });

  it('fails with the formatted E_NOT_BUILT diagnostic when a used module is not built', async () => {
    rmSync(join(ws.dir('cart'), 'dist'), { recursive: true });
    await expect(runLinkExecutor({}, context('shop', 'apps/shop'))).resolves.toEqual({ success: false });
    const printed = error.mock.calls.map((c) => String(c[0])).join('\n');
    expect(printed).toContain('E_NOT_BUILT');
    expect(printed).toContain('nx run cart:build');
    expect(printed).toContain('[esmx:link] shop: not linked');
    expect(existsSync(join(ws.dir('shop'), 'dist/importmap.json'))).toBe(false);
  });

  it('refuses to link a module whose declaration has errors, and keeps the link outputs of its last good link', async () => {
    await expect(runLinkExecutor({}, context('shop', 'apps/shop'))).resolves.toEqual({ success: true });
    const outputs = ['importmap.json', 'link.json'].map((f) => readFileSync(join(ws.dir('shop'), 'dist', f), 'utf8'));
    error.mockClear();
    writeFileSync(join(ws.dir('shop'), 'package.json'), '{ "name": "shop", "esmx": ');
    await expect(runLinkExecutor({}, context('shop', 'apps/shop'))).resolves.toEqual({ success: false });
    expect(['importmap.json', 'link.json'].map((f) => readFileSync(join(ws.dir('shop'), 'dist', f), 'utf8'))).toEqual(outputs);
    const printed = error.mock.calls.map((c) => String(c[0])).join('\n');
    expect(printed).toContain('E_SCHEMA');
    expect(printed).toContain('not linked because the declaration has errors');
    expect(printed).toContain('kept the previous build of shop: dist/ was left as it was');
    expect(warn).not.toHaveBeenCalled();
  });

  it('passes explicit links to the resolver', async () => {
    const result = await runLinkExecutor({ links: { cart: 'https://cdn.example.com/cart/' } }, context('shop', 'apps/shop'));
    expect(result).toEqual({ success: true });
    const linkFile = JSON.parse(readFileSync(join(ws.dir('shop'), 'dist/link.json'), 'utf8'));
    expect(linkFile.modules.cart).toEqual({ url: 'https://cdn.example.com/cart/' });
  });
});
