/**
 * The runtime as a request handler: pages and static files of a linked host answered inside any `node:http`
 * server — the user's own (plain, Express 5, Fastify 5 through `reply.hijack()`) or the one `startServer` creates.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { PROTOCOL_VERSION, TAG } from '../constants';
import { loadGeneration, type Generation } from './generation';
import type { LinkFile } from './link';
import { overrideRefusal, readOverrideRequest, renderOverrideBanner, resolveOverridePolicy } from './overrides';
import { createGenerations } from './generations';
import { createHealthEndpoint } from './health';
import { resolveListenOptions, resolvePublicUrl } from './listen-options';
import { createPageRenderer, type PageRenderer, type PendingPage } from './page-renderer';
import { createFaultCounts } from './process-faults';
import { createRenderScope, type RenderScope } from './render-scope';
import { createRequestRouter } from './request-router';
import { failRequest, OWNED, RequestTracker } from './request-tracker';
import { resolveResilienceOptions } from './resilience-options';
import { loadShim, parseShimMode, RUNTIME_PATH, type Shim, type ShimMode } from './shim';
import type { Generations } from './generations';
import type { PagePieces } from './render-context';
import type { FaultCounts, RenderParams } from './types';

/** Override generations kept loaded at once (each holds its own instances of the overridden modules and their consumers). */
const MAX_OVERRIDE_GENERATIONS = 8;

/** Options of `createRequestHandler`. Only `root` is required. */
export interface RequestHandlerOptions {
  /** Package root of the host module (the folder holding `dist/link.json`). */
  root: string;
  /** Public base path the pages and files answer under, default `$BASE` or `/`. Requests outside it go to `next`. */
  base?: string;
  /**
   * http(s) URL of the folder the host's dist/client files were uploaded to (a CDN), default `$PUBLIC_URL`: the
   * import map, preloads and integrity of the page name them there. The handler keeps serving them under the base too.
   */
  publicUrl?: string;
  /** es-module-shims for browsers without import maps: `auto` (feature test, default), `always`, `never`. */
  shim?: ShimMode;
  /** CSP nonce on every inline script: `true` for a random one per request, or a function returning it. */
  nonce?: boolean | ((params: RenderParams) => string);
  /** A render that has not settled by then is answered 504 and its late result dropped. Default `$ESMX_RENDER_TIMEOUT_MS`, else 10 s. */
  renderTimeoutMs?: number;
  /** URL path of a JSON health endpoint, such as `/_esmx/health`. Default `$ESMX_HEALTH_PATH`, else none. */
  healthPath?: string;
  /** Download cache of URL-linked modules' server files. Default `<root>/dist/.esmx-remote-cache`. */
  cacheDir?: string;
  /** Receives every log line (default: console.log, and console.error for failures). */
  log?: (line: string) => void;
  /**
   * Per-request data from the caller's server (the user its auth resolved, a tenant, a request id): the returned
   * object's keys are added to `rc.params` of that request's render. `url`, `method` and `headers` cannot be replaced.
   * A throw answers that request 500, like a render error.
   */
  extendParams?: (req: IncomingMessage, res: ServerResponse) => Record<string, unknown> | undefined;
  /**
   * Origins a request may override a linked module with (`https://alice.dev.example.com`, or
   * `https://*.dev.example.com` for every subdomain), default `$ESMX_OVERRIDE_ORIGINS` (comma-separated); off when
   * empty. See `x-esmx-override` / the `esmx-override` cookie in the README's security notes before enabling it.
   */
  overrideOrigins?: string[];
  /** Dev server hook: answers a request before the handler does (return true when handled). */
  intercept?: (req: IncomingMessage, res: ServerResponse) => boolean;
  /** Dev server hook: rewrites every SSR page before it is sent. */
  transformHtml?: (html: string) => string;
  /** Dev server hook: the page answered for a render that threw (an overlay with the error), instead of a plain 500. */
  renderErrorPage?: (error: unknown) => string;
}

/** What an Express-style `next` receives: nothing to pass the request on. */
export type NextFunction = (error?: unknown) => void;

/**
 * `(req, res, next?)`: answers a request under the base (page, module file, runtime file, health endpoint); a
 * request outside the base goes to `next` when given, else 404. Mount it as is in `node:http` and Express 5.
 */
export interface RequestHandler {
  (req: IncomingMessage, res: ServerResponse, next?: NextFunction): void;
  readonly base: string;
  /** Map generation currently served (1 after creation, +1 per successful reload). */
  readonly generation: number;
  /** Faults since creation, as the health endpoint reports them. */
  readonly faults: Readonly<FaultCounts>;
  /** Requests being answered now. */
  readonly inFlight: number;
  /**
   * Re-reads link.json and every manifest and swaps the maps; requests in flight finish on the previous
   * generation. On failure the previous generation keeps serving and the promise rejects with a tagged message.
   */
  reload(): Promise<void>;
}

