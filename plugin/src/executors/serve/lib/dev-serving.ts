/**
 * Who holds the dev server's port: an overlay-only server until the first good build of everything, then the
 * production SSR runtime, which gets the live-reload client and the frameworks' page scripts injected into every page,
 * and the overlay instead of pages while a build is broken.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { TAG } from '../../../constants';
import { startServer, type ServerHandle } from '../../../runtime/index';
import type { DevState } from './dev-state';
import { injectAfterHeadStart, injectBeforeBodyEnd, renderLiveReloadScript, renderOverlayPage } from './live-reload';
import type { DevModule } from './plan-modules';

export interface DevServing {
  /** Takes the port with the overlay-only server: a busy port fails here, with a tagged message and a fix. */
  listenOverlay(): Promise<void>;
  /**
   * Serves the linked generation: reloads the SSR server's maps, or hands the port from the overlay to a new SSR
   * server. False when SSR could not start (its error is on the overlay and printed; the overlay holds the port again).
   */
  goLive(): Promise<boolean>;
  /** Loads what the frameworks of these watched modules run first on every page (React Refresh's runtime). */
  loadPageScripts(modules: DevModule[]): Promise<void>;
  /** The URL the server answers on. */
  readonly url: string;
  close(): Promise<void>;
}

/** Closes `server` and the connections it holds (SSE clients would hold it open forever; they reconnect). */
function closeServer(server: Server): Promise<void> {
  const stopped = new Promise<void>((done) => server.close(() => done()));
  server.closeAllConnections();
  return stopped;
}

export function createDevServing(state: DevState): DevServing {
  const { options, hub, errors, log } = state;
  const { base, host } = options;
  let handle: ServerHandle | undefined;
  let overlayServer: Server | undefined;
  // The port actually bound (options.port may be 0): kept when the overlay-only server hands over to SSR.
  let port = options.port;
  let pageScripts = '';

  // Serves SSE, and while a build is broken the overlay instead of pages (static files keep being served).
  const intercept = (req: IncomingMessage, res: ServerResponse): boolean => {
    if (hub.handle(req, res)) return true;
    if (errors.size === 0) return false;
    const accept = String(req.headers.accept ?? '');
    const isPage = accept.includes('text/html') || !/\.[a-z0-9]+(\?|$)/i.test(req.url ?? '');
    if (!isPage) return false;
    const page = renderOverlayPage(errors, base, hub.version);
    res.writeHead(500, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(page), 'cache-control': 'no-store' });
    res.end(req.method === 'HEAD' ? undefined : page);
    return true;
  };

  const listenSsr = async (): Promise<boolean> => {
    try {
      handle = await startServer({
        root: options.root,
        port,
        host,
        base,
        shim: options.shim,
        handleSignals: false,
        // Development wants every fault named with its request more than 1 µs per page.
        traceFaults: 'always',
        log,
        intercept,
        transformHtml: (html) => injectBeforeBodyEnd(injectAfterHeadStart(html, pageScripts), renderLiveReloadScript(base, hub.version)),
        // An SSR error shows its stack (source-mapped: the dev server enables source maps) instead of a blank 500.
        renderErrorPage: (error) =>
          renderOverlayPage(
            new Map([[TAG.ssr, [error instanceof Error ? (error.stack ?? error.message) : String(error)]]]),
            base,
            hub.version,
            'rendering this page threw; fix the error and save: this page reloads by itself.',
          ),
      });
      return true;
    } catch (error) {
      errors.set(TAG.ssr, [(error as Error).message]);
      log((error as Error).message);
      return false;
    }
  };

  const listenOverlay = () =>
    new Promise<void>((resolve, reject) => {
      const server = createServer((req, res) => {
        if (!intercept(req, res)) {
          res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' });
          res.end(`${TAG.serve} not built yet\n`);
        }
      });
      overlayServer = server;
      server.once('error', (error: NodeJS.ErrnoException) => {
        overlayServer = undefined;
        reject(
          new Error(
            `${TAG.serve} expected to listen on ${host}:${port}, found ${error.code ?? error.message}. ` +
              (error.code === 'EADDRINUSE' ? 'Fix: pick another port (--port) or stop the other server.' : 'Fix: check host and port.'),
          ),
        );
      });
      server.listen(port, host, () => {
        port = (server.address() as { port: number }).port;
        resolve();
      });
    });

  return {
    listenOverlay,
    async goLive() {
      if (handle) {
        await handle.reload();
        return true;
      }
      const server = overlayServer!;
      overlayServer = undefined;
      await closeServer(server);
      errors.clear();
      if (await listenSsr()) return true;
      await listenOverlay();
      return false;
    },
    async loadPageScripts(modules) {
      if (!state.hot || !state.deps.devPageScripts) return;
      const { scripts, problems } = await state.deps.devPageScripts(modules);
      for (const problem of problems) log(problem);
      // Inline: nothing in them may close the script element early.
      pageScripts = scripts.map((script) => `<script>${script.replace(/<\/script/gi, '<\\/script')}</script>`).join('');
    },
    get url() {
      return handle?.url ?? `http://${host}:${port}${base}`;
    },
    async close() {
      if (handle) await handle.close();
      if (overlayServer) await closeServer(overlayServer);
    },
  };
}
