/** The production SSR server of a linked host: `startServer()` wires generations, routing, rendering and lifecycle. */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { TAG } from '../constants';
import { createGenerations } from './generations';
import { createClose, listen } from './lifecycle';
import { resolveListenOptions } from './listen-options';
import { createHealthEndpoint } from './health';
import { createPageRenderer, type PendingPage } from './page-renderer';
import { createFaultCounts, handleProcessFaults } from './process-faults';
import { createRequestRouter } from './request-router';
import { RequestTracker } from './request-tracker';
import { resolveResilienceOptions } from './resilience-options';
import { loadShim, parseShimMode, RUNTIME_PATH, type Shim, type ShimMode } from './shim';
import { handleSignals } from './signals';
import type { PagePieces } from './render-context';
import type { FaultCounts, OnFatalPolicy, RenderParams } from './types';

/** Options of `startServer`. Only `root` is required. */
export interface StartServerOptions {
  /** Package root of the host module (the folder holding `dist/link.json`). */
  root: string;
  /** Default: `$PORT`, else 4300. `0` picks a free port. */
  port?: number;
  /** Default: `$HOST`, else 127.0.0.1. */
  host?: string;
  /** Public base path, default `$BASE` or `/`; normalized to start and end with `/`. A URL is refused: the server answers paths. */
  base?: string;
  /** es-module-shims for browsers without import maps: `auto` (feature test, default), `always`, `never`. */
  shim?: ShimMode;
  /** CSP nonce on every inline script: `true` for a random one per request, or a function returning it. */
  nonce?: boolean | ((params: RenderParams) => string);
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
  /** A render that has not settled by then is answered 504 and its late result dropped. Default `$ESMX_RENDER_TIMEOUT_MS`, else 10 s. */
  renderTimeoutMs?: number;
  /** URL path of a JSON health endpoint for load balancers, such as `/_esmx/health`. Default `$ESMX_HEALTH_PATH`, else none. */
  healthPath?: string;
  /** Download cache of URL-linked modules' server files. Default `<root>/dist/.esmx-remote-cache`. */
  cacheDir?: string;
  /** Receives every log line (default: console.log, and console.error for failures). */
  log?: (line: string) => void;
  /** Dev server hook: answers a request before the server does (return true when handled). */
  intercept?: (req: IncomingMessage, res: ServerResponse) => boolean;
  /** Dev server hook: rewrites every SSR page before it is sent. */
  transformHtml?: (html: string) => string;
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

function describeShim(mode: ShimMode, shim: Shim | undefined, base: string): PagePieces['shim'] {
  return { mode, src: shim ? `${base}${RUNTIME_PATH}/${shim.name}` : '', integrity: shim?.integrity ?? '' };
}

/**
 * Starts the SSR server of the host module at `options.root` over its built `dist/` (link.json, manifests) and
 * resolves once it listens. Throws a tagged error with a fix when the host cannot be loaded or the port is taken.
 */
export async function startServer(options: StartServerOptions): Promise<ServerHandle> {
  const log = options.log ?? ((line: string) => console.log(line));
  const logError = options.log ?? ((line: string) => console.error(line));
  const { port, host, base } = resolveListenOptions(options);
  const shimMode = parseShimMode(options.shim, TAG.ssr);
  const { onFatal, renderTimeoutMs, healthPath } = resolveResilienceOptions(options, process.env, TAG.start);
  const shim = shimMode === 'never' ? undefined : loadShim();
  const generations = await createGenerations(
    { root: options.root, cacheDir: options.cacheDir, base, shim: describeShim(shimMode, shim, base) },
    log,
  );
  const tracker = new RequestTracker();
  const faults = createFaultCounts();
  const scope = new AsyncLocalStorage<PendingPage>();
  const renderer = createPageRenderer({
    base,
    nonce: options.nonce,
    transformHtml: options.transformHtml,
    logError,
    tracker,
    renderTimeoutMs,
    scope,
    faults,
  });
  const route = createRequestRouter({ base, shim, generation: () => generations.current, renderPage: renderer.render });
  const health = healthPath
    ? createHealthEndpoint({
        path: healthPath,
        generation: () => generations.current.id,
        inFlight: () => tracker.inFlight,
        closing: () => tracker.closing,
        faults,
      })
    : undefined;
  const intercept = options.intercept;
  const listening = await listen({
    port,
    host,
    route,
    tracker,
    logError,
    intercept: health && intercept ? (req, res) => health(req, res) || intercept(req, res) : (health ?? intercept),
  });
  const drain = createClose(listening.server, tracker, options.drainTimeoutMs ?? 10_000, logError);
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
