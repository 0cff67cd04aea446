/**
 * The dev server over real HTTP, in a child process (the runtime's resolve hook needs real Node), with fake
 * builds over the runtime's hand-written fixture host: no Rspack. Cart's files are rewritten IN PLACE (same file
 * names, like a development build), so a stale server module would show the old version.
 */
import type { ExecutorContext } from '@nx/devkit';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { httpRequest, spawnTsProcess, type SpawnedServer } from '../../runtime/fixtures/composed-host/spawn-server';
import runServeExecutor from './executor';
import { injectBeforeBodyEnd, renderLiveReloadScript, renderOverlayPage } from './lib/live-reload';

jest.setTimeout(60_000);

const RUNNER = join(__dirname, 'fixtures/fake-builds/run-dev-server.ts');

/** Failure deadline of a wait for an event: it only decides when to give up. */
const EVENT_DEADLINE_MS = 30_000;

type SseEvent = { event: string; data: string };

/** Collects the SSE events of the dev server; `next(event, data)` resolves when that event arrives (or had). */
function listen(port: number): { events: SseEvent[]; next(event: string, data?: string): Promise<SseEvent>; close(): void } {
  const events: SseEvent[] = [];
  const waiters = new Set<{ matches: (e: SseEvent) => boolean; resolve: (e: SseEvent) => void }>();
  const req = request({ host: '127.0.0.1', port, path: '/_esmx/events', agent: false }, (res) => {
    let buffer = '';
    res.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      let end: number;
      while ((end = buffer.indexOf('\n\n')) !== -1) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (!event) continue;
        const received = { event, data: data ?? '' };
        events.push(received);
        for (const waiter of waiters) if (waiter.matches(received)) waiter.resolve(received);
      }
    });
  });
  req.on('error', () => undefined); // closed by the test or by the server's shutdown
  req.end();
  const next = (event: string, data?: string) =>
    new Promise<SseEvent>((resolve, reject) => {
      const matches = (e: SseEvent) => e.event === event && (data === undefined || e.data === data);
      const seen = events.find(matches);
      if (seen) return resolve(seen);
      const timer = setTimeout(() => reject(new Error(`no SSE event ${event} ${data ?? ''}: ${JSON.stringify(events)}`)), EVENT_DEADLINE_MS);
      const waiter = {
        matches,
        resolve: (e: SseEvent) => {
          clearTimeout(timer);
          waiters.delete(waiter);
          resolve(e);
        },
      };
      waiters.add(waiter);
    });
  return { events, next, close: () => req.destroy() };
}

describe('dev server', () => {
  let workspace: string;
  let dev: SpawnedServer;
  beforeAll(async () => {
    workspace = mkdtempSync(join(tmpdir(), 'esmx-serve-'));
    dev = await spawnTsProcess(RUNNER, [workspace, 'ok']);
  });
  afterAll(() => {
    dev?.child.kill('SIGKILL');
    rmSync(workspace, { recursive: true, force: true });
  });

  it('serves SSR with the live-reload client injected and prints its URL', async () => {
    const res = await httpRequest(dev.port, '/');
    expect(res.status).toBe(200);
    expect(res.text).toContain('<section id="cart" data-version="v1">');
    expect(res.text).toContain(`${renderLiveReloadScript('/', 0)}</body></html>`);
    expect(dev.logs.join('\n')).toContain(`[esmx:serve] shell dev server at http://127.0.0.1:${dev.port}/ (watching cart, nav, shared, shell)`);
  });

  it('after an in-place rebuild of a remote serves the new SSR output and tells pages to reload', async () => {
    const sse = listen(dev.port);
    await sse.next('hello');
    expect(sse.events[0]).toMatchObject({ event: 'hello', data: '0' });
    await dev.request({ type: 'rebuild', version: 'v2' }, 'done');
    // The reload event goes out once the new generation serves: the next page must be v2.
    const reload = await sse.next('reload');
    expect(reload.data).toBe('1');
    const page = await httpRequest(dev.port, '/');
    expect(page.text).toContain('<section id="cart" data-version="v2">Cart v2 (2 items) for &lt;alice&gt;</section>');
    expect(page.text).not.toContain('data-version="v1"');
    // The helper chunk cart-util.mjs was rewritten too: its label names v2, so no stale module anywhere in cart.
    expect(page.text).toContain('Cart v2 (2 items)');
    sse.close();
  });

  it('shows a build error as an overlay, keeps serving static files, and recovers on the next good build', async () => {
    const sse = listen(dev.port);
    await sse.next('hello');
    await dev.request({ type: 'fail', error: '[esmx:build] cart client: Module parse failed: <Unexpected token> \u001b[31mred\u001b[39m' }, 'done');
    await sse.next('reload', '2');
    const overlay = await httpRequest(dev.port, '/', { headers: { accept: 'text/html' } });
    expect(overlay.status).toBe(500);
    expect(overlay.text).toContain('<h2>cart</h2><pre>[esmx:build] cart client: Module parse failed: &lt;Unexpected token&gt; red</pre>');
    expect(overlay.text).toContain('id="esmx-build-error"');
    expect((await httpRequest(dev.port, '/cart/manifest.json')).status).toBe(200);
    expect(dev.child.exitCode).toBeNull();
    expect(dev.logs.join('\n')).toContain('[esmx:serve] cart failed to build; the overlay shows the error and the server keeps running.');

    await dev.request({ type: 'rebuild', version: 'v3' }, 'done');
    await sse.next('reload', '3');
    const fixed = await httpRequest(dev.port, '/');
    expect(fixed.status).toBe(200);
    expect(fixed.text).toContain('data-version="v3"');
    sse.close();
  });

  it('stops its watchers and the server on SIGTERM', async () => {
    dev.child.kill('SIGTERM');
    expect(await dev.exited).toBe(0);
  });
});

