import type { ExecutorContext } from '@nx/devkit';
import { TAG } from '../../constants';
import { resolveLinks } from '../../protocol/links-file';
import { getModuleRoot } from '../lib/get-module-root';
import { runLinkStep } from '../lib/run-link-step';
import type { LinkExecutorSchema } from './schema';

/**
 * `@esmx/nx:link`, the inferred `build` target: runs after the module's own `bundle` and the `build` of every module it
 * uses. It only reads manifests and writes two small JSON files. Its links are the environment's from esmx.links.json
 * (a configuration such as `build:staging` sets `environment`) with `--links` over them.
 */
export default async function runLinkExecutor(
  options: LinkExecutorSchema,
  context: ExecutorContext,
): Promise<{ success: boolean }> {
  const root = getModuleRoot(context, TAG.link, 'nx run <module>:build');
  if (!root) return { success: false };
  let links: Record<string, string>;
  try {
    links = resolveLinks(root, { environment: options.environment, links: options.links }, TAG.link);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    return { success: false };
  }
  return { success: runLinkStep(root, links, { projectName: context.projectName }) !== undefined };
}
