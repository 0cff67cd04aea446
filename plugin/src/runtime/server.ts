/** The production SSR server of a linked host: `startServer()` wires generations, routing, rendering and lifecycle. */
import { TAG } from '../constants';
import { createClose, listen } from './lifecycle';
import { resolveListenOptions } from './listen-options';
import { handleProcessFaults } from './process-faults';
import { resolveLoggers } from './handler-options';
import { createHandlerCore, type RequestHandlerOptions } from './request-handler';
import { resolveFaultPolicy } from './resilience-options';
import { handleSignals } from './signals';
import type { FaultCounts, FaultTracing, OnFatalPolicy } from './types';

/** Options of `startServer`: those of `createRequestHandler`, plus where to listen and the process's life. Only `root` is required. */
export interface StartServerOptions extends RequestHandlerOptions {
  /** Default: `$PORT`, else 4300. `0` picks a free port. */
  port?: number;
  /** Default: `$HOST`, else 127.0.0.1. */
  host?: string;
  /** Stop gracefully on SIGTERM/SIGINT and reload on SIGHUP. Default true. */
  handleSignals?: boolean;
  /** After a signal-triggered stop, exit the process (code 0). Default true; executors pass false and await `closed`. */
  exitOnSignal?: boolean;
  /** How long a graceful stop waits for requests in flight before closing their sockets. Default 10 s. */
  drainTimeoutMs?: number;
  /**
   * After an unhandled rejection or uncaught exception (logged with its stack and counted either way): `log` keeps
   * serving, `exit` stops accepting, drains and exits with code 1. Default `$ESMX_ON_FATAL`, else `log`.
   */
  onFatal?: OnFatalPolicy;
  /**
   * When a fault starts being traced to the render that raised it (its request named in the log and answered 500):
   * `after-first-fault` (the first fault is logged without its request; tracing costs about 1 µs per page on
   * Node 20, so a server without faults does not pay it) or `always`. Default `$ESMX_TRACE_FAULTS`, else
   * `after-first-fault`, or `always` with `onFatal: 'exit'`.
   */
  traceFaults?: FaultTracing;
}

/** A running server, as `startServer` resolves it. */
export interface ServerHandle {
  url: string;
  port: number;
  host: string;
  base: string;
  /** Map generation currently served (1 after start, +1 per successful reload). */
  readonly generation: number;
  /** Faults since start, as the health endpoint reports them. */
  readonly faults: Readonly<FaultCounts>;
  /**
   * Re-reads link.json and every manifest, swaps the loader map and imports the host's server entry again
   * (at a new URL when it or anything it uses changed). Requests in flight finish on the previous generation.
   * On failure the previous generation keeps serving and the promise rejects.
   */
  reload(): Promise<void>;
  /** Stops accepting, lets requests in flight finish (bounded by `drainTimeoutMs`), then resolves. */
  close(): Promise<void>;
  /** Resolves once the server has closed. */
  readonly closed: Promise<void>;
}

/**
 * Starts the SSR server of the host module at `options.root` over its built `dist/` (link.json, manifests) and
 * resolves once it listens. The server is a plain `node:http` server around `createRequestHandler`'s handler.
 * Throws a tagged error with a fix when the host cannot be loaded or the port is taken.
 */
export async function startServer(options: StartServerOptions): Promise<ServerHandle> {
  const { log, logError } = resolveLoggers(options.log);
  const { port, host } = resolveListenOptions(options);
  const { onFatal, traceFaults } = resolveFaultPolicy(options, process.env, TAG.start);
  const core = await createHandlerCore(options, TAG.start);
  const { handler, tracker, generations, renderer, scope, faults } = core;
  const base = handler.base;
  const listening = await listen({ port, host, handle: handler, tracker });
  const drain = createClose(listening.server, tracker, options.drainTimeoutMs ?? 10_000, logError);
  if (traceFaults === 'always') scope.arm();
  const removeFaultHandlers = handleProcessFaults({
    scope,
    faults,
    onFatal,
    answerFault: renderer.answerFault,
    close: () => close(),
    inFlight: () => tracker.inFlight,
    logError,
  });

  const removeSignals =
    options.handleSignals === false
      ? () => undefined
      : handleSignals({
          close: () => close(),
          reload: () => generations.reload(),
          inFlight: () => tracker.inFlight,
          generation: () => generations.current.id,
          exitOnSignal: options.exitOnSignal !== false,
          log,
          logError,
        });
  let resolveClosed!: () => void;
  const closed = new Promise<void>((resolve) => (resolveClosed = resolve));
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= drain().then(() => {
      removeSignals();
      removeFaultHandlers();
      scope.disarm();
      resolveClosed();
    }));

  const url = `http://${host.includes(':') ? `[${host}]` : host}:${listening.port}${base}`;
  const { linked } = generations.current;
  const count = Object.keys(linked.modules).length;
  log(`${TAG.start} ${linked.host} (${count} linked module${count === 1 ? '' : 's'}) listening on ${url}`);
  return {
    url,
    port: listening.port,
    host,
    base,
    get generation() {
      return generations.current.id;
    },
    faults,
    reload: () => generations.reload(),
    close,
    closed,
  };
}