describe('dev server whose first build fails', () => {
  it('holds the port with the overlay, then serves SSR after the first good build', async () => {
    const workspace = mkdtempSync(join(tmpdir(), 'esmx-serve-'));
    const dev = await spawnTsProcess(RUNNER, [workspace, 'broken-start']);
    try {
      const overlay = await httpRequest(dev.port, '/');
      expect(overlay.status).toBe(500);
      expect(overlay.text).toContain('<h2>shell</h2><pre>[esmx:build] shell: Module parse failed &lt;here&gt;</pre>');
      await dev.request({ type: 'rebuild', module: 'shell' }, 'done');
      // Logged once SSR listens on the port the overlay held.
      await dev.waitForLog('[esmx:serve] shell rebuilt; SSR reloaded');
      const page = await httpRequest(dev.port, '/');
      expect(page.status).toBe(200);
      expect(page.text).toContain('data-version="v1"');
    } finally {
      dev.child.kill('SIGKILL');
      rmSync(workspace, { recursive: true, force: true });
    }
  });
});

describe('live reload helpers and the executor', () => {
  it('injects before </body>, or appends', () => {
    expect(injectBeforeBodyEnd('<body>a</body></html>', '<s>')).toBe('<body>a<s></body></html>');
    expect(injectBeforeBodyEnd('plain', '<s>')).toBe('plain<s>');
  });

  it('escapes errors in the overlay', () => {
    const page = renderOverlayPage(new Map([['<x>', [`a < b & "c" 'd'`]]]), '/shop/', 3);
    expect(page).toContain('<h2>&lt;x&gt;</h2><pre>a &lt; b &amp; &quot;c&quot; &#39;d&#39;</pre>');
    expect(page).toContain('new EventSource("/shop/_esmx/events");let v="3";');
  });

  it('yields a failure for bad options and for a missing project', async () => {
    const errors: string[] = [];
    jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      errors.push(String(chunk));
      return true;
    });
    const context = { root: '/ws', projectName: undefined, projectsConfigurations: { version: 2, projects: {} } } as unknown as ExecutorContext;
    const first = await runServeExecutor({ port: -1 }, context).next();
    expect(first.value).toEqual({ success: false });
    const second = await runServeExecutor({}, context).next();
    expect(second.value).toEqual({ success: false });
    expect(errors).toEqual([
      '[esmx:serve] option "port" must be an integer from 0 to 65535, found -1; fix: pass e.g. --port=4300\n',
      '[esmx:serve] expected to run on a project, found none; fix: run it as nx serve <module>\n',
    ]);
    jest.restoreAllMocks();
  });

  it('yields a failure, before building anything, for an environment its esmx.links.json does not define', async () => {
    const root = mkdtempSync(join(tmpdir(), 'esmx-serve-env-'));
    try {
      writeFileSync(join(root, 'esmx.links.json'), JSON.stringify({ environments: { staging: {} } }));
      const errors: string[] = [];
      jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
        errors.push(String(chunk));
        return true;
      });
      const context = { root, projectName: 'shell', projectsConfigurations: { version: 2, projects: { shell: { root: '.' } } } } as unknown as ExecutorContext;
      const first = await runServeExecutor({ environment: 'production', port: 0 }, context).next();
      expect(first.value).toEqual({ success: false });
      expect(errors.join('')).toMatch(/^\[esmx:serve\] expected the environment "production" in .*esmx\.links\.json, found only "staging"\. Fix:/);
    } finally {
      jest.restoreAllMocks();
      rmSync(root, { recursive: true, force: true });
    }
  });
});
