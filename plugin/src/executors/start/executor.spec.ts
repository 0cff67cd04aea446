import type { ExecutorContext } from '@nx/devkit';
import * as path from 'node:path';
import { DEFAULT_HOST, DEFAULT_PORT } from '../../constants';
import { startServer } from '../../runtime/index';
import runStartExecutor from './executor';
import { normalizeOptions } from './lib/normalize-options';

// The real server is exercised over HTTP by runtime/server.spec.ts (in a child process: Node's resolve hooks do
// not apply inside Jest). Here: options, project lookup and the executor's lifetime.
jest.mock('../../runtime/index', () => ({ startServer: jest.fn() }));
const startServerMock = startServer as jest.MockedFunction<typeof startServer>;

function context(projectName?: string): ExecutorContext {
  return {
    root: '/ws',
    cwd: '/ws',
    isVerbose: false,
    projectName,
    projectsConfigurations: { version: 2, projects: { shell: { root: 'apps/shell' } } },
    nxJsonConfiguration: {},
    projectGraph: { nodes: {}, dependencies: {} },
  } as ExecutorContext;
}

let err: string[];
beforeEach(() => {
  err = [];
  startServerMock.mockReset();
  jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    err.push(String(chunk));
    return true;
  });
});
afterEach(() => jest.restoreAllMocks());

