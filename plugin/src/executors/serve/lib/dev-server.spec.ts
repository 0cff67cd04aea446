import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { RebuildResult } from '../../../bundler/types';
import type { Resolution } from '../../../protocol/types';
import { httpRequest } from '../../../runtime/fixtures/composed-host/spawn-server';
import { startDevServer, type DevServerDeps } from './dev-server';

/** A closure of one module on disk whose first build fails, so the dev server goes straight to its overlay. */
function createDeps(stopped: string[], hooks: { onRebuild?: (result: RebuildResult) => void; link?: DevServerDeps['link'] } = {}): DevServerDeps {
  const resolution = {
    module: 'shell',
    diagnostics: [],
    supply: {},
    mounts: { shell: { name: 'shell', via: 'self', root: '/ws/apps/shell', built: false } },
    modules: {},
  } as unknown as Resolution;
  return {
    resolve: () => resolution,
    build: async (options) => ({
      ...(hooks.onRebuild = options.onRebuild, {}),
      ok: false,
      errors: ['src/entry.server.ts: boom'],
      warnings: [],
      sizes: [],
      manifests: {},
      close: async () => {
        stopped.push('shell');
      },
    }),
    link: (root, resolution) => (hooks.link ? hooks.link(root, resolution) : { diagnostics: [] }),
  };
}

/** Failure deadline of a wait for an event: it only decides when to give up. */
const EVENT_DEADLINE_MS = 30_000;

/** A log sink whose `waitFor(text)` resolves once a line containing `text` was logged. */
function createLogWaiter() {
  const lines: string[] = [];
  const waiters: { text: string; resolve: () => void }[] = [];
  return {
    log: (line: string) => {
      lines.push(line);
      for (const waiter of waiters) if (line.includes(waiter.text)) waiter.resolve();
    },
    waitFor: (text: string) =>
      new Promise<void>((resolve, reject) => {
        if (lines.some((line) => line.includes(text))) return resolve();
        const timer = setTimeout(() => reject(new Error(`no log line containing ${JSON.stringify(text)}: ${lines.join('\n')}`)), EVENT_DEADLINE_MS);
        waiters.push({ text, resolve: () => (clearTimeout(timer), resolve()) });
      }),
  };
}

