import type { ShimMode } from '../../runtime/shim';
import type { FaultTracing, OnFatalPolicy } from '../../runtime/types';

/** Options of the `@esmx/nx:start` executor (mirrors schema.json). */
export interface StartExecutorSchema {
  /** TCP port; 0 picks a free one. Default 4300. */
  port?: number;
  /** Interface to listen on. Default 127.0.0.1. */
  host?: string;
  /** Public base path, e.g. `/shop/`. Default `/`. */
  base?: string;
  /** http(s) URL of the host's client files on a CDN. Default `PUBLIC_URL`. */
  publicUrl?: string;
  /** es-module-shims: `auto` (feature test, default), `always`, `never`. */
  shim?: ShimMode;
  /** A fresh CSP nonce per request on every inline script. Default false. */
  nonce?: boolean;
  /** Milliseconds a render may take before the client gets a 504. Default `ESMX_RENDER_TIMEOUT_MS`, else 10000. */
  renderTimeout?: number;
  /** After an unhandled rejection or uncaught exception: `log` (keep serving) or `exit` (drain, exit 1). Default `ESMX_ON_FATAL`, else `log`. */
  onFatal?: OnFatalPolicy;
  /** When faults start being traced to their request: `after-first-fault` or `always`. Default `ESMX_TRACE_FAULTS`, else `after-first-fault` (`always` with onFatal exit). */
  traceFaults?: FaultTracing;
  /** URL path of the JSON health endpoint, e.g. `/_esmx/health`. Default `ESMX_HEALTH_PATH`, else none. */
  healthPath?: string;
  /** Module name → directory or https URL for this run, over the environment's links. */
  links?: Record<string, string>;
  /** An environment of the host's esmx.links.json. */
  environment?: string;
}
