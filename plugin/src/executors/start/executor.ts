import type { ExecutorContext } from '@nx/devkit';
import { TAG } from '../../constants';
import { startServer } from '../../runtime/index';
import { resolveLinks } from '../../protocol/links-file';
import { prepareExecutor } from '../lib/get-module-root';
import { printThrown } from '../lib/print-thrown';
import { runLinkStep } from '../lib/run-link-step';
import { normalizeOptions } from './lib/normalize-options';
import type { StartExecutorSchema } from './schema';

/**
 * `@esmx/nx:start`: the production SSR server of the project, over its built dist/. Stays alive until
 * SIGTERM/SIGINT, then drains the requests in flight and resolves `{ success: true }`.
 */
export default async function runStartExecutor(
  rawOptions: StartExecutorSchema,
  context: ExecutorContext,
): Promise<{ success: boolean }> {
  const prepared = prepareExecutor(normalizeOptions(rawOptions ?? {}), context, TAG.start, 'nx run <module>:start');
  if (!prepared) return { success: false };
  const { options, root } = prepared;
  if (!relinkWhenLinksGiven(root, rawOptions ?? {}, TAG.start, context.projectName)) return { success: false };
  let handle;
  try {
    handle = await startServer({
      root,
      port: options.port,
      host: options.host,
      base: options.base,
      publicUrl: rawOptions?.publicUrl,
      shim: options.shim,
      nonce: options.nonce,
      renderTimeoutMs: options.renderTimeoutMs,
      onFatal: options.onFatal,
      traceFaults: options.traceFaults,
      healthPath: options.healthPath,
      handleSignals: true,
      exitOnSignal: false,
    });
  } catch (error) {
    printThrown(error);
    return { success: false };
  }
  await handle.closed;
  return { success: true };
}

/**
 * With an environment or --links, links the host again before serving: `build` ran as a dependency may have been a
 * cache hit of a variant without them, and the server reads dist/link.json. False after printing why it failed.
 */
export function relinkWhenLinksGiven(
  root: string,
  options: { environment?: string; links?: Record<string, string> },
  tag: string,
  projectName: string | undefined,
): boolean {
  if (options.environment === undefined && Object.keys(options.links ?? {}).length === 0) return true;
  let links: Record<string, string>;
  try {
    links = resolveLinks(root, options, tag);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    return false;
  }
  return runLinkStep(root, links, { projectName }) !== undefined;
}
