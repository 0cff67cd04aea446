/** es-module-shims, served from the host's own origin under a content-hashed name, only where import maps are missing. */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RUNTIME_BUNDLE, RUNTIME_URL_DIR, TAG } from '../constants';
import { escapeAttribute, nonceAttribute, serializeForScript } from './escape';
import { describeMemoryFile, type StaticFile } from './static-files';

/** When the page loads es-module-shims: `auto` (feature test), `always`, `never`. */
export const SHIM_MODES = ['auto', 'always', 'never'] as const;

/** How the page loads es-module-shims: `auto` (only where import maps are missing), `always` or `never`. */
export type ShimMode = (typeof SHIM_MODES)[number];

/**
 * The one check of a shim option, for every caller (startServer, the start and serve executors): `undefined`
 * means `auto`; anything outside SHIM_MODES throws a message tagged with `tag`.
 */
export function parseShimMode(value: unknown, tag: string): ShimMode {
  if (value === undefined) return 'auto';
  if ((SHIM_MODES as readonly unknown[]).includes(value)) return value as ShimMode;
  throw new Error(
    `${tag} option "shim" must be one of ${SHIM_MODES.join(', ')}, found ${JSON.stringify(value)}; ` +
      `fix: pass --shim=auto (shim: 'auto' when calling startServer)`,
  );
}

/** Reserved URL folder of runtime-owned files (see RUNTIME_URL_DIR). */
export const RUNTIME_PATH = RUNTIME_URL_DIR;

export interface Shim {
  /** `es-module-shims.<hash8>.final.js` */
  name: string;
  integrity: string;
  file: StaticFile;
}

let cached: Shim | undefined;

/** Reads and hashes the shim once per process. */
export function loadShim(): Shim {
  if (cached) return cached;
  // The standalone output ships the shim next to the bundled runtime, where no node_modules exists to resolve it from.
  let path = join(__dirname, RUNTIME_BUNDLE.shim);
  try {
    if (!existsSync(path)) path = require.resolve('es-module-shims');
  } catch {
    throw new Error(
      `${TAG.ssr} expected the es-module-shims package next to @esmx/nx, found none. ` +
        `Fix: npm install es-module-shims, or start with shim: 'never'.`,
    );
  }
  const content = readFileSync(path);
  const digest = createHash('sha256').update(content).digest('hex');
  const name = `es-module-shims.${digest.slice(0, 8)}.final.js`;
  cached = {
    name,
    integrity: `sha384-${createHash('sha384').update(content).digest('base64')}`,
    file: describeMemoryFile(name, content, digest),
  };
  return cached;
}

/**
 * The tags that follow the import map. `auto`: an inline feature test that inserts the shim only when
 * `HTMLScriptElement.supports('importmap')` is false (the shim then runs in polyfill mode over the native map).
 */
export function renderShimTags(mode: ShimMode, src: string, integrity: string, nonce: string | undefined): string {
  if (mode === 'never') return '';
  if (mode === 'always') {
    return `<script async src="${escapeAttribute(src)}" integrity="${escapeAttribute(integrity)}" crossorigin="anonymous"${nonceAttribute(nonce)}></script>`;
  }
  const props = `src:${serializeForScript(src)},integrity:${serializeForScript(integrity)},crossOrigin:"anonymous",async:true${
    nonce ? `,nonce:${serializeForScript(nonce)}` : ''
  }`;
  return (
    `<script${nonceAttribute(nonce)}>HTMLScriptElement.supports&&HTMLScriptElement.supports("importmap")||` +
    `document.head.appendChild(Object.assign(document.createElement("script"),{${props}}))</script>`
  );
}
