/**
 * The page renderer alone, on fake requests and fake timers: who answers a page (the handler, its error, the render
 * timeout, a fault) and what happens to a result that arrives after the answer. The real server over HTTP, with
 * process-level faults, is in server.spec.ts.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Generation } from './generation';
import { createPageRenderer } from './page-renderer';
import type { PendingPage } from './pending-page';
import { createFaultCounts } from './process-faults';
import type { PagePieces } from './page-pieces';
import { OWNED, RequestTracker } from './request-tracker';
import type { RenderContext } from './types';

interface FakeResponse {
  status?: number;
  headers?: Record<string, string | number>;
  body?: string;
  ends: number;
}

function fakeExchange(method = 'GET'): { req: IncomingMessage; res: ServerResponse; sent: FakeResponse } {
  const sent: FakeResponse = { ends: 0 };
  const res = {
    headersSent: false,
    destroyed: false,
    setHeader() {},
    getHeaderNames: () => [],
    removeHeader() {},
    writeHead(status: number, reasonOrHeaders: string | Record<string, string | number>, headers?: Record<string, string | number>) {
      sent.status = status;
      sent.headers = typeof reasonOrHeaders === 'string' ? headers : reasonOrHeaders;
      this.headersSent = true;
    },
    end(body?: string) {
      sent.body = body;
      sent.ends++;
    },
  };
  return { req: { method, headers: {} } as IncomingMessage, res: res as unknown as ServerResponse, sent };
}

function setup(
  handler: (rc: RenderContext) => void | Promise<void>,
  renderTimeoutMs = 500,
  renderErrorPage?: (error: unknown) => string,
  banner?: string,
) {
  const logs: string[] = [];
  const tracker = new RequestTracker();
  const faults = createFaultCounts();
  const scope = new AsyncLocalStorage<PendingPage>();
  const renderer = createPageRenderer({ base: '/', logError: (line) => logs.push(line), tracker, renderTimeoutMs, scope, faults, renderErrorPage });
  const gen = { handler, pieces: {} as PagePieces, banner } as unknown as Generation;
  const render = (path = 'page', method = 'GET') => {
    const exchange = fakeExchange(method);
    tracker.inFlight++;
    expect(renderer.render(gen, exchange.req, exchange.res, path, '?q=1')).toBe(OWNED);
    return exchange.sent;
  };
  return { logs, tracker, faults, scope, renderer, render };
}

/** Lets settled promises run their reactions (no timers involved). */
const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

beforeEach(() => jest.useFakeTimers({ doNotFake: ['setImmediate'] }));
afterEach(() => jest.useRealTimers());

