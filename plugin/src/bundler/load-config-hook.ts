import { existsSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { TAG } from '../constants';
import { importOrRequire, readDefaultExport } from '../utils/import-file';
import type { BuildTarget } from '../protocol/types';
import type { Configuration } from '@rspack/core' with { 'resolution-mode': 'import' };

export const CONFIG_HOOK_FILES = ['esmx.rspack.ts', 'esmx.rspack.mjs', 'esmx.rspack.js'];

/** The default export of an `esmx.rspack.*` file: receives each target's config, returns it changed (or changes it in place). */
export type ConfigHook = (
  config: Configuration,
  context: { target: BuildTarget; mode: 'production' | 'development'; root: string },
) => Configuration | void | Promise<Configuration | void>;

export function findConfigHook(root: string, configured?: string): string | undefined {
  if (configured) return isAbsolute(configured) ? configured : resolve(root, configured);
  return CONFIG_HOOK_FILES.map((f) => join(root, f)).find((f) => existsSync(f));
}

/** Loads the default export of an `esmx.rspack.*` file. `.ts` needs a TypeScript loader (Nx registers one). */
export async function loadConfigHook(path: string): Promise<ConfigHook> {
  if (!existsSync(path)) {
    throw new Error(`${TAG.build} expected the Rspack config hook ${path} to exist, but it does not. Fix: create it or correct the "config" option.`);
  }
  let loaded: unknown;
  try {
    loaded = /\.[cm]?ts$/.test(path) ? require(path) : await importOrRequire(path);
  } catch (error) {
    throw new Error(
      `${TAG.build} could not load the Rspack config hook ${path}: ${(error as Error).message.split('\n')[0]}. ` +
        'Fix: correct the file (a .ts hook needs a TypeScript loader, which Nx provides; otherwise use .mjs).',
    );
  }
  const exported = readDefaultExport(loaded);
  // A `.ts` hook compiled to CommonJS and required from ESM arrives with its default export nested once more.
  const nested = typeof exported === 'object' ? readDefaultExport(exported) : exported;
  const hook = typeof nested === 'function' ? nested : exported;
  if (typeof hook !== 'function') {
    throw new Error(
      `${TAG.build} expected ${path} to export a function (config, { target, mode, root }) => config as default, but found ${typeof hook}. Fix: export default function.`,
    );
  }
  return hook as ConfigHook;
}
