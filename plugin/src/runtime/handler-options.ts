/** The public shapes of `createRequestHandler`: its options, the handler it resolves, and Express's `next`. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ShimMode } from './shim';
import type { FaultCounts, RenderParams } from './types';

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

/** `options.log` for both streams, else the console's: progress on stdout, problems on stderr. */
export function resolveLoggers(log: ((line: string) => void) | undefined): { log: (line: string) => void; logError: (line: string) => void } {
  return { log: log ?? ((line) => console.log(line)), logError: log ?? ((line) => console.error(line)) };
}