describe('render timeout', () => {
  it('answers 504 with an HTML page once the timeout passes, settles the request, and counts it', async () => {
    const { render, tracker, faults, logs } = setup(() => new Promise<void>(() => undefined), 500);
    const sent = render();
    jest.advanceTimersByTime(499);
    expect(sent.ends).toBe(0);
    expect(tracker.inFlight).toBe(1);
    jest.advanceTimersByTime(1);
    expect(sent.status).toBe(504);
    expect(sent.headers?.['content-type']).toBe('text/html; charset=utf-8');
    expect(sent.body).toContain('<h1>504 Gateway Timeout</h1>');
    expect(tracker.inFlight).toBe(0);
    expect(faults.renderTimeouts).toBe(1);
    expect(logs).toEqual([
      '[esmx:ssr] rendering GET /page?q=1 did not finish within 500 ms (render timeout 1 since start); answered 504. ' +
        'Fix: find what the render awaits that never settles (a request without a timeout, a promise nothing resolves), ' +
        'or raise renderTimeoutMs (ESMX_RENDER_TIMEOUT_MS).',
    ]);
  });

  it('drops a late result and logs it once with the URL and how late it was', async () => {
    let finish!: () => void;
    const { render, tracker, logs } = setup((rc) => new Promise<void>((resolve) => (finish = () => ((rc.html = 'late'), resolve()))), 500);
    const sent = render('slow');
    jest.advanceTimersByTime(500);
    jest.advanceTimersByTime(250);
    finish();
    await flush();
    expect(sent.ends).toBe(1);
    expect(sent.status).toBe(504);
    expect(tracker.inFlight).toBe(0);
    expect(logs.slice(1)).toEqual([
      '[esmx:ssr] the render of GET /slow?q=1 finished 250 ms after its 500 ms timeout had answered 504; its result was dropped.',
    ]);
  });

  it('never fires for a render that finished in time, and a late rejection is dropped with its error', async () => {
    const quick = setup((rc) => {
      rc.html = 'ok';
    });
    const sent = quick.render();
    jest.advanceTimersByTime(10_000);
    expect([sent.status, sent.body, sent.ends]).toEqual([200, 'ok', 1]);
    expect(quick.logs).toEqual([]);
    expect(quick.faults.renderTimeouts).toBe(0);

    let fail!: (error: Error) => void;
    const slow = setup(() => new Promise<void>((_, reject) => (fail = reject)), 100);
    const late = slow.render();
    jest.advanceTimersByTime(130);
    fail(new Error('too late'));
    await flush();
    expect(late.ends).toBe(1);
    expect(slow.faults.renderErrors).toBe(0);
    expect(slow.logs[1]).toMatch(/^\[esmx:ssr\] the render of GET \/page\?q=1 failed \(Error: too late\n.*\) 30 ms after its 100 ms timeout/s);
  });
});

describe('render errors and faults', () => {
  it('answers a throwing or rejecting render 500 and counts each', async () => {
    const { render, faults, logs, tracker } = setup((rc) => {
      if (rc.params.url.startsWith('/sync')) throw new Error('sync boom');
      return Promise.reject(new Error('async boom'));
    });
    const sync = render('sync');
    const rejected = render('async', 'HEAD');
    await flush();
    expect([sync.status, rejected.status]).toEqual([500, 500]);
    expect(sync.body).toContain('<h1>500 Internal Server Error</h1>');
    expect(rejected.body).toBeUndefined();
    expect(faults.renderErrors).toBe(2);
    expect(tracker.inFlight).toBe(0);
    expect(logs[0]).toMatch(/^\[esmx:ssr\] rendering GET \/sync\?q=1 failed \(render error 1 since start\); answered 500: Error: sync boom\n/);
    expect(logs[1]).toMatch(/^\[esmx:ssr\] rendering HEAD \/async\?q=1 failed \(render error 2 since start\); answered 500: Error: async boom\n/);
    jest.advanceTimersByTime(1_000);
    expect(faults.renderTimeouts).toBe(0);
  });

  it('answers a throwing render with the page renderErrorPage makes (the dev overlay), the status still 500', async () => {
    const { render } = setup(
      () => {
        throw new Error('widget boom');
      },
      500,
      (error) => `<pre>${(error as Error).message}</pre>`,
    );
    const sent = render();
    await flush();
    expect([sent.status, sent.body]).toEqual([500, '<pre>widget boom</pre>']);
  });

  it('answers 500 and settles the request when renderErrorPage itself throws', async () => {
    const { render, tracker, logs } = setup(
      () => Promise.reject(new Error('widget boom')),
      500,
      () => {
        throw new Error('overlay boom');
      },
    );
    const sent = render();
    await flush();
    expect([sent.status, sent.ends]).toEqual([500, 1]);
    expect(tracker.inFlight).toBe(0);
    expect(logs.join('\n')).toContain('Error: overlay boom');
  });

  it('runs the render inside the scope, and a fault answers its page 500 exactly once', async () => {
    let seen: PendingPage | undefined;
    let finish!: () => void;
    const ctx = setup(async (rc) => {
      // Fake timers do not carry async context; a promise continuation does, as real timers do.
      await Promise.resolve();
      seen = ctx.scope.getStore();
      await new Promise<void>((resolve) => (finish = () => ((rc.html = 'after the fault'), resolve())));
    });
    const sent = ctx.render('scoped');
    await flush();
    expect(ctx.scope.getStore()).toBeUndefined();
    expect(seen?.label).toBe('GET /scoped?q=1');
    expect(ctx.renderer.answerFault(seen!)).toBe(true);
    expect(ctx.renderer.answerFault(seen!)).toBe(false);
    expect([sent.status, sent.ends]).toEqual([500, 1]);
    expect(ctx.tracker.inFlight).toBe(0);
    finish();
    await flush();
    jest.advanceTimersByTime(1_000);
    expect([sent.status, sent.ends, ctx.tracker.inFlight, ctx.faults.renderTimeouts]).toEqual([500, 1, 0, 0]);
  });
});

