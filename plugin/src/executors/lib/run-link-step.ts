import { DIST_DIR, IMPORT_MAP_FILE, LINK_FILE, TAG } from '../../constants';
import { keepPreviousDist, linkModule, type LinkFile } from '../../link/index';
import { hasErrors, resolveModule } from '../../protocol/index';
import { describeKeptDist } from './describe-kept-dist';
import { printDiagnostics } from './print-diagnostics';
import { printThrown } from './print-thrown';

/**
 * `linkModule`, or undefined after printing what it threw: it throws only past its diagnostics (dist/'s lock held too
 * long by another process) or on a bug.
 */
export function tryLinkModule(...args: Parameters<typeof linkModule>): ReturnType<typeof linkModule> | undefined {
  try {
    return linkModule(...args);
  } catch (error) {
    printThrown(error);
    return undefined;
  }
}

/**
 * The link step of the module at `root` with these links, as the `build` target runs it and as `start`, `serve` and
 * `standalone` run it again when they are given links (a configuration's or the command line's): so that links
 * are never lost to a cache hit of a `build` that ran without them. Prints the diagnostics; `write: false` computes
 * the link file without touching dist/. Returns the link file, or undefined after printing why it failed.
 */
export function runLinkStep(
  root: string,
  links: Record<string, string>,
  options: { projectName?: string; write?: boolean } = {},
): LinkFile | undefined {
  const write = options.write !== false;
  const resolution = resolveModule(root, { links, checkFiles: false });
  // Unbuilt modules are a warning for the resolver but an error for the link step, which reports them itself.
  const resolveDiagnostics = resolution.diagnostics.filter((d) => d.code !== 'E_NOT_BUILT');
  if (hasErrors(resolveDiagnostics)) {
    printDiagnostics(resolveDiagnostics);
    // An unreadable declaration has no module name; the project's is the one the user typed.
    const name = options.projectName ?? resolution.module;
    if (write) console.error(describeKeptDist(name, keepPreviousDist(root), 'because the declaration has errors (see above)'));
    return undefined;
  }
  const result = tryLinkModule(root, resolution, { write });
  if (!result) return undefined;
  const diagnostics = [...resolveDiagnostics, ...result.diagnostics];
  printDiagnostics(diagnostics);
  if (hasErrors(diagnostics)) {
    if (result.kept) console.error(describeKeptDist(resolution.module, result.kept));
    return undefined;
  }
  if (write) {
    const linked = Object.keys(result.link.modules).length;
    const urls = Object.entries(result.link.modules)
      .filter(([, entry]) => 'url' in entry)
      .map(([name, entry]) => `${name} → ${(entry as { url: string }).url}`);
    const written = result.importMap
      ? `${DIST_DIR}/${IMPORT_MAP_FILE} (${Object.keys(result.importMap.imports).length} imports, ` +
        `${Object.keys(result.importMap.scopes).length} scopes) and ${DIST_DIR}/${LINK_FILE}`
      : `${DIST_DIR}/${LINK_FILE}`;
    console.log(
      `${TAG.link} ${resolution.module}: linked ${linked} module${linked === 1 ? '' : 's'}${urls.length ? ` (${urls.join(', ')})` : ''}; wrote ${written}.`,
    );
  }
  return result.link;
}
