/** Reads `<root>/dist/link.json` and the manifests of every linked module (from disk or from a URL). */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import {
  CLIENT_DIR,
  DIST_DIR,
  LINK_FILE,
  MANIFEST_FILE,
  REMOTE_CACHE_DIR,
  REMOTE_FETCH_TIMEOUT_MS,
  SERVER_DIR,
  TAG,
} from '../constants';
import { packageNameOf } from '../protocol/installed-version';
import { locateJsonError } from '../protocol/json-position';
import type { BuildManifest, LinkFile } from '../protocol/types';
import { checkLinkFile, checkManifest, type CheckSource } from './check-manifest';

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

/** JSON of a file or download; invalid JSON is refused with the line and column where it stops being JSON. */
export function parseJson(text: string, what: string, source: CheckSource): unknown {
  try {
    return JSON.parse(text);
  } catch {
    const at = locateJsonError(text);
    const where = at ? ` at line ${at.line}, column ${at.column} (expected ${at.expected})` : '';
    fail(`expected ${what} at ${source.file} to be JSON, found invalid JSON${where}. Fix: ${source.fix}`);
  }
}

function readJson(path: string, what: string, fix: string): { value: unknown; text: string } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    fail(`expected ${what} at ${path}, found no file. Fix: ${fix}`);
  }
  return { value: parseJson(text, what, { file: path, fix }), text };
}

/** The module's name from its package.json, for a fix that can be pasted; a placeholder when it cannot be read. */
function readModuleName(root: string): string {
  try {
    const { name } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    if (typeof name === 'string' && name !== '') return name;
  } catch {
    // No readable package.json: the fix below then names a placeholder.
  }
  return '<module>';
}

const rebuildFix = (name: string) => `rebuild ${name} (nx run ${name}:build).`;

