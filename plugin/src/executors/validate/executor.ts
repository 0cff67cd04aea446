import type { ExecutorContext } from '@nx/devkit';
import * as path from 'node:path';
import { TAG } from '../../constants';
import { writeLinkGraphPage } from '../../protocol/link-graph/index';
import { checkModuleFramework } from '../../frameworks/index';
import { checkSourceImports, checkUsedTargets, findUnlinkedImports, hasErrors, resolveModule } from '../../protocol/index';
import { getModuleRoot } from '../lib/get-module-root';
import { normalizeOptions } from './lib/normalize-options';
import { renderJsonEnvelope, renderReport } from './lib/render-output';
import type { ValidateExecutorSchema } from './schema';

/**
 * `@esmx/nx:validate`: the module's whole resolution without building, the export files of every module it uses and
 * the modules its sources import without linking them. Prints the readable report, or with
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
  const resolved = resolveModule(root, { links: options.links, checkFiles: true, requireBuilt: false });
  // What the build of this module would hit: a used module's missing export file, an import of a module not linked,
  // a named import that a used build does not export, a package bundled twice, a framework nobody provides.
  const resolution = {
    ...resolved,
    diagnostics: [
      ...resolved.diagnostics,
      ...checkUsedTargets(resolved),
      ...findUnlinkedImports(resolved),
      ...checkSourceImports(resolved),
      ...(await checkModuleFramework(resolved)),
    ],
  };
  process.stdout.write(options.json ? renderJsonEnvelope(resolution) : renderReport(resolution));
  if (options.linkGraph) {
    const file = writeLinkGraphPage(resolution, path.resolve(context.root, options.linkGraph));
    process.stderr.write(`${TAG.graph} link-graph page written to ${file}\n`);
  }
  return { success: !hasErrors(resolution.diagnostics) };
}
