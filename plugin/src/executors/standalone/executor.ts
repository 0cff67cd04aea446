import type { ExecutorContext } from '@nx/devkit';
import { relative } from 'node:path';
import { TAG } from '../../constants';
import { resolveLinks } from '../../protocol/links-file';
import { getModuleRoot } from '../lib/get-module-root';
import { printThrown } from '../lib/print-thrown';
import { runLinkStep } from '../lib/run-link-step';
import { writeStandalone } from './lib/write-standalone';
import type { StandaloneExecutorSchema } from './schema';

const megabytes = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(2)} MB`;

/**
 * `@esmx/nx:standalone`, the inferred `standalone` target of a host: after its `build`, writes dist/standalone/, a
 * folder that serves the host with `node index.mjs` on a machine with Node and nothing else.
 */
export default async function runStandaloneExecutor(
  options: StandaloneExecutorSchema,
  context: ExecutorContext,
): Promise<{ success: boolean }> {
  const root = getModuleRoot(context, TAG.standalone, 'nx run <host>:standalone');
  if (!root) return { success: false };
  let result;
  try {
    // With links (an environment's or the command line's), the output gets its own link file: dist/ is left alone.
    let link;
    if (options?.environment !== undefined || Object.keys(options?.links ?? {}).length > 0) {
      link = runLinkStep(root, resolveLinks(root, options, TAG.standalone), { projectName: context.projectName, write: false });
      if (!link) return { success: false };
    }
    result = await writeStandalone(root, undefined, link);
  } catch (error) {
    printThrown(error);
    return { success: false };
  }
  const rows = result.modules.map((m) => `  ${m.name.padEnd(24)} ${m.source === 'url' ? 'linked to its URL' : megabytes(m.bytes)}`);
  console.log(
    `${TAG.standalone} wrote ${relative(context.root, result.dir)} (${megabytes(result.totalBytes)}): node index.mjs serves it with Node alone.\n` +
      `${rows.join('\n')}\n  ${'runtime'.padEnd(24)} ${megabytes(result.runtimeBytes)}`,
  );
  return { success: true };
}
