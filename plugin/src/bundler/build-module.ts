import { existsSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CLIENT_DIR, ENTRY_EXPORT, SERVER_DIR, TAG } from '../constants';
import type { BuildManifest, BuildTarget, ModuleInfo } from '../protocol/types';
import { createManifest, listFiles, type EntrypointFiles } from './create-manifest';
import { createRspackConfig, type RspackConfig } from './create-rspack-config';
import { createExternalsPlan } from './externals';
import { formatProblem, formatSizeTable, measureFiles, type StatsProblem } from './format-output';
import { findConfigHook, loadConfigHook } from './load-config-hook';
import { resolveProvidedFiles, writeProvidedWrappers } from './provided-wrappers';
import { getWorkDirs, swapDist } from './swap-dist';
import type { BuildModuleOptions, BuildModuleResult, EntryPlan, SizeRow } from './types';
import { renderBootstrap } from './write-bootstrap';

const TARGETS: BuildTarget[] = ['client', 'server'];

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

function failure(errors: string[]): BuildModuleResult {
  return { ok: false, errors, warnings: [], manifests: {}, sizes: [] };
}

/**
 * Builds one module: client and server in one Rspack MultiCompiler run, into dist/.esmx-build,
 * then writes the manifests and swaps dist/client, dist/server and dist/index.mjs on success.
 */
