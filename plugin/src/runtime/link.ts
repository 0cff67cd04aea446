/** Reads `<root>/dist/link.json` and the manifests of every linked module (from disk or from a URL). */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve, sep } from 'node:path';
import {
  CLIENT_DIR,
  DIST_DIR,
  LINK_FILE,
  MANIFEST_FILE,
  PROTOCOL_VERSION,
  REMOTE_CACHE_DIR,
  REMOTE_FETCH_TIMEOUT_MS,
  SERVER_DIR,
  TAG,
} from '../constants';
import type { BuildManifest, LinkFile } from '../protocol/types';

export type { LinkFile };

export interface LinkedModule {
  name: string;
  /** Package root when linked from disk. */
  root?: string;
  /** Base URL of the client files when linked to a URL (ends in `/`). */
  url?: string;
  /** Local `dist/client`, served under `/<name>/`; undefined for URL-linked modules (the browser uses `url`). */
  clientDir?: string;
  /** Local directory of the server files: `dist/server`, or the download cache of a URL-linked module. */
  serverDir?: string;
  client?: BuildManifest;
  server?: BuildManifest;
  /** Raw text of the server manifest (part of the module's version key). */
  serverText?: string;
}

export interface LinkedHost {
  host: string;
  root: string;
  modules: Record<string, LinkedModule>;
}

function fail(message: string): never {
  throw new Error(`${TAG.ssr} ${message}`);
}

function readJson<T>(path: string, what: string, fix: string): { value: T; text: string } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    fail(`expected ${what} at ${path}, found no file. Fix: ${fix}`);
  }
  try {
    return { value: JSON.parse(text) as T, text };
  } catch (error) {
    fail(`expected ${what} at ${path} to be JSON, found invalid JSON (${(error as Error).message}). Fix: ${fix}`);
  }
}

function checkManifest(manifest: BuildManifest, where: string, name: string): BuildManifest {
  if (manifest?.protocol !== PROTOCOL_VERSION) {
    fail(
      `expected protocol ${PROTOCOL_VERSION} in ${where}, found ${JSON.stringify(manifest?.protocol)}. ` +
        `Fix: rebuild ${name} with this version of @esmx/nx.`,
    );
  }
  if (manifest.name !== name) {
    fail(`expected the manifest at ${where} to belong to ${name}, found ${JSON.stringify(manifest.name)}. Fix: check link.json.`);
  }
  return manifest;
}

export function readLinkFile(root: string): LinkFile {
  const path = join(root, DIST_DIR, LINK_FILE);
  const { value } = readJson<LinkFile>(path, 'the link file', 'build the module first (nx run <project>:build).');
  if (value?.protocol !== PROTOCOL_VERSION || typeof value.module !== 'string' || typeof value.modules !== 'object') {
    fail(`expected ${path} to be { protocol: 2, module, modules }, found another shape. Fix: rebuild the module.`);
  }
  return value;
}

/**
 * Where a URL-linked module's server files live. `url` is the base of its client files; by convention the whole
 * `dist/` is deployed, so the server files sit at `../server/` next to `client/`. A link may say otherwise with
 * an explicit `serverUrl`.
 */
export function toServerUrl(link: { url: string; serverUrl?: string }): string {
  if (link.serverUrl) return link.serverUrl.endsWith('/') ? link.serverUrl : `${link.serverUrl}/`;
  return new URL(`../${SERVER_DIR}/`, link.url.endsWith('/') ? link.url : `${link.url}/`).href;
}

async function fetchBytes(url: string, timeoutMs: number): Promise<Buffer> {
  // One deadline for headers and body: a host that accepts and never answers must not hold the start-up for minutes.
  const signal = AbortSignal.timeout(timeoutMs);
  const timedOut = () =>
    fail(
      `expected an answer from ${url} within ${timeoutMs} ms, found none. ` +
        'Fix: check that the module is deployed at the link URL and reachable from this server.',
    );
  let response: Response;
  try {
    response = await fetch(url, { signal });
  } catch (error) {
    if (signal.aborted) timedOut();
    fail(`expected to fetch ${url}, but the request failed (${(error as Error).message}). Fix: check the link URL.`);
  }
  if (!response.ok) fail(`expected 200 from ${url}, found ${response.status}. Fix: deploy the module's dist/ there.`);
  try {
    return Buffer.from(await response.arrayBuffer());
  } catch (error) {
    if (signal.aborted) timedOut();
    fail(`expected the body of ${url}, but reading it failed (${(error as Error).message}). Fix: check the link URL.`);
  }
}

function isSafeRelative(file: string): boolean {
  return !isAbsolute(file) && !file.includes('\\') && !file.split('/').some((s) => s === '..' || s === '');
}

/**
 * Downloads a URL-linked module's server files once into `cacheDir/<name>/<hash of its server manifest>/`
 * (checked against the manifest's integrity when present) so Node can import them from disk.
 */