/** The first answer of the server at `port`, retrying while nothing listens (a server handing the port over). */
async function requestWhenListening(port: number, path: string) {
  const until = Date.now() + EVENT_DEADLINE_MS;
  for (;;) {
    try {
      return await httpRequest(port, path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ECONNREFUSED' || Date.now() > until) throw error;
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
}

describe('startDevServer on a busy port', () => {
  let busy: Server;
  let port: number;
  beforeAll(async () => {
    busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    port = (busy.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise((resolve) => busy.close(resolve));
  });

  it('fails with a tagged message that names the port and the fix, before any build starts', async () => {
    const stopped: string[] = [];
    const deps = createDeps(stopped);
    let builds = 0;
    const build = deps.build;
    deps.build = (options) => (builds++, build(options));
    const error = await startDevServer(
      { root: '/ws/apps/shell', port, host: '127.0.0.1', base: '/', shim: 'never', handleSignals: false, log: () => undefined },
      deps,
    ).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error?.message).toBe(
      `[esmx:serve] expected to listen on 127.0.0.1:${port}, found EADDRINUSE. ` +
        'Fix: pick another port (--port) or stop the other server.',
    );
    expect({ builds, stopped }).toEqual({ builds: 0, stopped: [] });
  });
});

describe('startDevServer after a rebuild whose handling throws', () => {
  it('shows the failure on the overlay and keeps handling later rebuilds', async () => {
    const hooks: Parameters<typeof createDeps>[1] = {
      link: () => {
        throw new Error('[esmx:link] shell: could not write dist/link.json (ENOSPC)');
      },
    };
    const logs = createLogWaiter();
    const dev = await startDevServer(
      { root: '/ws/apps/shell', port: 0, host: '127.0.0.1', base: '/', shim: 'never', handleSignals: false, log: logs.log },
      createDeps([], hooks),
    );
    try {
      const port = Number(new URL(dev.url).port);
      hooks.onRebuild!({ ok: true, errors: [], manifests: {} });
      hooks.onRebuild!({ ok: false, errors: ['src/entry.server.ts: second error'], manifests: {} });
      // Rebuilds are handled in order: the second one's line means the first one's failure was handled too.
      await logs.waitFor('[esmx:serve] shell failed to build');
      const page = await httpRequest(port, '/');
      expect(page.status).toBe(500);
      expect(page.text).toContain('src/entry.server.ts: second error');
      expect(page.text).toContain('could not write dist/link.json (ENOSPC)');
    } finally {
      await dev.close();
    }
  });
});

describe('startDevServer with a rebuild that fires while it is still starting', () => {
  it('handles the rebuild after start-up has settled on a server, without an unhandled rejection', async () => {
    const rejections: unknown[] = [];
    const onRejection = (reason: unknown) => rejections.push(reason);
    process.on('unhandledRejection', onRejection);
    const deps = createDeps([]);
    const build = deps.build;
    // A watcher's second compile reports before the first build call has even returned.
    deps.build = async (options) => {
      const result = await build(options);
      options.onRebuild!({ ok: true, errors: [], manifests: {} });
      return result;
    };
    const logs = createLogWaiter();
    const dev = await startDevServer(
      { root: '/ws/apps/shell', port: 0, host: '127.0.0.1', base: '/', shim: 'never', handleSignals: false, log: logs.log },
      deps,
    );
    try {
      // The rebuild handed the port from the overlay to SSR, which could not start (no dist/link.json here), and
      // back to the overlay: wait for that failure, then for the overlay to answer again.
      await logs.waitFor('[esmx:ssr] expected the link file');
      const page = await requestWhenListening(Number(new URL(dev.url).port), '/');
      expect(page.status).toBe(500);
      expect(rejections).toEqual([]);
    } finally {
      process.off('unhandledRejection', onRejection);
      await dev.close();
    }
  });
});

/** A closure on disk: shell (host), cart and promo (workspace modules), shared (an installed package). */
function createClosure(dir: string, uses: string[], built: Record<string, boolean> = {}): Resolution {
  const mount = (name: string, root: string) => ({ name, via: name === 'shell' ? 'self' : 'node_modules', root, built: built[name] ?? true });
  const roots: Record<string, string> = {
    shell: join(dir, 'apps/shell'),
    cart: join(dir, 'apps/cart'),
    promo: join(dir, 'apps/promo'),
    lib: join(dir, 'libs/lib'),
    shared: join(dir, 'node_modules/shared'),
  };
  const names = ['shell', ...uses];
  return {
    module: 'shell',
    diagnostics: [],
    supply: { groups: [], wiring: {} },
    mounts: Object.fromEntries(names.map((n) => [n, mount(n, roots[n])])),
    modules: Object.fromEntries(
      names.map((n) => [
        n,
        { name: n, root: roots[n], packageJsonPath: join(roots[n], 'package.json'), uses: n === 'shell' ? uses : [], provides: n === 'lib' ? ['react'] : [] },
      ]),
    ),
  } as unknown as Resolution;
}

describe('startDevServer with --devRemotes and uses edits', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'esmx-dev-'));
    for (const folder of ['apps/shell', 'apps/cart', 'apps/promo', 'libs/lib', 'node_modules/shared']) {
      mkdirSync(join(dir, folder), { recursive: true });
      writeFileSync(join(dir, folder, 'package.json'), '{}');
    }
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function fakeDeps(current: { resolution: Resolution }, calls: string[]): DevServerDeps {
    return {
      resolve: () => current.resolution,
      build: async (options) => {
        calls.push(`watch ${options.root.slice(dir.length + 1)}`);
        // A failing first build keeps the overlay up: these tests are about which modules are built, not SSR.
        return { ok: false, errors: ['not this test'], warnings: [], sizes: [], manifests: {}, close: async () => void calls.push(`stop ${options.root.slice(dir.length + 1)}`) };
      },
      link: () => ({ diagnostics: [] }),
      bundleOnce: async (name) => (calls.push(`once ${name}`), { ok: true, output: '' }),
    };
  }
  const options = (extra: object) => ({ root: join(dir, 'apps/shell'), port: 0, host: '127.0.0.1', base: '/', shim: 'never' as const, handleSignals: false, ...extra });

  it('watch-builds only the host, the listed modules and the providers; an unlisted module without a build is built once through Nx', async () => {
    const calls: string[] = [];
    const current = { resolution: createClosure(dir, ['cart', 'promo', 'lib', 'shared'], { promo: false }) };
    const dev = await startDevServer(options({ devRemotes: ['cart'], log: () => undefined }), fakeDeps(current, calls));
    try {
      // lib provides packages: built in the host's (development) mode, whatever --devRemotes says.
      expect(calls).toEqual(['once promo', 'watch apps/cart', 'watch libs/lib', 'watch apps/shell']);
      expect(dev.modules).toEqual(['cart', 'lib', 'shell']);
    } finally {
      await dev.close();
    }
  });

  it('refuses a --devRemotes name the host does not use, with a did-you-mean, before taking the port', async () => {
    const current = { resolution: createClosure(dir, ['cart', 'shared']) };
    const error = await startDevServer(options({ devRemotes: ['crat'], log: () => undefined }), fakeDeps(current, [])).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error?.message).toBe(
      '[esmx:serve] --devRemotes names "crat", which shell does not use (its uses closure: cart, shared). ' +
        'Fix: did you mean "cart"? list workspace modules that shell uses, e.g. --devRemotes=cart',
    );
    const installed = await startDevServer(options({ devRemotes: ['shared'], log: () => undefined }), fakeDeps(current, [])).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(installed?.message).toMatch(/"shared", an installed package, not a workspace module/);
  });

  it('picks up a module added to uses and drops a removed one, without a restart; waits while the new one is not installed', async () => {
    const calls: string[] = [];
    const current = { resolution: createClosure(dir, ['cart']) };
    const logs = createLogWaiter();
    const dev = await startDevServer(options({ log: logs.log, usesDebounceMs: 10 }), fakeDeps(current, calls));
    try {
      expect(calls).toEqual(['watch apps/cart', 'watch apps/shell']);
      // promo is declared but not installed yet: an error resolution, served on with the previous modules.
      current.resolution = { ...createClosure(dir, ['cart']), diagnostics: [{ code: 'E_NOT_LINKED', severity: 'error', module: 'shell', message: '[esmx:protocol] shell: promo is not installed', fix: 'npm install' }] };
      writeFileSync(join(dir, 'apps/shell/package.json'), '{"edited":1}');
      await logs.waitFor("shell's uses changed but cannot be resolved yet");
      // The install lands: the next look succeeds without any further edit.
      current.resolution = createClosure(dir, ['promo']);
      await logs.waitFor("shell's uses changed: added promo; removed cart; re-linked without a restart");
      // The host's watcher restarts too: what it keeps external comes from the new closure.
      expect(calls).toEqual(['watch apps/cart', 'watch apps/shell', 'stop apps/cart', 'stop apps/shell', 'watch apps/promo', 'watch apps/shell']);
    } finally {
      await dev.close();
    }
  });
});
