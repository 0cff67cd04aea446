import type { ExecutorContext } from '@nx/devkit';
import { DIST_DIR, IMPORT_MAP_FILE, LINK_FILE, TAG } from '../../constants';
import { formatDiagnostic, hasErrors, resolveModule } from '../../protocol/index';
import type { Diagnostic } from '../../protocol/types';
import { getModuleRoot } from '../lib/get-module-root';
import { join } from 'node:path';
import { linkModule, removeLinkOutputs } from './lib/link-module';
import type { ImportmapExecutorSchema } from './schema';

/**
 * `@esmx/nx:importmap`, the inferred `build` target: the link step that runs after the module's own `bundle` and the
 * `build` of every module it uses. It only reads manifests and writes two small JSON files.
 */
export default async function runImportmapExecutor(
  options: ImportmapExecutorSchema,
  context: ExecutorContext,
): Promise<{ success: boolean }> {
  const root = getModuleRoot(context, TAG.link, 'nx run <module>:build');
  if (!root) return { success: false };
  const resolution = resolveModule(root, { links: options.links ?? {}, checkFiles: false });
  // Unbuilt modules are a warning for the resolver but an error for the link step, which reports them itself.
  const resolveDiagnostics = resolution.diagnostics.filter((d) => d.code !== 'E_NOT_BUILT');
  if (hasErrors(resolveDiagnostics)) {
    printDiagnostics(resolveDiagnostics);
    removeLinkOutputs(join(root, DIST_DIR));
    console.error(
      `${TAG.link} ${resolution.module}: not linked because the declaration has errors (see above); ` +
        `${DIST_DIR}/${IMPORT_MAP_FILE} and ${DIST_DIR}/${LINK_FILE} were removed.`,
    );
    return { success: false };
  }
  const result = linkModule(root, resolution);
  const diagnostics = [...resolveDiagnostics, ...result.diagnostics];
  printDiagnostics(diagnostics);
  if (hasErrors(diagnostics)) {
    console.error(`${TAG.link} ${resolution.module}: not linked; ${DIST_DIR}/${IMPORT_MAP_FILE} and ${DIST_DIR}/${LINK_FILE} were removed.`);
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

function printDiagnostics(diagnostics: Diagnostic[]): void {
  for (const diagnostic of diagnostics) {
    const text = formatDiagnostic(diagnostic);
    if (diagnostic.severity === 'error') console.error(text);
    else console.warn(text);
  }
}
