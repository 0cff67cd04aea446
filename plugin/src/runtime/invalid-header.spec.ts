/**
 * A handler that sets a header value Node refuses (a newline in `rc.responseHeaders`): the page renderer's failed
 * writeHead falls to the shared last-resort 500, whose status line must be its own, not the `OK` the failed
 * writeHead left behind. Runs the real page renderer in-process over a hand-made generation (no loader needed).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { rawHttpRequest } from './fixtures/composed-host/spawn-server';
import type { Generation } from './generation';
import { createPageRenderer } from './page-renderer';
import type { PendingPage } from './pending-page';
import { createFaultCounts } from './process-faults';
import { createPagePieces } from './page-pieces';
import { RequestTracker } from './request-tracker';
import type { RenderContext } from './types';

let server: Server;
let port: number;
const logs: string[] = [];

beforeAll(async () => {
  const tracker = new RequestTracker();
  const { render: renderPage } = createPageRenderer({
    base: '/',
    logError: (line) => logs.push(line),
    tracker,
    renderTimeoutMs: 10_000,
    scope: new AsyncLocalStorage<PendingPage>(),
    faults: createFaultCounts(),
  });
  const generation = {
    pieces: createPagePieces({ imports: {}, scopes: {}, integrity: {} }, { modules: [], css: [], fonts: [] }, { mode: 'never', src: '', integrity: '' }),
    handler: (rc: RenderContext) => {
      rc.responseHeaders['set-cookie'] = 'session=1';
      rc.responseHeaders['x-injected'] = 'a\r\nx-evil: 1';
      rc.html = '<p>never sent</p>';
    },
  } as unknown as Generation;
  server = createServer((req, res) => {
    tracker.inFlight++;
    renderPage(generation, req, res, req.url!, '');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

it('answers 500 Internal Server Error, without the header, the page or the headers the handler set', async () => {
  const raw = await rawHttpRequest(port, '/');
  const [head, body] = raw.text.split('\r\n\r\n');
  expect(head.split('\r\n')[0]).toBe('HTTP/1.1 500 Internal Server Error');
  expect(head).not.toMatch(/x-evil|x-injected|set-cookie/i);
  expect(body).toBe('500 Internal Server Error\n');
  expect(logs).toHaveLength(1);
  expect(logs[0]).toMatch(/^\[esmx:ssr\] GET \/ failed; answered 500: TypeError: Invalid character in header content \["x-injected"\]/);
});
