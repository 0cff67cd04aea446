/** The page's tags, rendered once per map generation and base (and again per request only with a CSP nonce). */
import type { BuildManifest, ImportMap } from '../protocol/types';
import type { PageAsset, PageAssets } from './compose';
import { escapeAttribute, nonceAttribute, serializeForScript } from './escape';
import { renderShimTags, type ShimMode } from './shim';
import type { LinkedModuleInfo } from './types';

/** What every request of one generation under one base shares. */
export interface PagePieces {
  importMapJson: string;
  assets: PageAssets;
  shim: { mode: ShimMode; src: string; integrity: string };
  modules: readonly LinkedModuleInfo[];
  /** Tag strings for requests without a nonce (the common case): built once. */
  plain: { importmap: string; modulePreload: string; preload: string; css: string; moduleEntry: string };
}

/** ` integrity="…" crossorigin="anonymous"` (both escaped: the value comes from a manifest), or nothing. */
function integrityAttributes(integrity: string | undefined): string {
  return integrity ? ` integrity="${escapeAttribute(integrity)}" crossorigin="anonymous"` : '';
}

export function renderModulePreload(modules: PageAsset[], nonce: string | undefined): string {
  const n = nonceAttribute(nonce);
  return modules
    .map((m) => `<link rel="modulepreload" href="${escapeAttribute(m.href)}"${integrityAttributes(m.integrity)}${n}>`)
    .join('');
}

export function renderCss(css: PageAsset[], nonce: string | undefined): string {
  const n = nonceAttribute(nonce);
  return css.map((c) => `<link rel="stylesheet" href="${escapeAttribute(c.href)}"${integrityAttributes(c.integrity)}${n}>`).join('');
}

export function renderPreload(assets: PageAssets, nonce: string | undefined): string {
  const n = nonceAttribute(nonce);
  // Same integrity and CORS mode as the stylesheet link, or the browser fetches it twice and warns.
  const styles = assets.css.map(
    (c) => `<link rel="preload" as="style" href="${escapeAttribute(c.href)}"${integrityAttributes(c.integrity)}${n}>`,
  );
  const fonts = assets.fonts.map(
    (f) => `<link rel="preload" as="font" href="${escapeAttribute(f.href)}" crossorigin="anonymous"${n}>`,
  );
  return styles.join('') + fonts.join('');
}

export function renderImportMap(pieces: Omit<PagePieces, 'plain'>, nonce: string | undefined): string {
  return (
    `<script type="importmap"${nonceAttribute(nonce)}>${pieces.importMapJson}</script>` +
    renderShimTags(pieces.shim.mode, pieces.shim.src, pieces.shim.integrity, nonce)
  );
}

export function renderModuleEntry(entry: string | undefined, nonce: string | undefined): string {
  if (!entry) return '';
  return `<script type="module"${nonceAttribute(nonce)}>import ${serializeForScript(entry)};</script>`;
}

/** The host first, then the other modules by name; frozen because every request of a generation shares it. */
export function describeLinkedModules(host: string, manifests: Record<string, BuildManifest>): readonly LinkedModuleInfo[] {
  const names = Object.keys(manifests).sort((a, b) => (a === host ? -1 : b === host ? 1 : a < b ? -1 : a > b ? 1 : 0));
  return Object.freeze(
    names.map((name) => {
      const { version, provides } = manifests[name];
      const versions: Record<string, string> = {};
      for (const pkg of Object.keys(provides ?? {}).sort()) versions[pkg] = provides[pkg].version;
      return Object.freeze({ name, version, provides: Object.freeze(versions) });
    }),
  );
}

/**
 * `s` as one contiguous string. V8 keeps a concatenation as a tree of its parts, and a page that includes a tree
 * copies it leaf by leaf, from wherever the parts lie in the heap, on every request (flattening the page does not
 * flatten the parts). Measured with the ssr benchmark's host under load: about 0.4 µs per page for the five tag
 * strings below (runtime README, Performance). JSON round-trips every string exactly, lone surrogates included.
 */
export function toFlatString(s: string): string {
  return JSON.parse(JSON.stringify(s)) as string;
}

export function createPagePieces(
  map: ImportMap,
  assets: PageAssets,
  shim: PagePieces['shim'],
  modules: readonly LinkedModuleInfo[] = [],
): PagePieces {
  const importMapJson = serializeForScript({ imports: map.imports, scopes: map.scopes, integrity: map.integrity });
  const base = { importMapJson, assets, shim, modules };
  return {
    ...base,
    plain: {
      importmap: toFlatString(renderImportMap(base, undefined)),
      modulePreload: toFlatString(renderModulePreload(assets.modules, undefined)),
      preload: toFlatString(renderPreload(assets, undefined)),
      css: toFlatString(renderCss(assets.css, undefined)),
      moduleEntry: toFlatString(renderModuleEntry(assets.entry, undefined)),
    },
  };
}
