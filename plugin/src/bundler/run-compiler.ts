import type { MultiCompiler, MultiStats } from '@rspack/core' with { 'resolution-mode': 'import' };
import { TAG } from '../constants';
import type { CollectedStats, StatsCollector } from './collect-stats';
import type { BuildModuleResult, RebuildResult } from './types';

/** Turns a compilation's outcome (Rspack's error, or the collected stats) into a build result; never rejects. */
export type Settle = (error: Error | null, collected?: CollectedStats) => Promise<BuildModuleResult>;

/** One line when each target starts compiling and one when it is done, with its time. */
export function logCompilerProgress(compiler: MultiCompiler, name: string, mode: string, log: (line: string) => void): void {
  for (const child of compiler.compilers) {
    let started = 0;
    child.hooks.compile.tap('esmx', () => {
      started = Date.now();
      log(`${TAG.build} ${name} ${child.name}: compiling (${mode})…`);
    });
    child.hooks.done.tap('esmx', (stats) => {
      const state = stats.hasErrors() ? 'failed' : 'compiled';
      log(`${TAG.build} ${name} ${child.name}: ${state} in ${Date.now() - started} ms`);
    });
  }
}

/** The stats collected in Rspack's callback, or the error collecting them threw (a throw there would never settle). */
function collectOrFail(collect: StatsCollector, stats: MultiStats | undefined, error: Error | null): { error: Error | null; collected?: CollectedStats } {
  if (error || !stats) return { error };
  try {
    return { error: null, collected: collect(stats) };
  } catch (thrown) {
    return { error: new Error(`reading the compilation's stats threw: ${(thrown as Error)?.message ?? String(thrown)}`) };
  }
}

/**
 * One compilation, then the compiler is closed. Once the stats are collected nothing needs the compiler any more, so
 * it is closed while the output is written: closed after the output, Rspack's close took about 10 ms after a react
 * provider's compilation (under 1 ms when called in Rspack's callback), added to the build.
 */
export async function runOnce(compiler: MultiCompiler, collect: StatsCollector, settle: Settle): Promise<BuildModuleResult> {
  let closed: Promise<void> = Promise.resolve();
  const result = await new Promise<BuildModuleResult>((done) =>
    compiler.run((runError, stats) => {
      const { error, collected } = collectOrFail(collect, stats, runError);
      closed = new Promise<void>((resolve) => compiler.close(() => resolve()));
      void settle(error, collected).then(done);
    }),
  );
  await closed;
  return result;
}

/**
 * Watches: resolves with the first build's result (with `close`), then reports every later build to `onRebuild`.
 * Stats are collected in Rspack's callback; results are settled one after another so that two swaps of dist/ never
 * interleave.
 */
export function watchCompiler(
  compiler: MultiCompiler,
  collect: StatsCollector,
  settle: Settle,
  onRebuild: ((result: RebuildResult) => void) | undefined,
): Promise<BuildModuleResult> {
  return new Promise<BuildModuleResult>((first) => {
    let initial = true;
    let queue: Promise<void> = Promise.resolve();
    const watching = compiler.watch({ aggregateTimeout: 50 }, (watchError, stats?: MultiStats) => {
      const { error, collected } = collectOrFail(collect, stats, watchError);
      queue = queue.then(async () => {
        const result = await settle(error, collected);
        if (initial) {
          initial = false;
          first({ ...result, close: () => new Promise<void>((done) => watching.close(() => done())) });
        } else {
          onRebuild?.({ ok: result.ok, errors: result.errors, manifests: result.manifests, clientHash: collected?.clientHash });
        }
      });
    });
  });
}
