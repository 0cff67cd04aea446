/**
 * Composition of the client and server import maps of a linked host, and of the page assets of its client entry
 * (modulepreload list, CSS, fonts), computed once per map generation so a request does no graph walking.
 */
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { ENTRY_EXPORT } from '../constants';
import type { BuildManifest, ImportMap } from '../protocol/types';
import { composeImportMap, getFileUrl, getModuleBaseUrl } from '../import-map/compose-import-map';
import { parseImportMap, type ParsedImportMap } from '../import-map/parse-import-map';
import { resolveSpecifier } from '../import-map/resolve-specifier';

export { composeImportMap, getFileUrl, getModuleBaseUrl };

/** Base URL (ending in `/`) of a directory, realpath'd as the server map requires. */
export function toDirectoryUrl(dir: string): string {
  const href = pathToFileURL(realpathSync(dir)).href;
  return href.endsWith('/') ? href : `${href}/`;
}

export interface PageAsset {
  href: string;
  integrity?: string;
}

export interface PageAssets {
  /** The host's client entry identifier (`<host>/entry.client`), or undefined when the host has none. */
  entry?: string;
  /** Every JS file the client entry imports statically, transitively, across modules (the entry first). */
  modules: PageAsset[];
  css: PageAsset[];
  fonts: PageAsset[];
}

const FONT_EXTENSIONS = /\.(woff2?|ttf|otf|eot)$/i;

/**
 * Origin the page-asset walk resolves the client map's path-absolute URLs against: the map is composed once per
 * generation, before any request says which origin the page is served from, and only the paths matter.
 */
const PAGE_ORIGIN = 'http://page.invalid';

function toPageUrl(href: string): string {
  return new URL(href, `${PAGE_ORIGIN}/`).href;
}

/** Parses a composed client map once (per generation): the page-asset walk resolves through it, spec-exact. */
export function parseClientMap(map: ImportMap): ParsedImportMap {
  return parseImportMap(map, `${PAGE_ORIGIN}/`, { source: 'the composed client import map' });
}

/** An external the map does not resolve (unmapped, blocked by null, backtracking) has no chunk to preload. */
function resolveExternal(map: ParsedImportMap, specifier: string, parentUrl: string): string | undefined {
  try {
    return resolveSpecifier(specifier, map, parentUrl);
  } catch {
    return undefined;
  }
}

/**
 * Walks the host's `entry.client` chunk and, through the client map, the chunks of every module it imports:
 * the manifests' precomputed `imports`/`externals` closures make this a table walk, no lexing. Each external
 * resolves through `map` with the spec-exact resolver, as the browser will resolve it.
 */
export function collectPageAssets(
  host: string,
  manifests: Record<string, BuildManifest>,
  moduleUrls: Record<string, string>,
  map: ParsedImportMap,
): PageAssets {
  const assets: PageAssets = { modules: [], css: [], fonts: [] };
  const hostManifest = manifests[host];
  if (!hostManifest?.exports[ENTRY_EXPORT.client]) return assets;
  assets.entry = hostManifest.exports[ENTRY_EXPORT.client].identifier;

  // URL of every exported file → the module and export that own it, to follow an external to its chunk.
  const owners = new Map<string, { module: string; exportName: string }>();
  for (const [name, manifest] of Object.entries(manifests)) {
    for (const exp of Object.values(manifest.exports)) {
      owners.set(toPageUrl(getFileUrl(moduleUrls[name], exp.file)), { module: name, exportName: exp.name });
    }
  }
  const seenFiles = new Set<string>();
  const seenChunks = new Set<string>();
  const addFile = (list: PageAsset[], module: string, file: string) => {
    const href = getFileUrl(moduleUrls[module], file);
    if (seenFiles.has(href)) return;
    seenFiles.add(href);
    const integrity = manifests[module].integrity?.[file];
    list.push(integrity ? { href, integrity } : { href });
  };
  // `lazy`: reached through a dynamic import (a remote's widget): only its stylesheets are the page's, its scripts
  // load on demand. A chunk reached both ways is visited twice at most, eagerly winning.
  const visit = (module: string, exportName: string, lazy: boolean) => {
    const chunkKey = `${module}\0${exportName}`;
    if (seenChunks.has(chunkKey) || (lazy && seenChunks.has(`${chunkKey}\0lazy`))) return;
    seenChunks.add(lazy ? `${chunkKey}\0lazy` : chunkKey);
    const manifest = manifests[module];
    const chunk = manifest.chunks?.[exportName];
    const file = manifest.exports[exportName]?.file ?? chunk?.js;
    if (file && !lazy) addFile(assets.modules, module, file);
    if (!chunk) return;
    if (!lazy) for (const imported of chunk.imports ?? []) addFile(assets.modules, module, imported);
    for (const css of chunk.css ?? []) addFile(assets.css, module, css);
    for (const resource of chunk.resources ?? []) if (FONT_EXTENSIONS.test(resource)) addFile(assets.fonts, module, resource);
    const follow = (specifier: string, lazyTarget: boolean) => {
      const url = resolveExternal(map, specifier, toPageUrl(getFileUrl(moduleUrls[module], file ?? '')));
      const owner = url === undefined ? undefined : owners.get(url);
      if (owner) visit(owner.module, owner.exportName, lazyTarget);
    };
    for (const specifier of chunk.externals ?? []) follow(specifier, lazy);
    for (const specifier of chunk.lazyExternals ?? []) follow(specifier, true);
  };
  visit(host, ENTRY_EXPORT.client, false);
  return assets;
}

/** The client map of a generation under `base` and the assets of the host's page, both computed once per generation. */
export function composeClientPage(
  host: string,
  manifests: Record<string, BuildManifest>,
  publicUrls: Record<string, string>,
  base: string,
): { map: ImportMap; assets: PageAssets } {
  const options = { target: 'client' as const, base, publicUrls };
  const moduleUrls: Record<string, string> = {};
  for (const name of Object.keys(manifests)) moduleUrls[name] = getModuleBaseUrl(name, options);
  const map = composeImportMap(Object.values(manifests), options);
  return { map, assets: collectPageAssets(host, manifests, moduleUrls, parseClientMap(map)) };
}
