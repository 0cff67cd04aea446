import type { ExecutorContext } from '@nx/devkit';
import { buildModule } from '../../bundler/index';
import { TAG } from '../../constants';
import { resolveModule } from '../../protocol/index';
import { resolveLinks } from '../../protocol/links-file';
import { linkModule } from '../../link/index';
import { getModuleRoot } from '../lib/get-module-root';
import { normalizeOptions } from '../start/lib/normalize-options';
import { startDevServer, type DevServerDeps } from './lib/dev-server';
import type { ServeExecutorSchema } from './schema';

/** `links` apply to the host only: the modules it links resolve their own uses as usual. */
const createDeps = (hostRoot: string, links: Record<string, string>): DevServerDeps => ({
  resolve: (root) => resolveModule(root, { checkFiles: true, links: root === hostRoot ? links : {} }),
  build: (options) => buildModule(options),
  link: (root, resolution) => linkModule(root, resolution),
});

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
  const root = getModuleRoot(context, TAG.serve, 'nx serve <module>');
  if (!root) {
    yield { success: false };
    return;
  }
  const { port, host, base, shim } = normalized.options;
  let server;
  try {
    const links = resolveLinks(root, { environment: rawOptions?.environment, links: rawOptions?.links }, TAG.serve);
    server = await startDevServer({ root, port, host, base, shim }, createDeps(root, links));
  } catch (error) {
    const message = (error as Error)?.message ?? String(error);
    process.stderr.write(`${message.startsWith('[esmx:') ? message : (error as Error)?.stack ?? message}\n`);
    yield { success: false };
    return;
  }
  yield { success: true, baseUrl: server.url };
  await server.closed;
}
