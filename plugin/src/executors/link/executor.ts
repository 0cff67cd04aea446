import type { ExecutorContext } from '@nx/devkit';
import { DIST_DIR, IMPORT_MAP_FILE, LINK_FILE, TAG } from '../../constants';
import { keepPreviousDist, linkModule } from '../../link/index';
import { describeKeptDist } from '../lib/describe-kept-dist';
import { hasErrors, resolveModule } from '../../protocol/index';
import { getModuleRoot } from '../lib/get-module-root';
import { printDiagnostics } from '../lib/print-diagnostics';
import type { LinkExecutorSchema } from './schema';

/**
 * `@esmx/nx:link`, the inferred `build` target: runs after the module's own `bundle` and the `build` of every module it
 * uses. It only reads manifests and writes two small JSON files.
 */
export default async function runLinkExecutor(
  options: LinkExecutorSchema,
  context: ExecutorContext,
): Promise<{ success: boolean }> {
  const root = getModuleRoot(context, TAG.link, 'nx run <module>:build');
  if (!root) return { success: false };
  const resolution = resolveModule(root, { links: options.links ?? {}, checkFiles: false });
  // Unbuilt modules are a warning for the resolver but an error for the link step, which reports them itself.
  const resolveDiagnostics = resolution.diagnostics.filter((d) => d.code !== 'E_NOT_BUILT');
  if (hasErrors(resolveDiagnostics)) {
    printDiagnostics(resolveDiagnostics);
    // An unreadable declaration has no module name; the project's is the one the user typed.
    const name = context.projectName ?? resolution.module;
    console.error(describeKeptDist(name, keepPreviousDist(root), 'because the declaration has errors (see above)'));
    return { success: false };
  }
  const result = linkModule(root, resolution);
  const diagnostics = [...resolveDiagnostics, ...result.diagnostics];
  printDiagnostics(diagnostics);
  if (hasErrors(diagnostics)) {
    console.error(describeKeptDist(resolution.module, result.kept));
    return { success: false };
  }
  const linked = Object.keys(result.link.modules).length;
  const written = result.importMap
    ? `${DIST_DIR}/${IMPORT_MAP_FILE} (${Object.keys(result.importMap.imports).length} imports, ` +
      `${Object.keys(result.importMap.scopes).length} scopes) and ${DIST_DIR}/${LINK_FILE}`
    : `${DIST_DIR}/${LINK_FILE}`;
  console.log(`${TAG.link} ${resolution.module}: linked ${linked} module${linked === 1 ? '' : 's'}; wrote ${written}.`);
  return { success: true };
}
