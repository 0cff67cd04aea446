import type { ExecutorContext } from '@nx/devkit';
import * as path from 'node:path';
import { TAG } from '../../constants';
import { startServer } from '../../runtime/index';
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
  const normalized = normalizeOptions(rawOptions ?? {});
  if (!normalized.options) {
    process.stderr.write(`${normalized.error}\n`);
    return { success: false };
  }
  const options = normalized.options;
  const projectName = context.projectName;
  const project = projectName ? context.projectsConfigurations?.projects?.[projectName] : undefined;
  if (!projectName || !project) {
    process.stderr.write(`${TAG.start} expected to run on a project, found none; fix: run it as nx run <module>:start\n`);
    return { success: false };
  }
  const root = path.join(context.root, project.root);
  let handle;
  try {
    handle = await startServer({
      root,
      port: options.port,
      host: options.host,
      base: options.base,
      shim: options.shim,
      nonce: options.nonce,
      handleSignals: true,
      exitOnSignal: false,
    });
  } catch (error) {
    // Our own errors carry a tag and a fix: print them without a stack. Anything else is a bug: keep the stack.
    const message = (error as Error)?.message ?? String(error);
    process.stderr.write(`${message.startsWith('[esmx:') ? message : (error as Error)?.stack ?? message}\n`);
    return { success: false };
  }
  await handle.closed;
  return { success: true };
}
