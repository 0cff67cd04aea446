/**
 * Promotion and rollback on a deployed server, without Nx: `node index.mjs link cart=<url>` checks the new remote's
 * build against what the host and the other linked modules import, keeps the current link file in
 * `dist/link-history/` (the last `keep`, default 10), writes the new one and sends SIGHUP to the running server,
 * which swaps its maps without a restart; `node index.mjs rollback` puts the newest kept link file back. A refused
 * command changes nothing and says why.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { DIST_DIR, LINK_FILE, MANIFEST_FILE, REMOTE_FETCH_TIMEOUT_MS, TAG } from '../constants';
import { checkExternals, checkLinkedImports, checkProvidedMajors, type Manifests } from '../link/check-linked-manifests';
import type { BuildManifest, Diagnostic, LinkFile } from '../protocol/types';
import { writeFileAtomic } from '../utils/atomic-write';
import { checkLinkFile } from './check-manifest';
import { fetchBytes, loadLinkedHost, parseJson, readLinkFile, type LinkedHost } from './link';

/** Under the host's dist/: the link files that were replaced, newest last by name. */
export const LINK_HISTORY_DIR = 'link-history';
export const DEFAULT_KEEP = 10;

export interface PromoteOptions {
  /** Link files kept for rollback. Default 10. */
  keep?: number;
  /** The running server's pid file: it gets SIGHUP after a change. */
  pidFile?: string;
  cacheDir?: string;
  fetchTimeoutMs?: number;
}

export interface PromoteResult {
  /** The link file written. */
  linkFile: string;
  /** The running server that was asked to reload, when there is one. */
  signalled?: number;
  /** What changed, for the log line: `cart → https://…`. */
  changes: string[];
}

const TAG_LINK = TAG.link;

function refuse(message: string): never {
  throw new Error(`${TAG_LINK} ${message}`);
}

function historyDir(root: string): string {
  return join(root, DIST_DIR, LINK_HISTORY_DIR);
}

function listHistory(root: string): string[] {
  const dir = historyDir(root);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => /^link-\d{8}T\d{9}-\d+\.json$/.test(name))
    .sort();
}

let sequence = 0;
function historyName(): string {
  const stamp = new Date().toISOString().replace(/[-:.Z]/g, '').replace('T', 'T');
  return `link-${stamp}-${process.pid}${sequence++}.json`;
}

/** `cart=https://…` arguments → { cart: 'https://…/' }; throws a tagged usage error for anything else. */
export function parseLinkArguments(args: string[]): Record<string, string> {
  if (args.length === 0) refuse('expected at least one <module>=<URL of its client files>, found none. Fix: node index.mjs link cart=https://cdn.example.com/cart/1.4.0/client/');
  const changes: Record<string, string> = {};
  for (const arg of args) {
    const at = arg.indexOf('=');
    const name = at > 0 ? arg.slice(0, at) : '';
    const url = at > 0 ? arg.slice(at + 1) : '';
    if (!name || !/^https?:\/\//i.test(url) || !URL.canParse(url)) {
      refuse(`expected <module>=<http(s) URL of its client files>, found ${JSON.stringify(arg)}. Fix: node index.mjs link cart=https://cdn.example.com/cart/1.4.0/client/`);
    }
    changes[name] = url.endsWith('/') ? url : `${url}/`;
  }
  return changes;
}

function describeDiagnostics(diagnostics: Diagnostic[]): string {
  return diagnostics
    .map((d) => {
      const text = d.message.replace(/^\[esmx:[a-z-]+\]\s*/, '').replace(/\.?$/, '.');
      return `  ${d.code} ${text} Fix: ${d.fix.replace(/\.?$/, '.')}`;
    })
    .join('\n');
}

/** The client files of a URL-linked module must be the bytes its manifest's integrity names (the browser would refuse them). */
async function checkClientIntegrity(name: string, url: string, manifest: BuildManifest, timeoutMs: number): Promise<void> {
  for (const [file, expected] of Object.entries(manifest.integrity ?? {})) {
    const bytes = await fetchBytes(url + file, timeoutMs);
    const [algorithm] = expected.split('-');
    const actual = `${algorithm}-${createHash(algorithm).update(bytes).digest('base64')}`;
    if (actual !== expected) {
      refuse(`expected ${url}${file} to match ${expected} (integrity in ${url}${MANIFEST_FILE}), found ${actual}. Fix: redeploy ${name}'s whole dist/ at ${url.replace(/client\/$/, '')}.`);
    }
  }
}

function manifestsOf(linked: LinkedHost): Record<string, Manifests> {
  return Object.fromEntries(Object.values(linked.modules).map((m) => [m.name, { client: m.client, server: m.server }]));
}

/** Loads `candidate` as the server would, plus the checks the link step makes; throws a tagged refusal. */
async function checkCandidate(root: string, candidate: LinkFile, changed: string[], options: PromoteOptions): Promise<void> {
  const timeoutMs = options.fetchTimeoutMs ?? REMOTE_FETCH_TIMEOUT_MS;
  // The current generation's manifests, for the provided-version check; a current link file that no longer loads
  // (a remote gone) must not block a promotion that fixes it.
  let before: LinkedHost | undefined;
  try {
    before = await loadLinkedHost(root, { cacheDir: options.cacheDir, fetchTimeoutMs: timeoutMs });
  } catch {
    before = undefined;
  }
  const after = await loadLinkedHost(root, { cacheDir: options.cacheDir, fetchTimeoutMs: timeoutMs, link: candidate });
  for (const name of changed) {
    const m = after.modules[name];
    if (m.url && m.client) await checkClientIntegrity(name, m.url, m.client, timeoutMs);
  }
  const manifests = manifestsOf(after);
  const diagnostics = [...checkExternals(manifests), ...checkLinkedImports(manifests), ...checkProvidedMajors(before ? manifestsOf(before) : {}, manifests, changed)].filter(
    (d) => d.severity === 'error',
  );
  if (diagnostics.length > 0) {
    refuse(`refused: the new link of ${changed.join(', ')} does not satisfy what the linked modules import:\n${describeDiagnostics(diagnostics)}`);
  }
}

