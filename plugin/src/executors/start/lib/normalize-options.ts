import { TAG } from '../../../constants';
import { resolveListenOptions } from '../../../runtime/server';
import type { StartExecutorSchema } from '../schema';

export interface NormalizedStartOptions {
  port: number;
  host: string;
  base: string;
  shim: 'auto' | 'always' | 'never';
  nonce: boolean;
}

const SHIM_MODES = ['auto', 'always', 'never'] as const;

/** Defaults in one place, and shape checks for programmatic calls that skip Nx's schema validation. */
export function normalizeOptions(
  options: StartExecutorSchema,
  tag: string = TAG.start,
): { options?: NormalizedStartOptions; error?: string } {
  if (options.port !== undefined && (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535)) {
    return { error: `${tag} option "port" must be an integer from 0 to 65535, found ${JSON.stringify(options.port)}; fix: pass e.g. --port=4300` };
  }
  if (options.host !== undefined && (typeof options.host !== 'string' || options.host.length === 0)) {
    return { error: `${tag} option "host" must be an interface address, found ${JSON.stringify(options.host)}; fix: pass e.g. --host=127.0.0.1` };
  }
  const { base: rawBase } = options;
  if (rawBase !== undefined && (typeof rawBase !== 'string' || /[?#\\\s]/.test(rawBase) || rawBase.includes('//'))) {
    return { error: `${tag} option "base" must be a URL path such as /shop/, found ${JSON.stringify(options.base)}; fix: pass e.g. --base=/shop/` };
  }
  const shim = options.shim ?? 'auto';
  if (!SHIM_MODES.includes(shim)) {
    return { error: `${tag} option "shim" must be one of ${SHIM_MODES.join(', ')}, found ${JSON.stringify(options.shim)}; fix: pass --shim=auto` };
  }
  // Unset options fall back to PORT / HOST / BASE, as `node dist/index.mjs` does.
  const { port, host, base } = resolveListenOptions(options);
  return { options: { port, host, base, shim, nonce: options.nonce === true } };
}
