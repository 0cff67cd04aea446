import { TAG } from '../../../constants';
import { resolveListenOptions } from '../../../runtime/listen-options';
import { resolveFaultPolicy, resolveResilienceOptions } from '../../../runtime/resilience-options';
import { parseShimMode, type ShimMode } from '../../../runtime/shim';
import type { FaultTracing, OnFatalPolicy } from '../../../runtime/types';
import type { StartExecutorSchema } from '../schema';

export interface NormalizedStartOptions {
  port: number;
  host: string;
  base: string;
  shim: ShimMode;
  nonce: boolean;
  renderTimeoutMs: number;
  onFatal: OnFatalPolicy;
  traceFaults: FaultTracing;
  healthPath: string | undefined;
}

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
  try {
    // Unset options fall back to PORT / HOST / BASE / ESMX_*, as `node dist/index.mjs` does; the runtime's own checks.
    const { port, host, base } = resolveListenOptions(options, process.env, tag);
    const shim = parseShimMode(options.shim, tag);
    const { renderTimeoutMs, healthPath } = resolveResilienceOptions(
      { renderTimeoutMs: options.renderTimeout, healthPath: options.healthPath },
      process.env,
      tag,
      { renderTimeoutMs: 'renderTimeout' },
    );
    const { onFatal, traceFaults } = resolveFaultPolicy(options, process.env, tag);
    return { options: { port, host, base, shim, nonce: options.nonce === true, renderTimeoutMs, onFatal, traceFaults, healthPath } };
  } catch (error) {
    return { error: (error as Error).message };
  }
}
