import type { ExecutorContext } from '@nx/devkit';
import * as path from 'node:path';
import { TAG } from '../../constants';
import { writeFileAtomic } from '../../utils/atomic-write';
import { writeLinkGraphPage } from '../../protocol/link-graph/index';
import { checkModuleFramework } from '../../frameworks/index';
import { checkSourceImports, checkUsedTargets, findUnlinkedImports, hasErrors, resolveModule } from '../../protocol/index';
import { createModuleScans } from '../../protocol/source-imports';
import { prepareExecutor } from '../lib/get-module-root';
import { printThrown } from '../lib/print-thrown';
import { printDiagnostics } from '../lib/print-diagnostics';
import { checkAgainstDeployed } from './lib/check-against-deployed';
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
  const prepared = prepareExecutor(normalizeOptions(rawOptions ?? {}), context, TAG.validate, 'nx run <module>:validate');
  if (!prepared) return { success: false };
  const { options, root } = prepared;
  const resolved = resolveModule(root, { links: options.links, checkFiles: true, requireBuilt: false });
  // Both source checks, on both sides, walk the same files: each is read and scanned once.
  const scans = createModuleScans();
  // What the build of this module would hit: a used module's missing export file, an import of a module not linked,
  // a named import that a used build does not export, a package bundled twice, a framework nobody provides.
  const resolution = {
    ...resolved,
    diagnostics: [
      ...resolved.diagnostics,
      ...checkUsedTargets(resolved),
      ...findUnlinkedImports(resolved, scans),
      ...checkSourceImports(resolved, scans),
      ...(await checkModuleFramework(resolved)),
    ],
  };
  process.stdout.write(options.json ? renderJsonEnvelope(resolution) : renderReport(resolution));
  if (options.outputFile) {
    const file = path.resolve(context.root, options.outputFile);
    writeFileAtomic(file, renderJsonEnvelope(resolution));
    process.stderr.write(`${TAG.validate} JSON envelope written to ${file}\n`);
  }
  if (options.linkGraph) {
    const file = writeLinkGraphPage(resolution, path.resolve(context.root, options.linkGraph));
    process.stderr.write(`${TAG.graph} link-graph page written to ${file}\n`);
  }
  let againstFailed = false;
  if (rawOptions?.against) {
    try {
      const result = await checkAgainstDeployed(root, rawOptions.against, context.root);
      process.stderr.write(`${result.summary}\n`);
      printDiagnostics(result.diagnostics);
      againstFailed = hasErrors(result.diagnostics);
    } catch (error) {
      printThrown(error);
      againstFailed = true;
    }
  }
  return { success: !hasErrors(resolution.diagnostics) && !againstFailed };
}
