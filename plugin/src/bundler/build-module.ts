import type { Configuration, MultiCompiler } from '@rspack/core' with { 'resolution-mode': 'import' };
import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ENTRY_EXPORT, OUTPUT_CACHE_FILE, SOURCE_SCANS_FILE, TAG } from '../constants';
import type { BuildTarget, ModuleInfo } from '../protocol/types';
import { BUILD_TARGETS, createStatsCollector, type StatsCollector } from './collect-stats';
import { createTargetConfigs } from './create-target-configs';
import { emptyTrash } from './deferred-removal';
import { createExternalsPlan } from './externals';
import { checkRuntimeSupply, findForeignExtensions, resolveModuleFramework } from '../frameworks/index';
import { createTargetResolvers, getCacheDir, resolveProvidedFiles, writeProvidedWrappers } from './provided-wrappers';
import { hasErrors } from '../protocol/diagnostics';
import { formatDiagnostic } from '../protocol/format-report';
import type { Diagnostic } from '../protocol/types';
import { logCompilerProgress, runOnce, watchCompiler, type Settle } from './run-compiler';
import { openOutputCache, recordEmittedFiles } from './record-emitted';
import { openSourceScans } from './source-scans';
import { discardAbandonedStages, getWorkDirs } from './swap-dist';
import type { BuildModuleOptions, BuildModuleResult, EntryPlan, TargetPlan } from './types';
import { writeBuildOutput, type BuildOutputContext } from './write-build-output';

/** Entries of one target: the framework entry, each logical export, then each provided specifier. */
export function planEntries(info: ModuleInfo, target: BuildTarget, provided: Map<string, string>): EntryPlan[] {
  const entries: EntryPlan[] = [];
  const entryFile = info.entry[target];
  if (entryFile) {
    const name = ENTRY_EXPORT[target];
    entries.push({ name, import: resolve(info.root, entryFile), identifier: `${info.name}/${name}`, pkg: false });
  }
  for (const exp of info.exports) {
    const file = exp[target];
    if (file) entries.push({ name: exp.name, import: resolve(info.root, file), identifier: `${info.name}/${exp.name}`, pkg: false });
  }
  for (const [specifier, wrapper] of provided) {
    entries.push({ name: specifier, import: wrapper, identifier: specifier, pkg: true });
  }
  return entries;
}

/** The targets a module has something to build for: an entry, an export, or a provided package. */
function listWantedTargets(info: ModuleInfo): BuildTarget[] {
  return BUILD_TARGETS.filter((target) => Boolean(info.entry[target]) || info.exports.some((e) => e[target]) || info.provides.length > 0);
}

function formatAll(diagnostics: Diagnostic[]): string[] {
  return diagnostics.map((d) => formatDiagnostic(d, { color: false }));
}

function fail(errors: string[]): BuildModuleResult {
  return { ok: false, errors, warnings: [], manifests: {}, sizes: [] };
}

/**
 * Builds one module: client and server in one Rspack MultiCompiler run, into this process's dist/.esmx-build-<pid>,
 * then writes the manifests and swaps dist/client, dist/server and dist/index.mjs on success. What earlier builds and
 * links set aside is removed meanwhile (deferred-removal.ts).
 */
export async function buildModule(options: BuildModuleOptions): Promise<BuildModuleResult> {
  const emptying = emptyTrash(options.root);
  try {
    return await compileAndSwap(options);
  } finally {
    await emptying;
  }
}