/** The parts `startServer` wires around the handler (lifecycle, faults, signals). */
export interface HandlerCore {
  handler: RequestHandler;
  tracker: RequestTracker;
  generations: Generations;
  renderer: PageRenderer;
  scope: RenderScope<PendingPage>;
  faults: FaultCounts;
}

function describeShim(mode: ShimMode, shim: Shim | undefined, base: string): PagePieces['shim'] {
  return { mode, src: shim ? `${base}${RUNTIME_PATH}/${shim.name}` : '', integrity: shim?.integrity ?? '' };
}

/** Shared by `createRequestHandler` and `startServer`: `tag` names who is starting in messages. */
export async function createHandlerCore(options: RequestHandlerOptions, tag: string): Promise<HandlerCore> {
  const log = options.log ?? ((line: string) => console.log(line));
  const logError = options.log ?? ((line: string) => console.error(line));
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

  // One promise chain per request and no per-response listener: this is the hot path of every page.
  const handle = (req: IncomingMessage, res: ServerResponse, next?: NextFunction): void => {
    if (tracker.closing) res.setHeader('connection', 'close');
    if (before?.(req, res)) return;
    serve(req, res, next);
  };
  const serve = (req: IncomingMessage, res: ServerResponse, next?: NextFunction): void => {
    tracker.inFlight++;
    let pending;
    try {
      pending = route(req, res, next);
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
  const variants = new Map<string, Promise<Generation>>();
  /** The generation of an override: loaded once per (current generation, override), a few kept. */
  const loadVariant = (changes: Record<string, string>, key: string): Promise<Generation> => {
    const base = generations.current;
    const cacheKey = `${base.id}\0${key}`;
    let loading = variants.get(cacheKey);
    if (!loading) {
      const modules: LinkFile['modules'] = {};
      for (const m of Object.values(base.linked.modules)) modules[m.name] = m.url ? { url: m.url } : { dir: m.root ?? '.' };
      for (const [name, url] of Object.entries(changes)) modules[name] = { url };
      loading = loadGeneration(base.id, generationOptions, { link: { protocol: PROTOCOL_VERSION, module: base.linked.host, modules }, banner: renderOverrideBanner(changes) });
      // A failed load is not kept: the next request tries again (the developer may have started their server since).
      loading.catch(() => variants.delete(cacheKey));
      variants.set(cacheKey, loading);
      if (variants.size > MAX_OVERRIDE_GENERATIONS) variants.delete(variants.keys().next().value!);
    }
    return loading;
  };
  const refuseOverride = (req: IncomingMessage, res: ServerResponse, status: number, line: string, body: string) => {
    logError(`${line} (${req.method} ${req.url})`);
    res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(body) });
    res.end(req.method === 'HEAD' ? undefined : body);
  };
  const handleOverride = (req: IncomingMessage, res: ServerResponse, next: NextFunction | undefined): boolean => {
    const ask = readOverrideRequest(req, overrides!, generations.current.linked);
    if (ask === undefined) return false;
    if ('refused' in ask) {
      refuseOverride(req, res, 403, overrideRefusal(ask.refused), `${overrideRefusal(ask.refused)}\n`);
      return true;
    }
    res.setHeader('cache-control', 'no-store');
    tracker.inFlight++;
    loadVariant(ask.changes, ask.key).then(
      (gen) => {
        let pending;
        try {
          pending = route(req, res, next, gen);
        } catch (error) {
          failRequest(req, res, error, logError);
          tracker.settle();
          return;
        }
        if (pending === OWNED) return;
        if (pending) pending.then(tracker.settle, (error) => (failRequest(req, res, error, logError), tracker.settle()));
        else tracker.settle();
      },
      (error) => {
        const message = (error as Error)?.message ?? String(error);
        refuseOverride(
          req,
          res,
          502,
          `${TAG.ssr} import-map override ${ask.key} could not be loaded: ${message}`,
          `${TAG.ssr} import-map override ${ask.key} could not be loaded; the server log says why. Fix: check that the module is served at that URL (client/ and server/, with CORS).\n`,
        );
        tracker.settle();
      },
    );
    return true;
  };
  const dispatch = overrides
    ? (req: IncomingMessage, res: ServerResponse, next?: NextFunction) => {
        if (tracker.closing) res.setHeader('connection', 'close');
        if (before?.(req, res)) return;
        if (handleOverride(req, res, next)) return;
        serve(req, res, next);
      }
    : handle;

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
