import { resolveFaultPolicy, resolveResilienceOptions } from './resilience-options';

describe('resolveResilienceOptions', () => {
  it('defaults to 10 s and no health endpoint, and to log with tracing after the first fault', () => {
    expect(resolveResilienceOptions({}, {})).toEqual({ renderTimeoutMs: 10_000, healthPath: undefined });
    expect(resolveFaultPolicy({}, {})).toEqual({ onFatal: 'log', traceFaults: 'after-first-fault' });
  });

  it('traces faults from the start with onFatal exit, whose first fault is its last, unless told otherwise', () => {
    expect(resolveFaultPolicy({ onFatal: 'exit' }, {}).traceFaults).toBe('always');
    expect(resolveFaultPolicy({ onFatal: 'exit', traceFaults: 'after-first-fault' }, {}).traceFaults).toBe('after-first-fault');
  });

  it('takes ESMX_ON_FATAL, ESMX_TRACE_FAULTS, ESMX_RENDER_TIMEOUT_MS and ESMX_HEALTH_PATH for options not given', () => {
    const env = { ESMX_ON_FATAL: 'exit', ESMX_TRACE_FAULTS: 'after-first-fault', ESMX_RENDER_TIMEOUT_MS: '2500', ESMX_HEALTH_PATH: '/_esmx/health' };
    expect(resolveResilienceOptions({}, env)).toEqual({ renderTimeoutMs: 2500, healthPath: '/_esmx/health' });
    expect(resolveFaultPolicy({}, env)).toEqual({ onFatal: 'exit', traceFaults: 'after-first-fault' });
    expect(resolveResilienceOptions({ renderTimeoutMs: 50, healthPath: '/hz' }, env)).toEqual({ renderTimeoutMs: 50, healthPath: '/hz' });
    expect(resolveFaultPolicy({ onFatal: 'log', traceFaults: 'always' }, env)).toEqual({ onFatal: 'log', traceFaults: 'always' });
  });

  it('leaves the fault variables to resolveFaultPolicy: a bare request handler does not read them', () => {
    expect(resolveResilienceOptions({}, { ESMX_ON_FATAL: 'crash', ESMX_TRACE_FAULTS: 'on' })).toEqual({ renderTimeoutMs: 10_000, healthPath: undefined });
  });

  it.each([
    [{ onFatal: 'crash' }, {}, '[esmx:start] option "onFatal" must be one of log, exit, found "crash"; fix: use log (keep serving after a fault) or exit (drain, then exit with code 1)'],
    [{}, { ESMX_ON_FATAL: 'EXIT' }, '[esmx:start] environment variable ESMX_ON_FATAL must be one of log, exit, found "EXIT"; fix: use log (keep serving after a fault) or exit (drain, then exit with code 1)'],
    [{ traceFaults: true }, {}, '[esmx:start] option "traceFaults" must be one of always, after-first-fault, found true; fix: use always (every fault names its request; about 1 µs more per page) or after-first-fault (tracing starts at the first fault)'],
    [{}, { ESMX_TRACE_FAULTS: 'on' }, '[esmx:start] environment variable ESMX_TRACE_FAULTS must be one of always, after-first-fault, found "on"; fix: use always (every fault names its request; about 1 µs more per page) or after-first-fault (tracing starts at the first fault)'],
    [{ renderTimeoutMs: 0 }, {}, '[esmx:start] option "renderTimeoutMs" must be a positive whole number of milliseconds up to 2147483647, found 0; fix: pass e.g. --renderTimeoutMs=10000'],
    [{ renderTimeoutMs: 1.5 }, {}, '[esmx:start] option "renderTimeoutMs" must be a positive whole number of milliseconds up to 2147483647, found 1.5; fix: pass e.g. --renderTimeoutMs=10000'],
    [{ renderTimeoutMs: '100' }, {}, '[esmx:start] option "renderTimeoutMs" must be a positive whole number of milliseconds up to 2147483647, found "100"; fix: pass e.g. --renderTimeoutMs=10000'],
    [{}, { ESMX_RENDER_TIMEOUT_MS: '10s' }, '[esmx:start] environment variable ESMX_RENDER_TIMEOUT_MS must be a positive whole number of milliseconds up to 2147483647, found "10s"; fix: pass e.g. ESMX_RENDER_TIMEOUT_MS=10000'],
    [{}, { ESMX_RENDER_TIMEOUT_MS: '-5' }, '[esmx:start] environment variable ESMX_RENDER_TIMEOUT_MS must be a positive whole number of milliseconds up to 2147483647, found "-5"; fix: pass e.g. ESMX_RENDER_TIMEOUT_MS=10000'],
    [{ renderTimeoutMs: 2 ** 31 }, {}, '[esmx:start] option "renderTimeoutMs" must be a positive whole number of milliseconds up to 2147483647, found 2147483648; fix: pass e.g. --renderTimeoutMs=10000'],
    [{ healthPath: 'health' }, {}, '[esmx:start] option "healthPath" must be an absolute URL path such as /_esmx/health, found "health"; fix: pass e.g. --healthPath=/_esmx/health'],
    [{ healthPath: '/h?x' }, {}, '[esmx:start] option "healthPath" must be an absolute URL path such as /_esmx/health, found "/h?x"; fix: pass e.g. --healthPath=/_esmx/health'],
    [{}, { ESMX_HEALTH_PATH: '//evil/h' }, '[esmx:start] environment variable ESMX_HEALTH_PATH must be an absolute URL path such as /_esmx/health, found "//evil/h"; fix: pass e.g. ESMX_HEALTH_PATH=/_esmx/health'],
  ])('refuses %j with env %j', (options, env, message) => {
    expect(() => {
      resolveResilienceOptions(options, env);
      resolveFaultPolicy(options, env);
    }).toThrow(message);
  });

  it('names the option as the caller spells it', () => {
    expect(() => resolveResilienceOptions({ renderTimeoutMs: -1 }, {}, '[esmx:start]', { renderTimeoutMs: 'renderTimeout' })).toThrow(
      '[esmx:start] option "renderTimeout" must be a positive whole number of milliseconds up to 2147483647, found -1; fix: pass e.g. --renderTimeout=10000',
    );
  });
});
