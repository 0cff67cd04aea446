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

  describe('links per environment (esmx.links.json)', () => {
    const linksFile = () => join(ws.dir('shop'), 'esmx.links.json');
    const linkOf = () => JSON.parse(readFileSync(join(ws.dir('shop'), 'dist/link.json'), 'utf8')).modules;

    it('applies the environment\'s links, and --links over them', async () => {
      writeFileSync(linksFile(), JSON.stringify({ environments: { staging: { cart: 'https://staging.example.com/cart/client/' } } }));
      await expect(runLinkExecutor({ environment: 'staging' }, context('shop', 'apps/shop'))).resolves.toEqual({ success: true });
      expect(linkOf().cart).toEqual({ url: 'https://staging.example.com/cart/client/' });
      expect(log.mock.calls.at(-1)![0]).toContain('(cart → https://staging.example.com/cart/client/)');
      await expect(
        runLinkExecutor({ environment: 'staging', links: { cart: 'https://one-off.example.com/cart/client/' } }, context('shop', 'apps/shop')),
      ).resolves.toEqual({ success: true });
      expect(linkOf().cart).toEqual({ url: 'https://one-off.example.com/cart/client/' });
      await expect(runLinkExecutor({}, context('shop', 'apps/shop'))).resolves.toEqual({ success: true });
      expect(linkOf().cart).toEqual({ dir: expect.any(String) });
    });

    it('refuses an environment the file does not define, naming the ones it does', async () => {
      writeFileSync(linksFile(), JSON.stringify({ environments: { staging: {} } }));
      const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
      await expect(runLinkExecutor({ environment: 'prod' }, context('shop', 'apps/shop'))).resolves.toEqual({ success: false });
      expect(stderr.mock.calls.map((c) => String(c[0])).join('')).toMatch(
        /^\[esmx:link\] expected the environment "prod" in .*esmx\.links\.json, found only "staging"\. Fix: add "prod" under "environments"/,
      );
    });

    it.each([
      ['invalid JSON', '{ "environments": { "staging": ', /expected JSON in .*esmx\.links\.json, found invalid JSON at line 1, column \d+/],
      ['no environments', '{ "staging": {} }', /expected an object with "environments" in .*esmx\.links\.json, found \{"staging":\{\}\}/],
      ['a link that is not a string', '{ "environments": { "staging": { "cart": 3 } } }', /expected environments\.staging\.cart to be a directory or an http\(s\) URL in .*, found 3/],
      ['a file: URL', '{ "environments": { "staging": { "cart": "file:///srv/cart" } } }', /expected environments\.staging\.cart to be a directory or an http\(s\) URL in .*, found "file:\/\/\/srv\/cart"/],
      ['a bad environment name', '{ "environments": { "st aging": {} } }', /expected environment names of letters, digits, - and _/],
    ])('refuses a links file with %s, and leaves dist/ as it was', async (_, text, message) => {
      await expect(runLinkExecutor({}, context('shop', 'apps/shop'))).resolves.toEqual({ success: true });
      const before = readFileSync(join(ws.dir('shop'), 'dist/link.json'), 'utf8');
      writeFileSync(linksFile(), text);
      const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
      await expect(runLinkExecutor({}, context('shop', 'apps/shop'))).resolves.toEqual({ success: false });
      const printed = stderr.mock.calls.map((c) => String(c[0])).join('');
      expect(printed).toMatch(/^\[esmx:link\] /);
      expect(printed).toMatch(message);
      expect(printed).toContain('Fix: ');
      expect(readFileSync(join(ws.dir('shop'), 'dist/link.json'), 'utf8')).toBe(before);
    });
  });
});