async function compileAndSwap(options: BuildModuleOptions): Promise<BuildModuleResult> {
  const log = options.log ?? ((line: string) => console.log(line));
  const { resolution, mode, root } = options;
  const info = resolution.modules[resolution.module];
  if (!info) {
    return fail([
      `${TAG.build} expected the resolution to contain the module "${resolution.module}" itself, but it does not. Fix: pass the result of resolveModule(root).`,
    ]);
  }
  const { rspack } = await import('@rspack/core');
  // Started now, awaited when Rspack starts: the lexer's WebAssembly compiles while the wrappers and configs are made.
  const lexerReady = import('es-module-lexer').then(async (lexer) => {
    await lexer.init;
    return lexer;
  });
  // Settled even when the build stops before awaiting it, so that no rejection is left unhandled.
  lexerReady.catch(() => undefined);
  const wanted = listWantedTargets(info);
  const resolvers = createTargetResolvers(rspack);
  const provided = resolveProvidedFiles(resolvers, info, info.provides, wanted);
  if (hasErrors(provided.diagnostics)) return fail(formatAll(provided.diagnostics));
  const { wrappers, diagnostics: nameDiagnostics } = await writeProvidedWrappers(info, mode, provided.files, resolvers);
  if (hasErrors(nameDiagnostics)) return fail(formatAll(nameDiagnostics));
  // Warnings about provided packages are printed before Rspack starts, once per build (not per watch rebuild).
  for (const line of formatAll(nameDiagnostics)) log(line);
  const plans: TargetPlan[] = wanted.map((target) => ({ target, entries: planEntries(info, target, wrappers[target]) }));
  const { stage } = getWorkDirs(root);

  const externals = createExternalsPlan(resolution);
  let configs: Configuration[];
  try {
    const { configHook } = options;
    const { framework, table } = await resolveModuleFramework(info, options.frameworks);
    const foreignExtensions = findForeignExtensions(table, framework);
    for (const line of formatAll(checkRuntimeSupply(resolution, framework))) log(line);
    configs = await createTargetConfigs({
      root,
      name: info.name,
      mode,
      plans,
      externals,
      stage,
      configHook,
      DefinePlugin: rspack.DefinePlugin,
      hot: options.watch && options.hot && mode === 'development' ? rspack : undefined,
      framework,
      foreignExtensions,
    });
  } catch (error) {
    return fail([(error as Error).message]);
  }

  rmSync(stage, { recursive: true, force: true });
  discardAbandonedStages(root);
  let lexer: Awaited<typeof lexerReady>;
  try {
    lexer = await lexerReady;
  } catch (error) {
    return fail([`${TAG.build} es-module-lexer could not be loaded: ${(error as Error).message}. Fix: reinstall @esmx/nx (npm ci).`]);
  }
  // Production files are named by their content: what was read from them is kept across builds (record-emitted.ts).
  const outputCache = mode === 'production' ? openOutputCache(join(getCacheDir(root), OUTPUT_CACHE_FILE)) : undefined;
  const sourceScans = openSourceScans(join(getCacheDir(root), SOURCE_SCANS_FILE));
  const context: BuildOutputContext = { root, info, resolution, mode, plans, stage, watch: Boolean(options.watch), lexer, externals, log, outputCache, sourceScans };
  const settle: Settle = async (error, collected) => {
    if (error || !collected) return fail([`${TAG.build} Rspack failed while building ${info.name}: ${error?.message}`]);
    try {
      return await writeBuildOutput(context, collected);
    } catch (err) {
      return fail([`${TAG.build} writing the output of ${info.name} failed: ${(err as Error).message}`]);
    }
  };

  // A module that declares nothing to build (no entry, export or provided package) still gets empty manifests.
  if (configs.length === 0) return settle(null, { errors: [], warnings: [], entrypoints: {} });

  let compiler: MultiCompiler;
  try {
    compiler = rspack(configs);
  } catch (error) {
    return fail([`${TAG.build} Rspack rejected the configuration of ${info.name}: ${(error as Error).message}`]);
  }
  logCompilerProgress(compiler, info.name, mode, log);
  const recorder = recordEmittedFiles(compiler, { mode, lexer, cache: outputCache });
  const collectStats = createStatsCollector();
  const collect: StatsCollector = (stats) => ({ ...collectStats(stats), emitted: recorder.snapshot() });
  if (!options.watch) return runOnce(compiler, collect, settle);
  const first = await watchCompiler(compiler, collect, settle, options.onRebuild);
  const stop = first.close;
  // The stage a watch keeps between rebuilds goes with it.
  return stop ? { ...first, close: () => stop().then(() => rmSync(stage, { recursive: true, force: true })) } : first;
}
