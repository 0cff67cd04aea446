/**
 * One map generation of a linked host, loaded as a unit: link file and manifests, the composed maps, the resolve
 * hook's table (from the server map parsed once), the host's render handler and the page pieces. A request reads
 * only what is computed here.
 */
import { ENTRY_EXPORT, TAG } from '../constants';
import { parseImportMap } from '../import-map/parse-import-map';
import type { BuildManifest } from '../protocol/types';
import { composeClientPage, composeImportMap, toDirectoryUrl } from './compose';
import { loadLinkedHost, type LinkedHost, type LinkFile } from './link';
import { addLoaderTable, computeVersionKeys, createLoaderTable, importNative, setLoaderTable, type LoaderTable } from './loader';
import { createPagePieces, describeLinkedModules, type PagePieces } from './page-pieces';
import { indexDirectory, type StaticIndex } from './static-files';
import type { ServerRenderHandle } from './types';

export interface Generation {
  id: number;
  linked: LinkedHost;
  /** The resolve hook's table of this generation (restored when a later reload fails half-way). */
  table: LoaderTable;
  handler: ServerRenderHandle;
  statics: Map<string, StaticIndex>;
  /** Modules whose client files the browser loads from their own URL: nothing of theirs is served here. */
  remoteNames: Set<string>;
  /** The page's tags under the server's base. */
  pieces: PagePieces;
  /** Set on an override generation: the visible notice every page it renders carries. */
  banner?: string;
}

/** A generation loaded from another link file than dist/link.json, next to the current one (an import-map override). */
export interface GenerationVariant {
  link: LinkFile;
  banner: string;
}

export interface GenerationOptions {
  root: string;
  cacheDir?: string;
  base: string;
  /** URL of the host's own client files for the browser (a CDN); they are still served locally too. */
  publicUrl?: string;
  shim: PagePieces['shim'];
}

type ServerEntry = { manifest: BuildManifest; text: string; dir: string };

/** The linked modules sorted by what the server does with them. */
function sortModules(linked: LinkedHost) {
  const serverEntries: Record<string, ServerEntry> = {};
  const clientManifests: Record<string, BuildManifest> = {};
  const publicUrls: Record<string, string> = {};
  const statics = new Map<string, StaticIndex>();
  const remoteNames = new Set<string>();
  for (const m of Object.values(linked.modules)) {
    if (m.server && m.serverDir) serverEntries[m.name] = { manifest: m.server, text: m.serverText ?? '', dir: m.serverDir };
    if (m.client) clientManifests[m.name] = m.client;
    if (m.url) {
      publicUrls[m.name] = m.url;
      remoteNames.add(m.name);
    } else if (m.clientDir) statics.set(m.name, indexDirectory(m.clientDir));
  }
  return { serverEntries, clientManifests, publicUrls, statics, remoteNames };
}

function findServerEntry(linked: LinkedHost): { file: string } {
  const entry = linked.modules[linked.host].server?.exports[ENTRY_EXPORT.server];
  if (!entry) {
    throw new Error(
      `${TAG.ssr} expected ${linked.host} to have a server entry (export ${ENTRY_EXPORT.server} in dist/server/manifest.json), ` +
        `found none. Fix: declare esmx.entry.server in its package.json and rebuild.`,
    );
  }
  return entry;
}

/** The resolve hook's table: the server map composed, parsed once, and keyed by each module's version. */
function createServerTable(serverEntries: Record<string, ServerEntry>): { table: LoaderTable; keys: Record<string, string> } {
  const dirs: Record<string, string> = {};
  for (const [name, entry] of Object.entries(serverEntries)) dirs[name] = entry.dir;
  const map = composeImportMap(Object.values(serverEntries).map((e) => e.manifest), { target: 'server', dirs });
  const keys = computeVersionKeys(serverEntries);
  const roots: Record<string, string> = {};
  for (const [name, dir] of Object.entries(dirs)) roots[toDirectoryUrl(dir)] = keys[name];
  const parsed = parseImportMap(map, 'file:///', { source: 'the composed server import map' });
  return { table: createLoaderTable(parsed, roots), keys };
}

/** The error and where it was raised, not the whole stack: a start-up failure is one readable line and its fix. */
export function describeLoadError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const frame = error.stack?.split('\n').find((line) => /^\s+at /.test(line));
  return `${error.name}: ${error.message}${frame ? ` (${frame.trim()})` : ''}`;
}

async function importHandler(host: string, entryUrl: string): Promise<ServerRenderHandle> {
  let loaded: Record<string, unknown>;
  try {
    loaded = await importNative(entryUrl);
  } catch (error) {
    throw new Error(
      `${TAG.ssr} expected the server entry of ${host} (${entryUrl}) and the modules it imports to load, ` +
        `but loading threw: ${describeLoadError(error)}\nFix: rebuild the module named in the error, or check that every module ` +
        `it imports is linked (dist/link.json) and built.`,
    );
  }
  const handler = loaded.default as ServerRenderHandle;
  if (typeof handler !== 'function') {
    throw new Error(
      `${TAG.ssr} expected the default export of ${host}/${ENTRY_EXPORT.server} to be a render function ` +
        `(rc) => void, found ${typeof handler}. Fix: export default async function render(rc) { … }.`,
    );
  }
  return handler;
}

/** Loads generation `id`. Swaps the resolve hook's table before importing; the caller restores it on failure. */
export async function loadGeneration(id: number, options: GenerationOptions, variant?: GenerationVariant): Promise<Generation> {
  const linked = await loadLinkedHost(options.root, { cacheDir: options.cacheDir, link: variant?.link });
  const { serverEntries, clientManifests, publicUrls, statics, remoteNames } = sortModules(linked);
  const entry = findServerEntry(linked);
  if (options.publicUrl) publicUrls[linked.host] = options.publicUrl;
  const page = composeClientPage(linked.host, clientManifests, publicUrls, options.base);
  const pieces = createPagePieces(page.map, page.assets, options.shim, describeLinkedModules(linked.host, clientManifests));
  const { table, keys } = createServerTable(serverEntries);
  // A variant's table is added beside the current one: only modules imported under its version keys use it.
  await (variant ? addLoaderTable(table) : setLoaderTable(table));
  const entryUrl = `${toDirectoryUrl(serverEntries[linked.host].dir)}${entry.file}?esmx=${keys[linked.host]}`;
  const handler = await importHandler(linked.host, entryUrl);
  return { id, linked, table, handler, statics, remoteNames, pieces, banner: variant?.banner };
}
