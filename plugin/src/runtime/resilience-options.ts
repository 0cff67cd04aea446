/** How the server survives faulty renders: fault policy, render timeout, health endpoint; the options, else `ESMX_*`. */
import { TAG } from '../constants';
import type { FaultTracing, OnFatalPolicy } from './types';

const DEFAULT_RENDER_TIMEOUT_MS = 10_000;
/** setTimeout's ceiling: a longer delay fires at once. */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

export interface ResilienceOptions {
  renderTimeoutMs: number;
  /** Absolute URL path of the health endpoint; undefined when disabled. */
  healthPath: string | undefined;
}

/** What `startServer` does about faults outside a render's promise (its process handlers; a bare handler has none). */
export interface FaultPolicy {
  onFatal: OnFatalPolicy;
  /** Default `after-first-fault`; `always` with `onFatal: 'exit'`, whose first fault is its last. */
  traceFaults: FaultTracing;
}

/**
 * Throws a tagged error naming the option (or its environment variable) for a value the server cannot use.
 * `names` are the option names as the caller's users spell them (`renderTimeout` for the start executor).
 */
export function resolveResilienceOptions(
  options: { renderTimeoutMs?: unknown; healthPath?: unknown },
  env: NodeJS.ProcessEnv = process.env,
  tag: string = TAG.start,
  names: { renderTimeoutMs: string } = { renderTimeoutMs: 'renderTimeoutMs' },
): ResilienceOptions {
  return {
    renderTimeoutMs: parseRenderTimeout(options.renderTimeoutMs, env.ESMX_RENDER_TIMEOUT_MS, tag, names.renderTimeoutMs),
    healthPath: parseHealthPath(options.healthPath ?? env.ESMX_HEALTH_PATH, options.healthPath === undefined, tag),
  };
}

/** `onFatal` (else `ESMX_ON_FATAL`) and `traceFaults` (else `ESMX_TRACE_FAULTS`); throws like resolveResilienceOptions. */
export function resolveFaultPolicy(
  options: { onFatal?: unknown; traceFaults?: unknown },
  env: NodeJS.ProcessEnv = process.env,
  tag: string = TAG.start,
): FaultPolicy {
  const onFatal = parseChoice(options.onFatal, env, tag, ON_FATAL, 'log');
  return { onFatal, traceFaults: parseChoice(options.traceFaults, env, tag, TRACE_FAULTS, onFatal === 'exit' ? 'always' : 'after-first-fault') };
}

interface Choice<T extends string> {
  option: string;
  env: string;
  values: readonly T[];
  /** What each value does, for the fix. */
  fix: string;
}

const ON_FATAL: Choice<OnFatalPolicy> = {
  option: 'onFatal',
  env: 'ESMX_ON_FATAL',
  values: ['log', 'exit'],
  fix: 'use log (keep serving after a fault) or exit (drain, then exit with code 1)',
};

const TRACE_FAULTS: Choice<FaultTracing> = {
  option: 'traceFaults',
  env: 'ESMX_TRACE_FAULTS',
  values: ['always', 'after-first-fault'],
  fix: 'use always (every fault names its request; about 1 µs more per page) or after-first-fault (tracing starts at the first fault)',
};

function parseChoice<T extends string>(option: unknown, env: NodeJS.ProcessEnv, tag: string, choice: Choice<T>, fallback: T): T {
  const fromEnv = option === undefined && env[choice.env] !== undefined;
  const value = option ?? env[choice.env];
  if (value === undefined || value === '') return fallback;
  if ((choice.values as readonly unknown[]).includes(value)) return value as T;
  throw new Error(
    `${tag} ${describeSource(choice.option, fromEnv, choice.env)} must be one of ${choice.values.join(', ')}, ` +
      `found ${JSON.stringify(value)}; fix: ${choice.fix}`,
  );
}

function describeSource(option: string, fromEnv: boolean, env: string): string {
  return fromEnv ? `environment variable ${env}` : `option "${option}"`;
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
