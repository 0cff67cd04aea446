/** Public types of the SSR runtime. No Nx imports here: a deployed server does not load Nx. */

/** The request a page renders for. */
export interface RenderParams {
  /** Request URL path and query, relative to the server's base (starts with `/`). */
  url: string;
  method: string;
  headers: Record<string, string | string[] | undefined>;
  /** What the caller's server added for this request (`createRequestHandler`'s `extendParams`), such as `user`. */
  readonly [extra: string]: unknown;
}

/** One module linked into the page, as its client manifest describes it. */
export interface LinkedModuleInfo {
  name: string;
  version: string;
  /** Third-party packages this module provides to the page: package → installed version. */
  provides: Record<string, string>;
}

/** What a server entry's render function receives per request: the request, the page's tags, and the response it sets. */
export interface RenderContext {
  readonly params: RenderParams;
  /** The response body the handler sets. */
  html: string;
  /** HTTP status, 200 by default. */
  status: number;
  /** When set, the server answers with a redirect to this location (status 302 unless `status` is a 3xx). */
  redirect: string | null;
  /** Public base path of this request, ending in `/` (e.g. `/` or `/shop/`). */
  readonly base: string;
  /** CSP nonce placed on every inline script the helpers emit; undefined when not configured. */
  readonly nonce: string | undefined;
  /** `<script type="importmap">` (plus the es-module-shims feature test when enabled). */
  importmap(): string;
  /** `<link rel="preload">` tags for CSS and fonts of the page's entries. */
  preload(): string;
  /** `<link rel="modulepreload">` tags (with integrity) for every module the client entry imports statically. */
  modulePreload(): string;
  /** `<link rel="stylesheet">` tags for the page's CSS. */
  css(): string;
  /** The `<script type="module">` that starts the client entry. */
  moduleEntry(): string;
  /** An inline script exposing `data` as `window[name]`, escaped against `</script>`, `<!--` and U+2028/9. */
  state(name: string, data: unknown): string;
  /**
   * Extra response headers the handler wants sent (e.g. `content-security-policy` built from `nonce`).
   * `content-type` defaults to `text/html; charset=utf-8`.
   */
  readonly responseHeaders: Record<string, string>;
  /**
   * Failure isolation for one part of the page (typically a remote's): resolves to `render()`'s string, or to
   * `fallback` (a string, or a function of the error) when `render` throws or rejects. The error is logged.
   * Same as the standalone `renderPart` export; offered here so server entries need no runtime import.
   */
  renderPart(render: () => string | Promise<string>, fallback: string | ((error: unknown) => string)): Promise<string>;
  /** Every module linked into this page (the host first, then by name): what it is and what it provides. */
  readonly modules: readonly LinkedModuleInfo[];
}

/** The default export of a module's `entry.server`. */
export type ServerRenderHandle = (rc: RenderContext) => void | Promise<void>;

/** What the server does after a fault outside a render's own promise: `log` and keep serving, or `exit` (drain, code 1). */
export type OnFatalPolicy = 'log' | 'exit';

/**
 * When the server starts tracing faults to the render that raised them (async context propagation, about 1 µs per
 * page on Node 20): `always`, or `after-first-fault` (the first fault is logged without its request).
 */
export type FaultTracing = 'always' | 'after-first-fault';

/** Faults since start, by kind: what the log lines count and the health endpoint reports. */
export interface FaultCounts {
  unhandledRejections: number;
  uncaughtExceptions: number;
  /** Renders that threw or rejected (answered 500). */
  renderErrors: number;
  /** Renders that did not settle within the render timeout (answered 504). */
  renderTimeouts: number;
}

/** The JSON body of the health endpoint (option `healthPath`). */
export interface HealthReport {
  /** `draining` (with status 503) once a graceful stop has begun. */
  status: 'ok' | 'draining';
  generation: number;
  uptimeSeconds: number;
  inFlight: number;
  faults: FaultCounts;
  /** Resident set size of the process. */
  rssBytes: number;
  /** V8 heap in use: what grows first when something leaks. */
  heapUsedBytes: number;
}
