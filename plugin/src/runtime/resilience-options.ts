/** How the server survives faulty renders: fault policy, render timeout, health endpoint; the options, else `ESMX_*`. */
import { TAG } from '../constants';
import type { FaultTracing, OnFatalPolicy } from './types';

export const ON_FATAL_POLICIES = ['log', 'exit'] as const;
export const FAULT_TRACINGS = ['always', 'after-first-fault'] as const;
export const DEFAULT_RENDER_TIMEOUT_MS = 10_000;
/** setTimeout's ceiling: a longer delay fires at once. */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

export interface ResilienceOptions {
  onFatal: OnFatalPolicy;
  /** Default `after-first-fault`; `always` with `onFatal: 'exit'`, whose first fault is its last. */
  traceFaults: FaultTracing;
  renderTimeoutMs: number;
  /** Absolute URL path of the health endpoint; undefined when disabled. */
  healthPath: string | undefined;
}

/**
 * Throws a tagged error naming the option (or its environment variable) for a value the server cannot use.
 * `names` are the option names as the caller's users spell them (`renderTimeout` for the start executor).
 */
export function resolveResilienceOptions(
  options: { onFatal?: unknown; traceFaults?: unknown; renderTimeoutMs?: unknown; healthPath?: unknown },
  env: NodeJS.ProcessEnv = process.env,
  tag: string = TAG.start,
  names: { renderTimeoutMs: string } = { renderTimeoutMs: 'renderTimeoutMs' },
): ResilienceOptions {
  const onFatal = parseOnFatal(options.onFatal ?? env.ESMX_ON_FATAL, options.onFatal === undefined && env.ESMX_ON_FATAL !== undefined, tag);
  return {
    onFatal,
    traceFaults: parseTraceFaults(options.traceFaults ?? env.ESMX_TRACE_FAULTS, options.traceFaults === undefined && env.ESMX_TRACE_FAULTS !== undefined, onFatal, tag),
    renderTimeoutMs: parseRenderTimeout(options.renderTimeoutMs, env.ESMX_RENDER_TIMEOUT_MS, tag, names.renderTimeoutMs),
    healthPath: parseHealthPath(options.healthPath ?? env.ESMX_HEALTH_PATH, options.healthPath === undefined, tag),
  };
}

function describeSource(option: string, fromEnv: boolean, env: string): string {
  return fromEnv ? `environment variable ${env}` : `option "${option}"`;
}

function parseOnFatal(value: unknown, fromEnv: boolean, tag: string): OnFatalPolicy {
  if (value === undefined || value === '') return 'log';
  if ((ON_FATAL_POLICIES as readonly unknown[]).includes(value)) return value as OnFatalPolicy;
  throw new Error(
    `${tag} ${describeSource('onFatal', fromEnv, 'ESMX_ON_FATAL')} must be one of ${ON_FATAL_POLICIES.join(', ')}, ` +
      `found ${JSON.stringify(value)}; fix: use log (keep serving after a fault) or exit (drain, then exit with code 1)`,
  );
}

function parseTraceFaults(value: unknown, fromEnv: boolean, onFatal: OnFatalPolicy, tag: string): FaultTracing {
  if (value === undefined || value === '') return onFatal === 'exit' ? 'always' : 'after-first-fault';
  if ((FAULT_TRACINGS as readonly unknown[]).includes(value)) return value as FaultTracing;
  throw new Error(
    `${tag} ${describeSource('traceFaults', fromEnv, 'ESMX_TRACE_FAULTS')} must be one of ${FAULT_TRACINGS.join(', ')}, ` +
      `found ${JSON.stringify(value)}; fix: use always (every fault names its request; about 1 µs more per page) or ` +
      `after-first-fault (tracing starts at the first fault)`,
  );
}

function parseRenderTimeout(option: unknown, env: string | undefined, tag: string, name: string): number {
  const fromEnv = option === undefined && env !== undefined && env !== '';
  const value = option !== undefined ? option : fromEnv ? Number(env) : DEFAULT_RENDER_TIMEOUT_MS;
  if (typeof value === 'number' && Number.isInteger(value) && value > 0 && value <= MAX_TIMEOUT_MS) return value;
  const found = fromEnv ? JSON.stringify(env) : JSON.stringify(option);
  throw new Error(
    `${tag} ${describeSource(name, fromEnv, 'ESMX_RENDER_TIMEOUT_MS')} must be a positive whole number of milliseconds ` +
      `up to ${MAX_TIMEOUT_MS}, found ${found}; fix: pass e.g. ${fromEnv ? 'ESMX_RENDER_TIMEOUT_MS=10000' : `--${name}=10000`}`,
  );
}

function parseHealthPath(value: unknown, fromEnv: boolean, tag: string): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (typeof value === 'string' && /^\/[^?#\s\\]*$/.test(value) && !value.startsWith('//')) return value;
  throw new Error(
    `${tag} ${describeSource('healthPath', fromEnv, 'ESMX_HEALTH_PATH')} must be an absolute URL path such as ` +
      `/_esmx/health, found ${JSON.stringify(value)}; fix: pass e.g. ${fromEnv ? 'ESMX_HEALTH_PATH=/_esmx/health' : '--healthPath=/_esmx/health'}`,
  );
}
