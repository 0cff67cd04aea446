/** The HTTP server's life: listen with the request handler, and stop gracefully (drain, then close). */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TAG } from '../constants';
import type { RequestTracker } from './request-tracker';

export interface HttpServerOptions {
  port: number;
  host: string;
  /** Answers every request (the runtime's request handler). */
  handle: (req: IncomingMessage, res: ServerResponse) => void;
  tracker: RequestTracker;
}

/** Listens on host:port; resolves with the server and the port it got (`0` picks a free one). */
export async function listen(options: HttpServerOptions): Promise<{ server: Server; port: number }> {
  const server = createServer(options.handle);
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
