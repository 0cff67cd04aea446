/** The HTTP server's life: listen, dispatch each request to the router, and stop gracefully (drain, then close). */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TAG } from '../constants';
import { failRequest, OWNED, type RequestTracker } from './request-tracker';
import type { Router } from './request-router';

export interface HttpServerOptions {
  port: number;
  host: string;
  route: Router;
  tracker: RequestTracker;
  logError: (line: string) => void;
  /** Answers a request before the router (return true when handled). */
  intercept?: (req: IncomingMessage, res: ServerResponse) => boolean;
}

function createHttpServer({ route, tracker, logError, intercept }: HttpServerOptions): Server {
  return createServer((req, res) => {
    if (tracker.closing) res.setHeader('connection', 'close');
    if (intercept?.(req, res)) return;
    tracker.inFlight++;
    // One promise chain per request and no per-response listener: this is the hot path of every page.
    let pending;
    try {
      pending = route(req, res);
    } catch (error) {
      failRequest(req, res, error, logError);
      tracker.settle();
      return;
    }
    if (pending === OWNED) return;
    if (pending) {
      pending.then(tracker.settle, (error) => {
        failRequest(req, res, error, logError);
        tracker.settle();
      });
    } else tracker.settle();
  });
}

/** Listens on host:port; resolves with the server and the port it got (`0` picks a free one). */
export async function listen(options: HttpServerOptions): Promise<{ server: Server; port: number }> {
  const server = createHttpServer(options);
  options.tracker.server = server;
  server.keepAliveTimeout = 5_000;
  const { port, host } = options;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      const fix =
        error.code === 'EADDRINUSE' ? 'Fix: pick another port (--port) or stop the other server.' : 'Fix: check host and port.';
      reject(new Error(`${TAG.start} expected to listen on ${host}:${port}, found ${error.code ?? error.message}. ${fix}`));
    });
    server.listen(port, host, () => resolve());
  });
  return { server, port: (server.address() as AddressInfo).port };
}

/**
 * Stops accepting, lets requests in flight finish (their sockets are closed after `drainTimeoutMs`), then
 * resolves. Calling it again returns the same promise.
 */
export function createClose(
  server: Server,
  tracker: RequestTracker,
  drainTimeoutMs: number,
  logError: (line: string) => void,
): () => Promise<void> {
  let closing: Promise<void> | undefined;
  return () => {
    if (closing) return closing;
    // Responses still rendering add `connection: close` when they are written.
    tracker.closing = true;
    closing = new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        logError(`${TAG.start} ${tracker.inFlight} request(s) still running after ${drainTimeoutMs} ms; closing their sockets.`);
        server.closeAllConnections();
      }, drainTimeoutMs);
      timer.unref();
      server.close(() => {
        clearTimeout(timer);
        resolve();
      });
      server.closeIdleConnections();
    });
    return closing;
  };
}
