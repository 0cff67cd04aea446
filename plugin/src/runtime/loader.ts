/**
 * Main-thread side of the Node resolve hook (loader-hooks.mjs): registers it once per process and swaps its
 * table over a MessagePort, awaiting an ack so no import can race ahead of the new map.
 */
import { createHash } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { register } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import type { ParsedImportMap, SpecifierMap } from '../import-map/parse-import-map';
import type { BuildManifest } from '../protocol/types';
import { RUNTIME_BUNDLE, TAG } from '../constants';

type SpecifierTable = { exact: Record<string, string | null>; prefixes: [string, string | null][] };
export interface LoaderTable {
  imports: SpecifierTable;
  scopes: [string, SpecifierTable][];
  /** [file URL of a dist/server directory ending in `/`, version key] */
  roots: [string, string][];
}

/**
 * A native dynamic import the TypeScript toolchains cannot rewrite: `@swc-node/register` (Nx loading the plugin
 * from source) turns `import()` into `require()`, which cannot load `file://` ESM URLs.
 */
// eslint-disable-next-line @typescript-eslint/no-implied-eval
export const importNative = new Function('specifier', 'return import(specifier)') as (
  specifier: string,
) => Promise<Record<string, unknown>>;

/**
 * The hook's lookup form of one normalized specifier map: exact keys in an object (O(1)), prefix keys longest
 * first. Among the prefix keys that match one specifier every key is a prefix of the others, so the spec's walk
 * in descending code-unit order meets the longest first: both orders pick the same key.
 */
function toSpecifierTable(map: SpecifierMap): SpecifierTable {
  const exact: Record<string, string | null> = { ...map };
  const prefixes: [string, string | null][] = Object.keys(map)
    .filter((key) => key.endsWith('/'))
    .sort((a, b) => b.length - a.length)
    .map((key) => [key, map[key]]);
  return { exact, prefixes };
}

/**
 * The resolve hook's table, generated from the parsed server map (keys and addresses already normalized by
 * `parseImportMap`, null for blocked entries). Scopes longest first: the first one containing the parent wins,
 * as in the spec's descending walk over scope prefixes.
 */
export function createLoaderTable(map: ParsedImportMap, roots: Record<string, string>): LoaderTable {
  const scopes = Object.keys(map.scopes)
    .sort((a, b) => b.length - a.length)
    .map((scope) => [scope, toSpecifierTable(map.scopes[scope])] as [string, SpecifierTable]);
  const rootList = Object.entries(roots)
    .map(([dir, key]) => [dir.endsWith('/') ? dir : `${dir}/`, key] as [string, string])
    .sort((a, b) => b[0].length - a[0].length);
  return { imports: toSpecifierTable(map.imports), scopes, roots: rootList };
}

/**
 * Version key of each module: a hash of its server manifest, its server files' size and mtime, and the keys of
 * the modules it uses (recursively). A module whose key is unchanged after a reload keeps its instance; any
 * module whose own files or whose dependencies changed is re-imported at a new URL (see loader-hooks.mjs).
 */
export function computeVersionKeys(
  manifests: Record<string, { manifest: BuildManifest; text: string; dir: string }>,
): Record<string, string> {
  const keys: Record<string, string> = {};
  const visiting = new Set<string>();
  const keyOf = (name: string): string => {
    if (keys[name] !== undefined) return keys[name];
    const entry = manifests[name];
    if (!entry || visiting.has(name)) return '';
    visiting.add(name);
    const hash = createHash('sha256').update(entry.text);
    for (const file of entry.manifest.files ?? []) {
      try {
        const stat = statSync(join(entry.dir, file));
        hash.update(`\0${file}\0${stat.size}\0${stat.mtimeMs}`);
      } catch {
        // A file listed but missing will fail loudly at import time; its absence still changes the key.
        hash.update(`\0${file}\0missing`);
      }
    }
    for (const used of [...(entry.manifest.uses ?? [])].sort()) hash.update(`\0${used}=${keyOf(used)}`);
    visiting.delete(name);
    keys[name] = hash.digest('hex').slice(0, 12);
    return keys[name];
  };
  for (const name of Object.keys(manifests)) keyOf(name);
  return keys;
}

let channel: { port: MessagePort; seq: number; pending: Map<number, () => void> } | undefined;

const HOOKS_FILE = RUNTIME_BUNDLE.hooks;

/** Registers the hook on first use, then replaces its table; resolves once the loader thread acknowledged it. */
export async function setLoaderTable(table: LoaderTable): Promise<void> {
  await postTable('set-map', table);
}

/**
 * Adds a table the hook consults for modules imported under its version keys, without making it current: an
 * override generation's modules resolve through it while every other request keeps the current table.
 */
export async function addLoaderTable(table: LoaderTable): Promise<void> {
  await postTable('add-map', table);
}

async function postTable(type: 'set-map' | 'add-map', table: LoaderTable): Promise<void> {
  if (!channel) {
    const hooksPath = join(__dirname, HOOKS_FILE);
    if (!existsSync(hooksPath)) {
      throw new Error(`${TAG.ssr} expected the resolve hook at ${hooksPath}, found nothing. Fix: reinstall @esmx/nx.`);
    }
    const { port1, port2 } = new MessageChannel();
    register(pathToFileURL(hooksPath).href, {
      parentURL: pathToFileURL(__filename).href,
      data: { port: port2, table },
      transferList: [port2],
    });
    const pending = new Map<number, () => void>();
    port1.on('message', (message: { type: string; id: number }) => {
      if (message?.type !== 'ack') return;
      pending.get(message.id)?.();
      pending.delete(message.id);
      // Unref'd while idle: an idle MessagePort that stays ref'd keeps the process alive after the server closed.
      if (pending.size === 0) port1.unref();
    });
    port1.unref();
    channel = { port: port1, seq: 0, pending };
    if (type === 'set-map') return;
  }
  const current = channel;
  const id = ++current.seq;
  await new Promise<void>((resolve) => {
    current.pending.set(id, resolve);
    // Ref'd while an ack is awaited: otherwise an event loop with nothing else to do exits the process mid-await.
    current.port.ref();
    current.port.postMessage({ type, id, table });
  });
}
