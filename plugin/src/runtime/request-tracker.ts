/** What the request path shares: the in-flight count a graceful stop drains, and the last-resort 500. */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { TAG } from '../constants';
import { sendStatus } from './static-files';

/** Returned by a request step that settles the request itself. */
export const OWNED = Symbol('owned');

/** A route answers synchronously (undefined), through a promise, or settles the request itself (OWNED). */
export type RouteResult = Promise<void> | typeof OWNED | void;

export function describeError(error: unknown): string {
  return (error as Error)?.stack ?? String(error);
}

/** A count, not a set of responses: it sits on the hot path of every request. */
export class RequestTracker {
  inFlight = 0;
  closing = false;
  server: Server | undefined;

  readonly settle = (): void => {
    this.inFlight--;
    // A response may still be flushing; idle keep-alive sockets are closed once it is done (server.close waits).
    if (this.closing && this.inFlight === 0) setImmediate(() => this.server?.closeIdleConnections());
  };
}

/** An uncaught failure outside the render handler (a bug, or a write that threw): 500 if still possible. */
export function failRequest(req: IncomingMessage, res: ServerResponse, error: unknown, logError: (line: string) => void): void {
  if ((error as NodeJS.ErrnoException)?.code === 'ENOENT' && !res.headersSent) {
    // A file indexed at load time and removed since (a module's dist deleted under a running server): gone, not broken.
    logError(
      `${TAG.ssr} ${req.method} ${req.url}: expected ${(error as NodeJS.ErrnoException).path ?? 'the file'} on disk, found it ` +
        `removed since the generation was loaded; answered 404. Fix: rebuild the module, then reload (SIGHUP).`,
    );
    sendStatus(res, 404);
    return;
  }
  logError(`${TAG.ssr} ${req.method} ${req.url} failed; answered 500: ${describeError(error)}`);
  if (!res.headersSent) sendStatus(res, 500);
  else res.destroy();
}
