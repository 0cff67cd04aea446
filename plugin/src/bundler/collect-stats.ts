import type { MultiStats, Stats } from '@rspack/core' with { 'resolution-mode': 'import' };
import type { BuildTarget } from '../protocol/types';
import type { EntrypointFiles } from './create-manifest';
import type { EmittedFiles } from './record-emitted';
import { formatProblem, mergeTargetProblems } from './format-output';

export const BUILD_TARGETS: readonly BuildTarget[] = ['client', 'server'];

/** What the rest of a build needs from Rspack's stats, read while they are still valid. */
export interface CollectedStats {
  errors: string[];
  warnings: string[];
  entrypoints: Partial<Record<BuildTarget, Record<string, EntrypointFiles>>>;
  /** What each target emitted, hashed and lexed while Rspack wrote it (absent: everything is read from disk). */
  emitted?: EmittedFiles;
}

export type StatsCollector = (multiStats: MultiStats) => CollectedStats;

interface TargetStats {
  errors: string[];
  warnings: string[];
  entrypoints: Record<string, EntrypointFiles>;
}

/**
 * A collector to call synchronously in Rspack's callback: in watch mode a later compilation may start while the
 * previous result is still being written, and stats must not be read after that. A watch rebuild may report only the
 * targets that recompiled (a client-only change): the other target's last result still describes its files, so the
 * collector keeps the latest result per target, or that target's manifest would lose its exports.
 */
export function createStatsCollector(): StatsCollector {
  const latest: Partial<Record<BuildTarget, TargetStats>> = {};
  return (multiStats) => {
    for (const stats of multiStats.stats) {
      const target = stats.compilation.name as BuildTarget;
      latest[target] = readTargetStats(target, stats);
    }
    const collected = BUILD_TARGETS.flatMap((target) => {
      const stats = latest[target];
      return stats ? [{ target, ...stats }] : [];
    });
    return {
      errors: mergeTargetProblems(collected.flatMap((c) => c.errors)),
      warnings: mergeTargetProblems(collected.flatMap((c) => c.warnings)),
      entrypoints: Object.fromEntries(collected.map((c) => [c.target, c.entrypoints])),
    };
  };
}

function readTargetStats(target: BuildTarget, stats: Stats): TargetStats {
  const json = stats.toJson({
    all: false,
    errors: true,
    warnings: true,
    entrypoints: true,
    chunkGroupAuxiliary: true,
    moduleTrace: false,
    errorDetails: false,
  });
  return {
    errors: (json.errors ?? []).map((e) => formatProblem(target, 'error', e)),
    warnings: (json.warnings ?? []).map((w) => formatProblem(target, 'warning', w)),
    entrypoints: Object.fromEntries(
      Object.entries(json.entrypoints ?? {}).map(([name, group]) => [
        name,
        {
          assets: (group.assets ?? []).map((a) => a.name),
          auxiliaryAssets: (group.auxiliaryAssets ?? []).map((a) => a.name),
        },
      ]),
    ),
  };
}
