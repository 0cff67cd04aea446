import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { TAG } from '../constants';
import type { BuildManifest, BuildTarget, ModuleInfo, Resolution } from '../protocol/types';
import { BUILD_TARGETS, type CollectedStats } from './collect-stats';
import { createManifest, listFiles } from './create-manifest';
import { formatRebuildSizes, formatSizeTable, measureFiles } from './format-output';
import { isLinkedSpecifier, takeNestedCopyWarnings } from './externals';
import { formatDiagnostic } from '../protocol/format-report';
import { createSourceScanCache, listSourceImports, summarizeImports } from '../protocol/source-imports';
import { getTargetDir, swapDist } from './swap-dist';
import type { BuildModuleResult, ExternalsPlan, SizeRow, TargetPlan } from './types';
import { keepUnchangedSinceEmit, type OutputCache } from './record-emitted';
import type { SourceScanStore } from './source-scans';
import { renderBootstrap } from './write-bootstrap';

type Lexer = typeof import('es-module-lexer');

/** Everything about one module's build that stays the same across the rebuilds of a watch. */
export interface BuildOutputContext {
  root: string;
  info: ModuleInfo;
  resolution: Resolution;
  mode: 'production' | 'development';
  plans: TargetPlan[];
  stage: string;
  watch: boolean;
  lexer: Lexer;
  /** What stays a bare import: decides which source imports are linked (checked at link time) and which are bundled. */
  externals: ExternalsPlan;
  log: (line: string) => void;
  /** Watch mode: the sizes of the last successful build, so that a rebuild prints only what changed. */
  lastSizes?: SizeRow[];
  /** Production: what was read from earlier builds' files, saved again after a successful build. */
  outputCache?: OutputCache;
  /** What the module's own files imported at the last build, by content; saved again after a successful build. */
  sourceScans?: SourceScanStore;
}

/**
 * Turns one compilation's collected stats into dist/: on errors, prints them and leaves the previous dist/ as it was;
 * otherwise writes both manifests, swaps dist/ and prints the size table.
 */
export async function writeBuildOutput(context: BuildOutputContext, collected: CollectedStats): Promise<BuildModuleResult> {
  const { errors, entrypoints } = collected;
  const { log, info, stage } = context;
  const warnings = [...collected.warnings, ...takeNestedCopyWarnings(context.externals).map((d) => formatDiagnostic(d, { color: false }))];
  for (const w of warnings) log(w);
  if (errors.length > 0) {
    for (const e of errors) log(e);
    log(`${TAG.build} ${info.name}: build failed with ${errors.length} error(s); the previous dist/ was left as it was.`);
    if (!context.watch) rmSync(stage, { recursive: true, force: true });
    return { ok: false, errors, warnings, manifests: {}, sizes: [] };
  }
  const outputs = BUILD_TARGETS.map((target) => {
    const dir = getTargetDir(stage, target);
    const plan = context.plans.find((p) => p.target === target);
    return { target, dir, plan: plan && existsSync(dir) ? plan : undefined };
  });
  // Files recorded as Rspack emitted them (record-emitted.ts) are hashed, lexed and compressed already, or nearly;
  // a record is used only while its file is as emitted.
  await Promise.all(Object.values(collected.emitted ?? {}).map((record) => record?.ready));
  const emitted = Object.fromEntries(outputs.map((o) => [o.target, keepUnchangedSinceEmit(o.dir, collected.emitted?.[o.target]?.files)]));
  // gzip of what was not recorded runs on libuv's thread pool: started first, it overlaps the manifests' lexing and
  // hashing on this thread.
  const measuring = Promise.all(outputs.map((o) => (o.plan ? measureFiles(o.target, o.dir, listFiles(o.dir), emitted[o.target]) : [])));
  // Settled even if a manifest throws below, so that no rejection is left unhandled.
  measuring.catch(() => undefined);
  const manifests = {} as Record<BuildTarget, BuildManifest>;
  const scans = createSourceScanCache(context.sourceScans?.known);
  for (const { target, dir, plan } of outputs) {
    manifests[target] = createManifest({
      resolution: context.resolution,
      target,
      mode: context.mode,
      dir: plan ? dir : join(stage, '.empty'),
      entries: plan ? plan.entries : [],
      entrypoints: entrypoints[target] ?? {},
      lexer: context.lexer,
      emitted: emitted[target],
      // Read at every build, not once per watch: an edit can add or drop an import.
      sourceImports: summarizeImports(info, listSourceImports(info, [target], scans), (s) => isLinkedSpecifier(context.externals, s)),
    });
  }
  const sizes: SizeRow[] = (await measuring).flat();
  swapDist({
    root: context.root,
    keepStage: context.watch,
    manifests,
    bootstrap: info.entry.server ? renderBootstrap(info.name) : undefined,
  });
  // dist/ is swapped already: a cache that cannot be written costs the next build time, not this build its result.
  const saveCache = (what: string, save: () => void) => {
    try {
      save();
    } catch (error) {
      log(`${TAG.build} ${info.name}: warning: the ${what} could not be saved (${(error as Error).message}); the next build reads its files again.`);
    }
  };
  const written = BUILD_TARGETS.flatMap((target) => manifests[target].files.map((file) => `${target}/${file}`));
  saveCache('output cache', () => context.outputCache?.save(written));
  saveCache('source scans', () => context.sourceScans?.save(scans));
  // The whole table once per build; a watch rebuild names only the files that changed size.
  log(context.lastSizes ? formatRebuildSizes(info.name, context.lastSizes, sizes) : formatSizeTable(info.name, sizes));
  if (context.watch) context.lastSizes = sizes;
  return { ok: true, errors: [], warnings, manifests, sizes };
}
