import { DEFAULT_HOST, DEFAULT_PORT, TAG } from '../../../constants';
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
  const port = options.port ?? DEFAULT_PORT;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    return { error: `${tag} option "port" must be an integer from 0 to 65535, found ${JSON.stringify(options.port)}; fix: pass e.g. --port=4300` };
  }
  const host = options.host ?? DEFAULT_HOST;
  if (typeof host !== 'string' || host.length === 0) {
    return { error: `${tag} option "host" must be an interface address, found ${JSON.stringify(options.host)}; fix: pass e.g. --host=127.0.0.1` };
  }
  const base = options.base ?? '/';
  if (typeof base !== 'string' || /[?#\\\s]/.test(base) || base.includes('//')) {
    return { error: `${tag} option "base" must be a URL path such as /shop/, found ${JSON.stringify(options.base)}; fix: pass e.g. --base=/shop/` };
  }
  const shim = options.shim ?? 'auto';
  if (!SHIM_MODES.includes(shim)) {
    return { error: `${tag} option "shim" must be one of ${SHIM_MODES.join(', ')}, found ${JSON.stringify(options.shim)}; fix: pass --shim=auto` };
  }
  return { options: { port, host, base, shim, nonce: options.nonce === true } };
}
