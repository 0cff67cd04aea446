import type { ShimMode } from '../../runtime/shim';

/** Options of the `@esmx/nx:serve` executor (mirrors schema.json). */
export interface ServeExecutorSchema {
  /** TCP port; 0 picks a free one. Default 4300. */
  port?: number;
  /** Interface to listen on. Default 127.0.0.1. */
  host?: string;
  /** Public base path, e.g. `/shop/`. Default `/`. */
  base?: string;
  /** es-module-shims: `auto` (feature test, default), `always`, `never`. */
  shim?: ShimMode;
  /** How the watched modules are built. Default development (hot updates on). */
  mode?: 'development' | 'production';
  /** Modules to watch-build beside the host (list or comma-separated); default every workspace module it links. */
  devRemotes?: string[] | string;
  /** Apply client edits in place (hot updates); false reloads the page after every rebuild. Default true. */
  hot?: boolean;
  /** Module name → directory or https URL for this run, over the environment's links. */
  links?: Record<string, string>;
  /** An environment of the host's esmx.links.json. */
  environment?: string;
}
