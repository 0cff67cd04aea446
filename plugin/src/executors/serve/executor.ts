import type { ExecutorContext } from '@nx/devkit';
import * as path from 'node:path';
import { buildModule } from '../../bundler/index';
import { TAG } from '../../constants';
import { resolveModule } from '../../protocol/index';
import { linkModule } from '../importmap/lib/link-module';
import { normalizeOptions } from '../start/lib/normalize-options';
import { startDevServer, type DevServerDeps } from './lib/dev-server';
import type { ServeExecutorSchema } from './schema';

const deps: DevServerDeps = {
  resolve: (root) => resolveModule(root, { checkFiles: true }),
  build: (options) => buildModule(options),
  link: (root, resolution) => linkModule(root, resolution),
};

/**
 * `@esmx/nx:serve` (continuous): yields `{ success, baseUrl }` once the dev server listens, then stays alive
 * until SIGINT/SIGTERM, when it stops the watchers and the server.
 */
export default async function* runServeExecutor(
  rawOptions: ServeExecutorSchema,
  context: ExecutorContext,
): AsyncGenerator<{ success: boolean; baseUrl?: string }> {
  const normalized = normalizeOptions(rawOptions ?? {}, TAG.serve);
  if (!normalized.options) {
    process.stderr.write(`${normalized.error}\n`);
    yield { success: false };
    return;
  }
  const projectName = context.projectName;
  const project = projectName ? context.projectsConfigurations?.projects?.[projectName] : undefined;
  if (!projectName || !project) {
    process.stderr.write(`${TAG.serve} expected to run on a project, found none; fix: run it as nx serve <module>\n`);
    yield { success: false };
    return;
  }
  const { port, host, base, shim } = normalized.options;
  let server;
  try {
    server = await startDevServer({ root: path.join(context.root, project.root), port, host, base, shim }, deps);
  } catch (error) {
    const message = (error as Error)?.message ?? String(error);
    process.stderr.write(`${message.startsWith('[esmx:') ? message : (error as Error)?.stack ?? message}\n`);
    yield { success: false };
    return;
  }
  yield { success: true, baseUrl: server.url };
  await server.closed;
}
