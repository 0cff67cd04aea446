/**
 * The runtime as a request handler: pages and static files of a linked host answered inside any `node:http`
 * server — the user's own (plain, Express 5, Fastify 5 through `reply.hijack()`) or the one `startServer` creates.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { TAG } from '../constants';
import type { Generation } from './generation';
import { createGenerations, type Generations } from './generations';
import { resolveLoggers, type NextFunction, type RequestHandler, type RequestHandlerOptions } from './handler-options';
import { createOverrideDispatch } from './override-dispatch';
import { resolveOverridePolicy } from './overrides';
import { createHealthEndpoint } from './health';
import { resolveListenOptions, resolvePublicUrl } from './listen-options';
import { createPageRenderer, type PageRenderer } from './page-renderer';
import type { PendingPage } from './pending-page';
import { createFaultCounts } from './process-faults';
import { createRenderScope, type ArmableRenderScope } from './render-scope';
import { createRequestRouter } from './request-router';
import { failRequest, OWNED, RequestTracker } from './request-tracker';
import { resolveResilienceOptions } from './resilience-options';
import { loadShim, parseShimMode, RUNTIME_PATH, type Shim, type ShimMode } from './shim';
import type { PagePieces } from './page-pieces';
import type { FaultCounts } from './types';

export type { NextFunction, RequestHandler, RequestHandlerOptions } from './handler-options';

/** The parts `startServer` wires around the handler (lifecycle, faults, signals). */
export interface HandlerCore {
  handler: RequestHandler;
  tracker: RequestTracker;
  generations: Generations;
  renderer: PageRenderer;
  /** Unarmed: `startServer` arms it (at start with traceFaults always, else its fault handlers at the first fault). */
  scope: ArmableRenderScope<PendingPage>;
  faults: FaultCounts;
}

function describeShim(mode: ShimMode, shim: Shim | undefined, base: string): PagePieces['shim'] {
  return { mode, src: shim ? `${base}${RUNTIME_PATH}/${shim.name}` : '', integrity: shim?.integrity ?? '' };
}

/** Shared by `createRequestHandler` and `startServer`: `tag` names who is starting in messages. */
export async function createHandlerCore(options: RequestHandlerOptions, tag: string): Promise<HandlerCore> {
  const { log, logError } = resolveLoggers(options.log);
  const { base } = resolveListenOptions({ base: options.base }, process.env, tag);
  const shimMode = parseShimMode(options.shim, TAG.ssr);
  const publicUrl = resolvePublicUrl(options.publicUrl ?? process.env.PUBLIC_URL, options.publicUrl === undefined, tag);
  const { renderTimeoutMs, healthPath } = resolveResilienceOptions(
    { renderTimeoutMs: options.renderTimeoutMs, healthPath: options.healthPath },
    process.env,
    tag,
  );
  if (options.extendParams !== undefined && typeof options.extendParams !== 'function') {
    throw new Error(
      `${tag} option "extendParams" must be a function (req, res) => object, found ${typeof options.extendParams}; ` +
        `fix: pass e.g. extendParams: (req) => ({ user: req.user })`,
    );
  }
  const overrides = resolveOverridePolicy(options.overrideOrigins, process.env, tag);
  const shim = shimMode === 'never' ? undefined : loadShim();
  const generationOptions = { root: options.root, cacheDir: options.cacheDir, base, publicUrl, shim: describeShim(shimMode, shim, base) };
  const generations = await createGenerations(generationOptions, log);
  const tracker = new RequestTracker();
  const faults = createFaultCounts();
  const scope = createRenderScope<PendingPage>();
  const renderer = createPageRenderer({
    base,
    nonce: options.nonce,
    transformHtml: options.transformHtml,
    renderErrorPage: options.renderErrorPage,
    extendParams: options.extendParams,
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
  const before = health && intercept ? (req: IncomingMessage, res: ServerResponse) => health(req, res) || intercept(req, res) : (health ?? intercept);

  /** Routes a request already counted in flight, and settles it: one promise chain, no per-response listener. */
  const routeAndSettle = (req: IncomingMessage, res: ServerResponse, next?: NextFunction, gen?: Generation): void => {
    let pending;
    try {
      pending = route(req, res, next, gen);
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
  };
  const handleOverride = overrides
    ? createOverrideDispatch({ overrides, generations, generationOptions, tracker, logError, routeAndSettle })
    : undefined;
  // This is the hot path of every request: no closure or object of its own.
  const dispatch = (req: IncomingMessage, res: ServerResponse, next?: NextFunction): void => {
    if (tracker.closing) res.setHeader('connection', 'close');
    if (before?.(req, res)) return;
    if (handleOverride?.(req, res, next)) return;
    tracker.inFlight++;
    routeAndSettle(req, res, next);
  };

  const handler = Object.defineProperties(dispatch, {
    base: { value: base, enumerable: true },
    generation: { get: () => generations.current.id, enumerable: true },
    faults: { value: faults, enumerable: true },
    inFlight: { get: () => tracker.inFlight, enumerable: true },
    reload: { value: () => generations.reload(), enumerable: true },
  }) as RequestHandler;
  return { handler, tracker, generations, renderer, scope, faults };
}

/**
 * Loads the linked host at `options.root` (link.json, manifests, its server entry) and resolves with a
 * `(req, res, next?)` handler serving its pages and every locally linked module's files under `base`.
 * It installs no signal or process handlers and owns no socket: the caller's server does.
 * Throws a tagged error with a fix when the host cannot be loaded or an option is wrong.
 */
export async function createRequestHandler(options: RequestHandlerOptions): Promise<RequestHandler> {
  if (options === null || typeof options !== 'object' || typeof options.root !== 'string' || options.root === '') {
    throw new Error(
      `${TAG.ssr} createRequestHandler expected options with "root", the host module's package root (the folder holding ` +
        `dist/link.json), found ${JSON.stringify(options === null || typeof options !== 'object' ? options : options.root)}; ` +
        `fix: createRequestHandler({ root: '<path of the host>' })`,
    );
  }
  const core = await createHandlerCore(options, TAG.ssr);
  return core.handler;
}