export async function buildModule(options: BuildModuleOptions): Promise<BuildModuleResult> {
  const log = options.log ?? ((line: string) => console.log(line));
  const { resolution, mode } = options;
  const info = resolution.modules[resolution.module];
  if (!info) {
    return failure([
      `${TAG.build} expected the resolution to contain the module "${resolution.module}" itself, but it does not. Fix: pass the result of resolveModule(root).`,
    ]);
  }
  const root = options.root;
  const { rspack } = (await import('@rspack/core')) as unknown as { rspack: any };

  const wanted = TARGETS.filter((target) => Boolean(info.entry[target]) || info.exports.some((e) => e[target]) || info.provides.length > 0);
  const { files: providedFiles, errors: providedErrors } = resolveProvidedFiles(rspack, root, info.provides, wanted);
  if (providedErrors.length > 0) return failure(providedErrors);
  const wrappers = await writeProvidedWrappers(root, mode, providedFiles);

  const externals = createExternalsPlan(resolution);
  const dirs = getWorkDirs(root);
  const plans = wanted.map((target) => ({ target, entries: planEntries(info, target, wrappers[target]) }));

  let configs: RspackConfig[];
  try {
    const hookPath = findConfigHook(root, options.configHook);
    const hook = hookPath ? await loadConfigHook(hookPath) : undefined;
    configs = [];
    for (const plan of plans) {
      const base = createRspackConfig({
        root,
        name: info.name,
        mode,
        target: plan.target,
        entries: plan.entries,
        externals,
        outputPath: join(dirs.stage, plan.target === 'client' ? CLIENT_DIR : SERVER_DIR),
        DefinePlugin: rspack.DefinePlugin,
      });
      const changed = hook ? await hook(base, { target: plan.target, mode, root }) : undefined;
      configs.push(changed ?? base);
    }
  } catch (error) {
    return failure([(error as Error).message]);
  }

  rmSync(dirs.stage, { recursive: true, force: true });
  const lexer = await import('es-module-lexer');
  await lexer.init;

  // Reads everything needed from Rspack's stats synchronously: in watch mode a later compilation may start
  // while the previous result is still being written, and stats must not be read after that.
  // A watch rebuild may report only the targets that recompiled (a client-only change): the other target's last
  // result still describes its files, so it is kept per target, or its manifest would lose its exports.
  const latest: Partial<Record<BuildTarget, { errors: string[]; warnings: string[]; entrypoints: Record<string, EntrypointFiles> }>> = {};
  const collect = (multiStats: any) => {
    for (const stats of multiStats.stats) {
      const target = stats.compilation.name as BuildTarget;
      const errors: string[] = [];
      const warnings: string[] = [];
      const json = stats.toJson({
        all: false,
        errors: true,
        warnings: true,
        entrypoints: true,
        chunkGroupAuxiliary: true,
        moduleTrace: false,
        errorDetails: false,
      });
      for (const e of json.errors ?? []) errors.push(formatProblem(target, 'error', e as StatsProblem));
      for (const w of json.warnings ?? []) warnings.push(formatProblem(target, 'warning', w as StatsProblem));
      const entrypoints = Object.fromEntries(
        Object.entries(json.entrypoints ?? {}).map(([name, ep]: [string, any]) => [
          name,
          {
            assets: (ep.assets ?? []).map((a: { name: string }) => a.name),
            auxiliaryAssets: (ep.auxiliaryAssets ?? []).map((a: { name: string }) => a.name),
          },
        ]),
      );
      latest[target] = { errors, warnings, entrypoints };
    }
    const targets = TARGETS.filter((target) => latest[target]);
    return {
      errors: targets.flatMap((target) => latest[target]!.errors),
      warnings: targets.flatMap((target) => latest[target]!.warnings),
      entrypoints: Object.fromEntries(targets.map((target) => [target, latest[target]!.entrypoints])) as Partial<
        Record<BuildTarget, Record<string, EntrypointFiles>>
      >,
    };
  };

  const finish = async ({ errors, warnings, entrypoints }: ReturnType<typeof collect>): Promise<BuildModuleResult> => {
    for (const w of warnings) log(w);
    if (errors.length > 0) {
      for (const e of errors) log(e);
      log(`${TAG.build} ${info.name}: build failed with ${errors.length} error(s); the previous dist/ was left as it was.`);
      if (!options.watch) rmSync(dirs.stage, { recursive: true, force: true });
      return { ok: false, errors, warnings, manifests: {}, sizes: [] };
    }
    const manifests = {} as Record<BuildTarget, BuildManifest>;
    const outputs = TARGETS.map((target) => {
      const dir = join(dirs.stage, target === 'client' ? CLIENT_DIR : SERVER_DIR);
      const plan = plans.find((p) => p.target === target);
      return { target, dir, plan: plan && existsSync(dir) ? plan : undefined };
    });
    // gzip runs on libuv's thread pool: started first, it overlaps the manifests' lexing and hashing on this thread.
    const measuring = Promise.all(
      outputs.map((o) => (o.plan ? measureFiles(o.target, o.dir, listFiles(o.dir)) : [])),
    );
    // Settled even if a manifest throws below, so that no rejection is left unhandled.
    measuring.catch(() => undefined);
    for (const { target, dir, plan } of outputs) {
      manifests[target] = createManifest({
        resolution,
        target,
        mode,
        dir: plan ? dir : join(dirs.stage, '.empty'),
        entries: plan ? plan.entries : [],
        entrypoints: entrypoints[target] ?? {},
        lexer,
      });
    }
    const sizes: SizeRow[] = (await measuring).flat();
    swapDist({
      root,
      keepStage: Boolean(options.watch),
      manifests,
      bootstrap: info.entry.server ? renderBootstrap(info.name) : undefined,
    });
    log(formatSizeTable(info.name, sizes));
    return { ok: true, errors: [], warnings, manifests, sizes };
  };

  const settle = async (error: Error | null, collected?: ReturnType<typeof collect>): Promise<BuildModuleResult> => {
    if (error || !collected) return failure([`${TAG.build} Rspack failed while building ${info.name}: ${error?.message}`]);
    try {
      return await finish(collected);
    } catch (err) {
      return failure([`${TAG.build} writing the output of ${info.name} failed: ${(err as Error).message}`]);
    }
  };

  // A module that declares nothing to build (no entry, export or provided package) still gets empty manifests.
  if (configs.length === 0) return settle(null, { errors: [], warnings: [], entrypoints: {} });

  let compiler: any;
  try {
    compiler = rspack(configs);
  } catch (error) {
    return failure([`${TAG.build} Rspack rejected the configuration of ${info.name}: ${(error as Error).message}`]);
  }
  for (const child of compiler.compilers) {
    let started = 0;
    child.hooks.compile.tap('esmx', () => {
      started = Date.now();
      log(`${TAG.build} ${info.name} ${child.name}: compiling (${mode})…`);
    });
    child.hooks.done.tap('esmx', (stats: any) => {
      const state = stats.hasErrors() ? 'failed' : 'compiled';
      log(`${TAG.build} ${info.name} ${child.name}: ${state} in ${Date.now() - started} ms`);
    });
  }

  if (!options.watch) {
    const result = await new Promise<BuildModuleResult>((done) =>
      compiler.run((error: Error | null, stats: any) => void settle(error, stats && collect(stats)).then(done)),
    );
    await new Promise<void>((done) => compiler.close(() => done()));
    return result;
  }

  return new Promise<BuildModuleResult>((first) => {
    let initial = true;
    // Rebuilds are settled one after another so that two swaps of dist/ never interleave.
    let queue: Promise<void> = Promise.resolve();
    const watching = compiler.watch({ aggregateTimeout: 50 }, (error: Error | null, stats: any) => {
      const collected = stats ? collect(stats) : undefined;
      queue = queue.then(async () => {
        const result = await settle(error, collected);
        if (initial) {
          initial = false;
          first({ ...result, close: () => new Promise<void>((done) => watching.close(() => done())) });
        } else {
          options.onRebuild?.({ ok: result.ok, errors: result.errors, manifests: result.manifests });
        }
      });
    });
  });
}