/** SIGHUP to the server whose pid the file holds, when it is running. */
function signalServer(pidFile: string | undefined): number | undefined {
  if (!pidFile || !existsSync(pidFile)) return undefined;
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    process.kill(pid, 'SIGHUP');
    return pid;
  } catch {
    // No such process: a stale pid file from a server that is gone; the new link file applies at its next start.
    return undefined;
  }
}

function writeLinkFile(root: string, link: LinkFile): string {
  const file = join(root, DIST_DIR, LINK_FILE);
  writeFileAtomic(file, `${JSON.stringify(link, null, 2)}\n`);
  return file;
}

/** Checks and writes the link of `changes` (module → URL of its client files), keeps the previous file, signals the server. */
export async function promoteLinks(root: string, changes: Record<string, string>, options: PromoteOptions = {}): Promise<PromoteResult> {
  const current = readLinkFile(root);
  const candidate: LinkFile = { ...current, modules: { ...current.modules } };
  for (const [name, url] of Object.entries(changes)) {
    if (!current.modules[name]) {
      const names = Object.keys(current.modules).filter((n) => n !== current.module);
      refuse(`expected a module ${current.module} links (${names.join(', ') || 'none'}), found ${JSON.stringify(name)}. Fix: name one of them, e.g. ${names[0] ?? 'cart'}=${url}`);
    }
    if (name === current.module) refuse(`expected a module ${current.module} links, found the host itself. Fix: redeploy the host instead.`);
    candidate.modules[name] = { url };
  }
  await checkCandidate(root, candidate, Object.keys(changes), options);

  const file = join(root, DIST_DIR, LINK_FILE);
  writeFileAtomic(join(historyDir(root), historyName()), readFileSync(file));
  const keep = options.keep ?? DEFAULT_KEEP;
  const kept = listHistory(root);
  for (const old of kept.slice(0, Math.max(0, kept.length - keep))) rmSync(join(historyDir(root), old), { force: true });
  writeLinkFile(root, candidate);
  return {
    linkFile: file,
    signalled: signalServer(options.pidFile),
    changes: Object.entries(changes).map(([name, url]) => `${name} → ${url}`),
  };
}

/** Puts the newest kept link file back (after checking it still loads), and signals the server. */
export async function rollbackLinks(root: string, options: PromoteOptions = {}): Promise<PromoteResult> {
  readLinkFile(root);
  const history = listHistory(root);
  const newest = history.at(-1);
  if (!newest) refuse(`expected a previous link file in ${historyDir(root)}, found none. Fix: nothing to roll back to; link a module with node index.mjs link <module>=<URL>.`);
  const path = join(historyDir(root), newest);
  const source = { file: path, fix: `delete ${path} to roll back to the one before it.` };
  const previous = checkLinkFile(parseJson(readFileSync(path, 'utf8'), 'the previous link file', source), source);
  const current = readLinkFile(root);
  const changed = Object.keys(previous.modules).filter((n) => JSON.stringify(previous.modules[n]) !== JSON.stringify(current.modules[n]));
  await checkCandidate(root, previous, changed, options);
  writeLinkFile(root, previous);
  rmSync(path);
  return {
    linkFile: join(root, DIST_DIR, LINK_FILE),
    signalled: signalServer(options.pidFile),
    changes: changed.map((name) => {
      const entry = previous.modules[name];
      return `${name} → ${'url' in entry ? entry.url : entry.dir}`;
    }),
  };
}

/**
 * The deploy commands of a standalone folder's index.mjs: `link <module>=<URL>…` and `rollback`. Resolves with the
 * lines to print; throws a tagged error (printed without a stack, exit 1) when refused.
 */
export async function runDeployCommand(command: string, args: string[], options: PromoteOptions & { root: string }): Promise<string> {
  if (command !== 'link' && command !== 'rollback') {
    refuse(`expected a command link or rollback (or none, to start the server), found ${JSON.stringify(command)}. Fix: node index.mjs link cart=https://…/cart/client/, node index.mjs rollback, or node index.mjs`);
  }
  if (command === 'rollback' && args.length > 0) refuse(`expected no arguments after rollback, found ${JSON.stringify(args.join(' '))}. Fix: node index.mjs rollback`);
  const result = command === 'link' ? await promoteLinks(options.root, parseLinkArguments(args), options) : await rollbackLinks(options.root, options);
  const reload =
    result.signalled !== undefined
      ? `sent SIGHUP to the server (pid ${result.signalled}): it swaps to the new link file without a restart.`
      : 'no running server found: the new link file applies when the server starts.';
  return `${TAG_LINK} ${command === 'link' ? 'linked' : 'rolled back'} ${result.changes.join(', ') || 'nothing'}; wrote ${result.linkFile}; ${reload}`;
}
