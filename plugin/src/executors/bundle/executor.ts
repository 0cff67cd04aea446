import type { ExecutorContext } from '@nx/devkit';
import { buildModule } from '../../bundler/index';
import { TAG } from '../../constants';
import { hasErrors, resolveModule } from '../../protocol/index';
import type { Resolution } from '../../protocol/types';
import { prepareExecutor } from '../lib/get-module-root';
import { describeKeptDist } from '../lib/describe-kept-dist';
import { printDiagnostics } from '../lib/print-diagnostics';
import { tryLinkModule } from '../lib/run-link-step';
import { normalizeOptions, type NormalizedBundleOptions } from './lib/normalize-options';
import type { BundleExecutorSchema } from './schema';

/**
 * The link step after a build, when every used module mounted from disk is built; otherwise a note (the inferred
 * `build` target links after `^build`). Returns false when linking found errors.
 */
function linkIfReady(root: string, options: NormalizedBundleOptions): boolean {
  const resolution: Resolution = resolveModule(root, { links: options.links, checkFiles: false });
  const unbuilt = Object.values(resolution.mounts).filter((m) => m.name !== resolution.module && m.url === undefined && !m.built);
  if (unbuilt.length > 0) {
    console.log(
      `${TAG.build} ${resolution.module}: link step skipped because ${unbuilt.map((m) => m.name).join(', ')} ` +
        `${unbuilt.length === 1 ? 'is' : 'are'} not built yet; run nx run ${resolution.module}:build to build and link everything.`,
    );
    return true;
  }
  const result = tryLinkModule(root, resolution);
  if (!result) return false;
  printDiagnostics(result.diagnostics);
  if (hasErrors(result.diagnostics)) {
    console.error(describeKeptDist(resolution.module, result.kept));
    return false;
  }
  console.log(`${TAG.link} ${resolution.module}: linked ${Object.keys(result.link.modules).length} module(s).`);
  return true;
}

/**
 * `@esmx/nx:bundle` (the inferred `bundle` target, with `link: false`): resolve the declaration, stop on a protocol
 * error or a missing entry/export file before Rspack starts, bundle client + server, then link.
 * With `watch`, yields after every rebuild until the process is interrupted.
 */
export default async function* runBundleExecutor(
  rawOptions: BundleExecutorSchema,
  context: ExecutorContext,
): AsyncGenerator<{ success: boolean }> {
  const prepared = prepareExecutor(normalizeOptions(rawOptions ?? {}), context, TAG.build, 'nx run <module>:bundle');
  if (!prepared) {
    yield { success: false };
    return;
  }
  const { options, root } = prepared;
  const resolution = resolveModule(root, { links: options.links, checkFiles: true, requireBuilt: false });
  // An unbuilt used module does not matter to the bundle (only its declaration does); the link step reports it.
  const diagnostics = resolution.diagnostics.filter((d) => d.code !== 'E_NOT_BUILT');
  printDiagnostics(diagnostics);
  if (hasErrors(diagnostics)) {
    console.error(`${TAG.build} ${resolution.module}: not built because the declaration has errors (see above).`);
    yield { success: false };
    return;
  }

  const afterBuild = (ok: boolean) => ok && (!options.link || linkIfReady(root, options));
  let notify: (() => void) | undefined;
  const rebuilt: boolean[] = [];
  const first = await buildModule({
    root,
    mode: options.mode,
    resolution,
    configHook: options.config,
    watch: options.watch,
    onRebuild: (result) => {
      rebuilt.push(afterBuild(result.ok));
      notify?.();
    },
  });
  yield { success: afterBuild(first.ok) };
  if (!options.watch || !first.close) return;

  let stopped = false;
  const stop = new Promise<void>((resolveStop) => {
    const onSignal = () => {
      stopped = true;
      resolveStop();
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  });
  try {
    while (!stopped) {
      const next = rebuilt.shift();
      if (next !== undefined) {
        yield { success: next };
        continue;
      }
      await Promise.race([new Promise<void>((wake) => (notify = wake)), stop]);
    }
  } finally {
    await first.close();
  }
}