describe('normalizeOptions', () => {
  it('fills defaults', () => {
    expect(normalizeOptions({})).toEqual({
      options: { port: DEFAULT_PORT, host: DEFAULT_HOST, base: '/', shim: 'auto', nonce: false, renderTimeoutMs: 10_000, onFatal: 'log', traceFaults: 'after-first-fault', healthPath: undefined },
    });
  });
  it('takes renderTimeout, onFatal and healthPath, else ESMX_RENDER_TIMEOUT_MS, ESMX_ON_FATAL and ESMX_HEALTH_PATH', () => {
    expect(normalizeOptions({ renderTimeout: 2500, onFatal: 'exit', healthPath: '/_esmx/health' }).options).toMatchObject({
      renderTimeoutMs: 2500,
      onFatal: 'exit',
      healthPath: '/_esmx/health',
    });
    const saved = { ...process.env };
    Object.assign(process.env, { ESMX_RENDER_TIMEOUT_MS: '700', ESMX_ON_FATAL: 'exit', ESMX_HEALTH_PATH: '/hz' });
    try {
      expect(normalizeOptions({}).options).toMatchObject({ renderTimeoutMs: 700, onFatal: 'exit', healthPath: '/hz' });
      expect(normalizeOptions({ renderTimeout: 50, onFatal: 'log' }).options).toMatchObject({ renderTimeoutMs: 50, onFatal: 'log', healthPath: '/hz' });
    } finally {
      for (const key of ['ESMX_RENDER_TIMEOUT_MS', 'ESMX_ON_FATAL', 'ESMX_HEALTH_PATH']) {
        if (saved[key] === undefined) delete process.env[key];
        else process.env[key] = saved[key];
      }
    }
  });
  it('trims and slashes the base as the import-map layer does', () => {
    expect(normalizeOptions({ base: ' shop ' }).options?.base).toBe('/shop/');
    expect(normalizeOptions({ base: 'a/b' }).options?.base).toBe('/a/b/');
  });
  it('takes PORT, HOST and BASE from the environment for options not given, as node dist/index.mjs does', () => {
    const saved = { PORT: process.env.PORT, HOST: process.env.HOST, BASE: process.env.BASE };
    Object.assign(process.env, { PORT: '5123', HOST: '127.0.0.2', BASE: '/shop' });
    try {
      expect(normalizeOptions({}).options).toMatchObject({ port: 5123, host: '127.0.0.2', base: '/shop/' });
      expect(normalizeOptions({ port: 7000, base: '/' }).options).toMatchObject({ port: 7000, host: '127.0.0.2', base: '/' });
    } finally {
      for (const [key, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    }
  });
  it.each([
    [{ port: 70000 }, '[esmx:start] option "port" must be an integer from 0 to 65535, found 70000; fix: pass e.g. --port=4300'],
    [{ port: 1.5 }, '[esmx:start] option "port" must be an integer from 0 to 65535, found 1.5; fix: pass e.g. --port=4300'],
    [{ host: '' }, '[esmx:start] option "host" must be an interface address, found ""; fix: pass e.g. --host=127.0.0.1'],
    [{ base: '/a?b' }, '[esmx:start] option "base" must be a URL path such as /shop/, found "/a?b"; fix: pass e.g. --base=/shop/'],
    [{ base: '//evil.example/' }, '[esmx:start] option "base" must be a URL path such as /shop/, found "//evil.example/"; fix: pass e.g. --base=/shop/'],
    [
      { base: 'https://cdn.example.com/x' },
      '[esmx:start] option "base" must be a URL path such as /shop/, found the URL "https://cdn.example.com/x": a server answers paths ' +
        'of its own origin; fix: pass only the path (e.g. --base=/x/) and put the origin in front of the server (proxy or CDN)',
    ],
    [{ shim: 'maybe' }, `[esmx:start] option "shim" must be one of auto, always, never, found "maybe"; fix: pass --shim=auto (shim: 'auto' when calling startServer)`],
    [{ renderTimeout: 0 }, '[esmx:start] option "renderTimeout" must be a positive whole number of milliseconds up to 2147483647, found 0; fix: pass e.g. --renderTimeout=10000'],
    [{ onFatal: 'die' }, '[esmx:start] option "onFatal" must be one of log, exit, found "die"; fix: use log (keep serving after a fault) or exit (drain, then exit with code 1)'],
    [{ healthPath: 'health' }, '[esmx:start] option "healthPath" must be an absolute URL path such as /_esmx/health, found "health"; fix: pass e.g. --healthPath=/_esmx/health'],
  ])('rejects %j', (options, error) => {
    expect(normalizeOptions(options as never)).toEqual({ error });
  });
});

describe('runStartExecutor', () => {
  it('starts the server on the project root with the options and resolves when it closes', async () => {
    let close!: () => void;
    const closed = new Promise<void>((resolve) => (close = resolve));
    let started!: () => void;
    const called = new Promise<void>((resolve) => (started = resolve));
    startServerMock.mockImplementation(async () => {
      started();
      return { closed } as never;
    });
    let settled = false;
    const options = { port: 0, base: '/shop/', shim: 'never', nonce: true, renderTimeout: 3000, onFatal: 'exit', healthPath: '/_esmx/health' } as const;
    const run = runStartExecutor(options, context('shell')).then((r) => {
      settled = true;
      return r;
    });
    await called;
    // Let the executor run up to its await of `closed`: had it returned early, `settled` would be true by then.
    await new Promise((resolve) => setImmediate(resolve));
    expect(startServerMock).toHaveBeenCalledWith({
      root: path.join('/ws', 'apps/shell'),
      port: 0,
      host: '127.0.0.1',
      base: '/shop/',
      shim: 'never',
      nonce: true,
      renderTimeoutMs: 3000,
      onFatal: 'exit',
      traceFaults: 'always',
      healthPath: '/_esmx/health',
      handleSignals: true,
      exitOnSignal: false,
    });
    expect(settled).toBe(false);
    close();
    await expect(run).resolves.toEqual({ success: true });
  });

  it('fails with the tagged message, without a stack, when the server cannot start', async () => {
    startServerMock.mockRejectedValue(new Error('[esmx:ssr] expected the link file at /ws/apps/shell/dist/link.json, found no file. Fix: build.'));
    await expect(runStartExecutor({}, context('shell'))).resolves.toEqual({ success: false });
    expect(err).toEqual(['[esmx:ssr] expected the link file at /ws/apps/shell/dist/link.json, found no file. Fix: build.\n']);
  });

  it('fails without a project and with bad options', async () => {
    await expect(runStartExecutor({}, context())).resolves.toEqual({ success: false });
    await expect(runStartExecutor({ shim: 'x' as never }, context('shell'))).resolves.toEqual({ success: false });
    expect(err[0]).toBe('[esmx:start] expected to run on a project, found none; fix: run it as nx run <module>:start\n');
    expect(startServerMock).not.toHaveBeenCalled();
  });

  it('passes publicUrl to the server', async () => {
    startServerMock.mockResolvedValue({ closed: Promise.resolve() } as never);
    await expect(runStartExecutor({ publicUrl: 'https://cdn.example.com/shell/client/' }, context('shell'))).resolves.toEqual({ success: true });
    expect(startServerMock.mock.calls[0][0]).toMatchObject({ publicUrl: 'https://cdn.example.com/shell/client/' });
  });

  it('refuses an environment the host has no esmx.links.json for, before starting the server', async () => {
    await expect(runStartExecutor({ environment: 'staging' }, context('shell'))).resolves.toEqual({ success: false });
    expect(err.join('')).toMatch(/^\[esmx:start\] expected the environment "staging" in \/ws\/apps\/shell\/esmx\.links\.json, found no such environment\. Fix:/);
    expect(startServerMock).not.toHaveBeenCalled();
  });
});
