import { createServer, type Server } from 'node:http';
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

  it('fails with a tagged message that names the port and the fix, and stops the watchers it started', async () => {
    const stopped: string[] = [];
    const error = await startDevServer(
      { root: '/ws/apps/shell', port, host: '127.0.0.1', base: '/', shim: 'never', handleSignals: false, log: () => undefined },
      createDeps(stopped),
    ).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error?.message).toBe(
      `[esmx:serve] expected to listen on 127.0.0.1:${port}, found EADDRINUSE. ` +
        'Fix: pick another port (--port) or stop the other server.',
    );
    expect(stopped).toEqual(['shell']);
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
