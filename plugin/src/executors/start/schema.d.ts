import type { ShimMode } from '../../runtime/shim';

/** Options of the `@esmx/nx:start` executor (mirrors schema.json). */
export interface StartExecutorSchema {
  /** TCP port; 0 picks a free one. Default 4300. */
  port?: number;
  /** Interface to listen on. Default 127.0.0.1. */
  host?: string;
  /** Public base path, e.g. `/shop/`. Default `/`. */
  base?: string;
  /** es-module-shims: `auto` (feature test, default), `always`, `never`. */
  shim?: ShimMode;
  /** A fresh CSP nonce per request on every inline script. Default false. */
  nonce?: boolean;
}
