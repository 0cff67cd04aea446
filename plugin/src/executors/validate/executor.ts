import type { ExecutorContext } from '@nx/devkit';
import * as path from 'node:path';
import { TAG } from '../../constants';
import { writeLinkGraphPage } from '../../protocol/link-graph/index';
import { hasErrors, resolveModule } from '../../protocol/index';
import { getModuleRoot } from '../lib/get-module-root';
import { normalizeOptions } from './lib/normalize-options';
import { renderJsonEnvelope, renderReport } from './lib/render-output';
import type { ValidateExecutorSchema } from './schema';

/**
 * `@esmx/nx:validate`: the module's whole resolution without building. Prints the readable report, or with
 * `--json` only the envelope `{ diagnostics, supply, mounts }` on stdout; fails only when there is an error.
 */
export default async function runValidateExecutor(
  rawOptions: ValidateExecutorSchema,
  context: ExecutorContext,
): Promise<{ success: boolean }> {
  const normalized = normalizeOptions(rawOptions ?? {});
  if (!normalized.options) {
    process.stderr.write(`${normalized.error}\n`);
    return { success: false };
  }
  const options = normalized.options;
  const root = getModuleRoot(context, TAG.validate, 'nx run <module>:validate');
  if (!root) return { success: false };
  const resolution = resolveModule(root, { links: options.links, checkFiles: true, requireBuilt: false });
  process.stdout.write(options.json ? renderJsonEnvelope(resolution) : renderReport(resolution));
  if (options.linkGraph) {
    const file = writeLinkGraphPage(resolution, path.resolve(context.root, options.linkGraph));
    process.stderr.write(`${TAG.graph} link-graph page written to ${file}\n`);
  }
  return { success: !hasErrors(resolution.diagnostics) };
}