describe('the page response', () => {
  it('sends a redirect with its own status only when that status means "go to Location", else 302', async () => {
    const statuses: number[] = [];
    for (const status of [301, 303, 307, 308, 200, 304, 300]) {
      const { render } = setup((rc) => {
        rc.status = status;
        rc.redirect = '/elsewhere';
      });
      const sent = render();
      await flush();
      expect(sent.headers).toMatchObject({ location: '/elsewhere', 'content-length': 0 });
      statuses.push(sent.status!);
    }
    expect(statuses).toEqual([301, 303, 307, 308, 302, 302, 302]);
  });

  it('sends the headers a handler adds to responseHeaders, or assigns as a whole (plain JS), and only the defaults otherwise', async () => {
    const none = setup((rc) => void (rc.html = 'a')).render();
    const added = setup((rc) => {
      rc.responseHeaders['X-Frame-Options'] = 'DENY';
      rc.html = 'b';
    }).render();
    const assigned = setup((rc) => {
      (rc as { responseHeaders: Record<string, string> }).responseHeaders = { 'Content-Type': 'text/plain' };
      rc.html = 'c';
    }).render();
    await flush();
    expect(none.headers).toEqual({ 'content-type': 'text/html; charset=utf-8', 'content-length': 1 });
    expect(added.headers).toEqual({ 'content-type': 'text/html; charset=utf-8', 'x-frame-options': 'DENY', 'content-length': 1 });
    expect(assigned.headers).toEqual({ 'content-type': 'text/plain', 'content-length': 1 });
  });

  it('never lets an override page be cached, whatever cache-control its handler set', async () => {
    const handler = (rc: RenderContext) => {
      rc.responseHeaders['Cache-Control'] = 'public, s-maxage=600';
      rc.html = '<html><body>page</body></html>';
    };
    const plain = setup(handler).render();
    const override = setup(handler, 500, undefined, '<div>override</div>').render();
    await flush();
    expect(plain.headers?.['cache-control']).toBe('public, s-maxage=600');
    expect(override.headers?.['cache-control']).toBe('no-store');
    expect(override.body).toContain('<div>override</div>');
  });

  it('ends a response that extendParams began before it threw, instead of leaving the client waiting', () => {
    const tracker = new RequestTracker();
    const renderer = createPageRenderer({
      base: '/',
      logError: () => undefined,
      tracker,
      renderTimeoutMs: 500,
      scope: new AsyncLocalStorage<PendingPage>(),
      faults: createFaultCounts(),
      extendParams: (_req, res) => {
        res.writeHead(200, {});
        throw new Error('extendParams boom');
      },
    });
    const { req, res, sent } = fakeExchange();
    const destroy = jest.fn();
    Object.assign(res, { writableEnded: false, destroy });
    tracker.inFlight++;
    renderer.render({ handler: () => undefined, pieces: {} } as unknown as Generation, req, res, 'page', '');
    expect(sent.status).toBe(200);
    expect(sent.ends).toBe(0);
    expect(destroy).toHaveBeenCalledTimes(1);
    expect(tracker.inFlight).toBe(0);
  });
});
