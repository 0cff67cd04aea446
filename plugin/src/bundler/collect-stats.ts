import type { MultiStats, Stats } from '@rspack/core' with { 'resolution-mode': 'import' };
import { HOT_UPDATE_DIR } from '../constants';
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
  /** The client compilation's hash when the client compiled this time (a watch rebuild may compile the server only). */
  clientHash?: string;
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
    let clientHash: string | undefined;
    for (const stats of multiStats.stats) {
      const target = stats.compilation.name as BuildTarget;
      latest[target] = readTargetStats(target, stats);
      if (target === 'client') clientHash = stats.hash ?? undefined;
    }
    const collected = BUILD_TARGETS.flatMap((target) => {
      const stats = latest[target];
      return stats ? [{ target, ...stats }] : [];
    });
    return {
      errors: mergeTargetProblems(collected.flatMap((c) => c.errors)),
      warnings: mergeTargetProblems(collected.flatMap((c) => c.warnings)),
      entrypoints: Object.fromEntries(collected.map((c) => [c.target, c.entrypoints])),
      clientHash,
    };
  };
}

/** An entrypoint's files without the hot-update files of a hot build (the dev server's, never an entry's code). */
function listOwnFiles(files: string[]): string[] {
  return files.filter((name) => !name.startsWith(`${HOT_UPDATE_DIR}/`));
}

/**
 * Errors, warnings and the files of each entrypoint. The files come from the compilation's chunk groups: serialising
 * the stats for them (`toJson`) cost a few ms per target, and only a compilation with problems needs it. Within one
 * chunk the order of the files may differ from the stats' order; nothing depends on it (one script and at most one
 * stylesheet per chunk, chunks in the group's order).
 */
function readTargetStats(target: BuildTarget, stats: Stats): TargetStats {
  const problems =
    stats.hasErrors() || stats.hasWarnings()
      ? stats.toJson({ all: false, errors: true, warnings: true, moduleTrace: false, errorDetails: false })
      : { errors: [], warnings: [] };
  const entrypoints: Record<string, EntrypointFiles> = {};
  for (const [name, group] of stats.compilation.entrypoints) {
    entrypoints[name] = {
      assets: listOwnFiles(group.chunks.flatMap((chunk) => [...chunk.files])),
      auxiliaryAssets: listOwnFiles(group.chunks.flatMap((chunk) => [...chunk.auxiliaryFiles])),
    };
  }
  return {
    errors: (problems.errors ?? []).map((e) => formatProblem(target, 'error', e)),
    warnings: (problems.warnings ?? []).map((w) => formatProblem(target, 'warning', w)),
    entrypoints,
  };
}