export function readLinkFile(root: string): LinkFile {
  const path = join(root, DIST_DIR, LINK_FILE);
  const name = readModuleName(root);
  const { value } = readJson(path, 'the link file', `build ${name} first (nx run ${name}:build).`);
  return checkLinkFile(value, { file: path, fix: rebuildFix(name) });
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

export async function fetchBytes(url: string, timeoutMs: number): Promise<Buffer> {
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

const redeployFix = (name: string) =>
  `redeploy ${name}: rebuild it (nx run ${name}:build) and publish its whole dist/ (client/ and server/) at the link URL.`;

/**
 * The files the server imports or the page names by export must be on disk: a manifest listing a file that is
 * gone is a broken dist, said here in one line instead of as an import failure later.
 */
function checkExportFiles(manifest: BuildManifest, dir: string, manifestPath: string, fix: string): void {
  for (const exp of Object.values(manifest.exports)) {
    const path = join(dir, ...exp.file.split('/'));
    if (!existsSync(path)) {
      fail(`expected ${path} (export ${JSON.stringify(exp.name)} of ${manifestPath}), found no file. Fix: ${fix}`);
    }
  }
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
  const source = { file: serverUrl + MANIFEST_FILE, fix: redeployFix(name) };
  const manifest = checkManifest(parseJson(text, `the server manifest of ${name}`, source), name, 'server', source);
  const dir = join(cacheDir, name, createHash('sha256').update(text).digest('hex').slice(0, 16));
  if (!existsSync(join(dir, MANIFEST_FILE))) {
    const staging = `${dir}.tmp-${process.pid}`;
    for (const file of manifest.files ?? []) {
      const content = await fetchBytes(serverUrl + file, timeoutMs);
      const expected = manifest.integrity?.[file];
      if (expected) {
        const [algorithm] = expected.split('-');
        const actual = `${algorithm}-${createHash(algorithm).update(content).digest('base64')}`;
        if (actual !== expected) fail(`expected ${serverUrl}${file} to match ${expected}, found ${actual}. Fix: ${redeployFix(name)}`);
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

/**
 * A server build that imports a linked module whose server build is missing would fail inside Node's resolver at
 * import time, with a stack; said here instead, naming the missing manifest.
 */
function checkServerImports(modules: Record<string, LinkedModule>): void {
  for (const importer of Object.values(modules)) {
    for (const chunk of Object.values(importer.server?.chunks ?? {})) {
      for (const specifier of chunk.externals ?? []) {
        const used = modules[packageNameOf(specifier)];
        if (!used || used.server || used === importer) continue;
        const where = used.root ? join(used.root, DIST_DIR, SERVER_DIR, MANIFEST_FILE) : `${used.url}../${SERVER_DIR}/${MANIFEST_FILE}`;
        fail(
          `expected the server manifest of ${used.name} at ${where} (the server build of ${importer.name} imports ${specifier}), ` +
            `found no file. Fix: ${rebuildFix(used.name)}`,
        );
      }
    }
  }
}

/** Loads link.json and every linked module's manifests. `fetchTimeoutMs` bounds each download of a URL-linked module. */
export async function loadLinkedHost(
  root: string,
  options: { cacheDir?: string; fetchTimeoutMs?: number; link?: LinkFile } = {},
): Promise<LinkedHost> {
  const absoluteRoot = resolve(root);
  const timeoutMs = options.fetchTimeoutMs ?? REMOTE_FETCH_TIMEOUT_MS;
  // A candidate link file (the `link` command checks one before writing it), else the one on disk.
  const link = options.link ?? readLinkFile(absoluteRoot);
  const cacheDir = options.cacheDir ?? join(absoluteRoot, DIST_DIR, REMOTE_CACHE_DIR);
  const modules: Record<string, LinkedModule> = {};
  for (const [name, entry] of Object.entries(link.modules)) {
    if ('url' in entry) {
      const url = entry.url.endsWith('/') ? entry.url : `${entry.url}/`;
      const clientBytes = await fetchBytes(url + MANIFEST_FILE, timeoutMs);
      const source = { file: url + MANIFEST_FILE, fix: redeployFix(name) };
      const client = checkManifest(parseJson(clientBytes.toString('utf8'), `the client manifest of ${name}`, source), name, 'client', source);
      const server = await downloadServerFiles(name, toServerUrl({ url, serverUrl: (entry as { serverUrl?: string }).serverUrl }), cacheDir, timeoutMs);
      modules[name] = { name, url, client, server: server.manifest, serverText: server.text, serverDir: server.dir };
      continue;
    }
    const { dir } = entry as { dir: string };
    const moduleRoot = resolve(absoluteRoot, dir);
    const clientDir = join(moduleRoot, DIST_DIR, CLIENT_DIR);
    const serverDir = join(moduleRoot, DIST_DIR, SERVER_DIR);
    const linked: LinkedModule = { name, root: moduleRoot, clientDir };
    const fix = rebuildFix(name);
    const clientManifest = join(clientDir, MANIFEST_FILE);
    if (existsSync(clientManifest)) {
      const { value } = readJson(clientManifest, `the client manifest of ${name}`, fix);
      linked.client = checkManifest(value, name, 'client', { file: clientManifest, fix });
      checkExportFiles(linked.client, clientDir, clientManifest, fix);
    }
    const serverManifest = join(serverDir, MANIFEST_FILE);
    if (existsSync(serverManifest)) {
      const { value, text } = readJson(serverManifest, `the server manifest of ${name}`, fix);
      linked.server = checkManifest(value, name, 'server', { file: serverManifest, fix });
      checkExportFiles(linked.server, serverDir, serverManifest, fix);
      linked.serverText = text;
      linked.serverDir = serverDir;
    } else if (name === link.module) {
      fail(`expected the server manifest of ${name} (the host) at ${serverManifest}, found no file. Fix: ${fix}`);
    }
    if (!linked.client && !linked.server) {
      fail(`expected ${join(moduleRoot, DIST_DIR)}${sep}{client,server}${sep}${MANIFEST_FILE} for ${name}, found neither. Fix: ${fix}`);
    }
    modules[name] = linked;
  }
  if (!modules[link.module]) fail(`expected link.json to list the module itself (${link.module}), found it missing. Fix: ${rebuildFix(link.module)}`);
  checkServerImports(modules);
  return { host: link.module, root: absoluteRoot, modules };
}