async function downloadServerFiles(
  name: string,
  serverUrl: string,
  cacheDir: string,
  timeoutMs: number,
): Promise<{ manifest: BuildManifest; text: string; dir: string }> {
  const bytes = await fetchBytes(serverUrl + MANIFEST_FILE, timeoutMs);
  const text = bytes.toString('utf8');
  let manifest: BuildManifest;
  try {
    manifest = JSON.parse(text);
  } catch {
    fail(`expected JSON at ${serverUrl}${MANIFEST_FILE}, found something else. Fix: deploy dist/server there.`);
  }
  checkManifest(manifest, serverUrl + MANIFEST_FILE, name);
  const dir = join(cacheDir, name, createHash('sha256').update(text).digest('hex').slice(0, 16));
  if (!existsSync(join(dir, MANIFEST_FILE))) {
    const staging = `${dir}.tmp-${process.pid}`;
    for (const file of manifest.files ?? []) {
      if (!isSafeRelative(file)) fail(`expected relative file names in ${serverUrl}${MANIFEST_FILE}, found ${file}.`);
      const content = await fetchBytes(serverUrl + file, timeoutMs);
      const expected = manifest.integrity?.[file];
      if (expected) {
        const [algorithm] = expected.split('-');
        const actual = `${algorithm}-${createHash(algorithm).update(content).digest('base64')}`;
        if (actual !== expected) fail(`expected ${serverUrl}${file} to match ${expected}, found ${actual}. Fix: redeploy ${name}.`);
      }
      const target = join(staging, ...file.split('/'));
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, content);
    }
    mkdirSync(staging, { recursive: true });
    writeFileSync(join(staging, MANIFEST_FILE), text);
    mkdirSync(dirname(dir), { recursive: true });
    try {
      renameSync(staging, dir);
    } catch (error) {
      // Another process finished the same download first: its copy is identical (same manifest hash).
      if (!existsSync(join(dir, MANIFEST_FILE))) throw error;
    }
  }
  return { manifest, text, dir };
}

/** Loads link.json and every linked module's manifests. `fetchTimeoutMs` bounds each download of a URL-linked module. */
export async function loadLinkedHost(
  root: string,
  options: { cacheDir?: string; fetchTimeoutMs?: number } = {},
): Promise<LinkedHost> {
  const absoluteRoot = resolve(root);
  const timeoutMs = options.fetchTimeoutMs ?? REMOTE_FETCH_TIMEOUT_MS;
  const link = readLinkFile(absoluteRoot);
  const cacheDir = options.cacheDir ?? join(absoluteRoot, DIST_DIR, REMOTE_CACHE_DIR);
  const modules: Record<string, LinkedModule> = {};
  for (const [name, entry] of Object.entries(link.modules)) {
    if ('url' in entry && typeof entry.url === 'string') {
      const url = entry.url.endsWith('/') ? entry.url : `${entry.url}/`;
      const clientBytes = await fetchBytes(url + MANIFEST_FILE, timeoutMs);
      let client: BuildManifest;
      try {
        client = checkManifest(JSON.parse(clientBytes.toString('utf8')), url + MANIFEST_FILE, name);
      } catch (error) {
        if ((error as Error).message.startsWith(TAG.ssr)) throw error;
        fail(`expected JSON at ${url}${MANIFEST_FILE}, found something else. Fix: deploy dist/client there.`);
      }
      const server = await downloadServerFiles(name, toServerUrl({ url, serverUrl: (entry as { serverUrl?: string }).serverUrl }), cacheDir, timeoutMs);
      modules[name] = { name, url, client, server: server.manifest, serverText: server.text, serverDir: server.dir };
      continue;
    }
    const dir = (entry as { dir?: string }).dir;
    if (typeof dir !== 'string') fail(`expected { dir } or { url } for ${name} in link.json, found ${JSON.stringify(entry)}.`);
    const moduleRoot = resolve(absoluteRoot, dir);
    const clientDir = join(moduleRoot, DIST_DIR, CLIENT_DIR);
    const serverDir = join(moduleRoot, DIST_DIR, SERVER_DIR);
    const linked: LinkedModule = { name, root: moduleRoot, clientDir };
    const rebuild = `build ${name} (nx run ${name}:build).`;
    if (existsSync(join(clientDir, MANIFEST_FILE))) {
      const { value } = readJson<BuildManifest>(join(clientDir, MANIFEST_FILE), `the client manifest of ${name}`, rebuild);
      linked.client = checkManifest(value, join(clientDir, MANIFEST_FILE), name);
    }
    if (existsSync(join(serverDir, MANIFEST_FILE))) {
      const { value, text } = readJson<BuildManifest>(join(serverDir, MANIFEST_FILE), `the server manifest of ${name}`, rebuild);
      linked.server = checkManifest(value, join(serverDir, MANIFEST_FILE), name);
      linked.serverText = text;
      linked.serverDir = serverDir;
    }
    if (!linked.client && !linked.server) {
      fail(`expected ${join(moduleRoot, DIST_DIR)}${sep}{client,server}/${MANIFEST_FILE} for ${name}, found neither. Fix: ${rebuild}`);
    }
    modules[name] = linked;
  }
  if (!modules[link.module]) fail(`expected link.json to list the module itself (${link.module}), found it missing. Fix: rebuild.`);
  return { host: link.module, root: absoluteRoot, modules };
}
