import { pathToFileURL } from 'node:url';

/**
 * Under Nx the plugin's TypeScript runs through @swc-node/register, which turns `import()` into `require()`:
 * a file URL then fails to resolve, so the plain path is required instead (Node ≥ 20.19 requires ESM files).
 * Under Jest it is the other way round (`require` cannot load ESM, `import()` can).
 */
export async function importOrRequire(path: string): Promise<unknown> {
  try {
    return await import(pathToFileURL(path).href);
  } catch (importError) {
    if (!/Cannot find module 'file:/.test(String((importError as Error).message))) throw importError;
    return require(path);
  }
}

/** The `default` export of a loaded module, or the module itself when it has none. */
export function readDefaultExport(loaded: unknown): unknown {
  if ((typeof loaded === 'object' || typeof loaded === 'function') && loaded !== null && 'default' in loaded) {
    return loaded.default ?? loaded;
  }
  return loaded;
}
