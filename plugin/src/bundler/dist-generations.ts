import { constants, copyFileSync, type Dirent, existsSync, linkSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import { CLIENT_DIR, DIST_DIR, FINAL_INFIX, IMPORT_MAP_FILE, INDEX_FILE, LINK_FILE, MANIFEST_FILE, SERVER_DIR } from '../constants';

/** What the bundle step writes into dist/. */
export const BUNDLE_ITEMS = [CLIENT_DIR, SERVER_DIR, INDEX_FILE] as const;
/** What the link step writes into dist/. */
export const LINK_ITEMS = [IMPORT_MAP_FILE, LINK_FILE] as const;
const DIST_ITEMS = [...BUNDLE_ITEMS, ...LINK_ITEMS];

/** In dist/, next to the outputs but none of them (so no Nx cache stores or restores it): "bundled, link pending". */
export const PENDING_FILE = '.esmx-pending.json';
const GENERATION_FILE = 'generation.json';

/** How a failed link left dist/. */
export type KeptDist =
  /** dist/ was not touched: it is the build that was linked last (or never was linked). */
  | 'unchanged'
  /** The unlinked bundle was replaced by the last linked build, byte for byte. */
  | 'restored'
  /** A bundle is waiting for its link and there is no linked build to go back to: dist/ was left as it was. */
  | 'unlinked';

/**
 * `<root>/node_modules/.cache/esmx/last-linked`: outside every Nx output (so a cache restore never replaces it) and
 * outside the task inputs (node_modules is ignored), on the same filesystem as dist/ in practice.
 */
export function getLastLinkedDir(root: string): string {
  return join(root, 'node_modules', '.cache', 'esmx', 'last-linked');
}

/**
 * Puts a copy of `from` at `to`. A `.final.` file is named by the hash of its content, so whoever writes that path
 * writes the same bytes: a hard link is as good as a copy and costs no data (a production generation is almost only
 * such files, and copying them made every link step pay for the whole dist/). Any other file (manifests, the
 * bootstrap, development output) is rewritten in place by later builds, so it gets a real copy.
 */
function placeFile(from: string, to: string): void {
  if (basename(from).includes(FINAL_INFIX)) {
    try {
      linkSync(from, to);
      return;
    } catch {
      // Another filesystem, or hard links not allowed here: a copy does the same job.
    }
  }
  copyFileSync(from, to, constants.COPYFILE_FICLONE);
}

/** placeFile over a file or a whole folder (one listing per folder, no stat or mkdir per file). */
function placeTree(from: string, to: string): void {
  let entries: Dirent[];
  try {
    entries = readdirSync(from, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOTDIR') throw error;
    mkdirSync(dirname(to), { recursive: true });
    placeFile(from, to);
    return;
  }
  mkdirSync(to, { recursive: true });
  for (const entry of entries) {
    if (entry.isDirectory()) placeTree(join(from, entry.name), join(to, entry.name));
    else placeFile(join(from, entry.name), join(to, entry.name));
  }
}

/** The identity of a generation: its two manifests (production manifests carry the integrity of every file). */
export function fingerprintGeneration(dir: string): string | undefined {
  const hash = createHash('sha1');
  let found = false;
  for (const target of [CLIENT_DIR, SERVER_DIR]) {
    const file = join(dir, target, MANIFEST_FILE);
    if (!existsSync(file)) continue;
    found = true;
    hash.update(target).update('\0').update(readFileSync(file)).update('\0');
  }
  return found ? hash.digest('hex') : undefined;
}

function readLastLinkedFingerprint(root: string): string | undefined {
  try {
    const record = JSON.parse(readFileSync(join(getLastLinkedDir(root), GENERATION_FILE), 'utf8')) as { fingerprint?: unknown };
    return typeof record.fingerprint === 'string' ? record.fingerprint : undefined;
  } catch {
    // No copy yet (never linked here) or a damaged record: treated as no linked build to go back to.
    return undefined;
  }
}

function isPending(dist: string): boolean {
  return existsSync(join(dist, PENDING_FILE));
}

/**
 * Keeps a copy of dist/ as the last linked generation. It is a copy, not a rename: the running server keeps reading
 * the same files from dist/. Written beside the old copy and swapped in, so a crash leaves one whole copy.
 */
export function saveLastLinked(root: string): void {
  const dist = join(root, DIST_DIR);
  const target = getLastLinkedDir(root);
  const next = `${target}.next`;
  rmSync(next, { recursive: true, force: true });
  mkdirSync(next, { recursive: true });
  for (const item of DIST_ITEMS) {
    const from = join(dist, item);
    if (existsSync(from)) placeTree(from, join(next, item));
  }
  writeFileSync(join(next, GENERATION_FILE), JSON.stringify({ fingerprint: fingerprintGeneration(dist) ?? null }) + '\n');
  const old = `${target}.old`;
  rmSync(old, { recursive: true, force: true });
  if (existsSync(target)) renameSync(target, old);
  renameSync(next, target);
  rmSync(old, { recursive: true, force: true });
}

/**
 * Before the bundle step replaces dist/: a linked dist that has no copy yet (the first build with this version, or a
 * dist that Nx restored from the cache of the link step) is copied now, so that a failed link can go back to it.
 */
export function protectLinkedDist(root: string): void {
  const dist = join(root, DIST_DIR);
  if (isPending(dist) || !existsSync(join(dist, LINK_FILE))) return;
  const current = fingerprintGeneration(dist);
  if (current === undefined || current === readLastLinkedFingerprint(root)) return;
  saveLastLinked(root);
}

/**
 * The content-hashed files of the generation in `dir` (as its manifests list them), as `client/…` / `server/…`.
 * Only `.final.` files: the others are rewritten in place by every build anyway.
 */
function listFinalFiles(dir: string): string[] {
  const files: string[] = [];
  for (const target of [CLIENT_DIR, SERVER_DIR]) {
    let listed: unknown;
    try {
      listed = (JSON.parse(readFileSync(join(dir, target, MANIFEST_FILE), 'utf8')) as { files?: unknown }).files;
    } catch {
      // A target without a readable manifest is not being served: nothing of it to carry.
      continue;
    }
    if (!Array.isArray(listed)) continue;
    for (const file of listed) {
      if (typeof file === 'string' && file.includes(FINAL_INFIX) && !file.split('/').includes('..')) files.push(`${target}/${file}`);
    }
  }
  return files;
}

/**
 * Copies into the staged `next` dist the hashed files of the generation in dist/ now and of the last linked one, so
 * that a server still serving either (it holds their manifests in memory) never loses a file while the new bundle
 * waits for its link. Older generations are not carried: each build carries at most these two.
 */
export function carryPreviousFiles(root: string, next: string): void {
  const sources = [join(root, DIST_DIR), getLastLinkedDir(root)];
  for (const source of sources) {
    for (const file of listFinalFiles(source)) {
      const to = join(next, file);
      const from = join(source, file);
      if (existsSync(to) || !existsSync(from)) continue;
      mkdirSync(dirname(to), { recursive: true });
      placeFile(from, to);
    }
  }
}

/** Marks dist/ as bundled, link pending. */
export function markPending(root: string): void {
  writeFileSync(join(root, DIST_DIR, PENDING_FILE), JSON.stringify({ lastLinked: readLastLinkedFingerprint(root) ?? null }) + '\n');
}

/** After a successful link: dist/ is the new last linked generation. */
export function commitLinkedDist(root: string): void {
  saveLastLinked(root);
  rmSync(join(root, DIST_DIR, PENDING_FILE), { force: true });
}

/**
 * After a failed link: when dist/ holds a bundle that was not linked (marked pending, or its manifests differ from
 * the last linked ones because Nx restored a cached bundle without running the bundle step), puts the last linked
 * generation back, byte for byte. A dist/ that is the linked one is left untouched, link outputs included.
 */
export function keepPreviousDist(root: string): KeptDist {
  const dist = join(root, DIST_DIR);
  const lastLinked = readLastLinkedFingerprint(root);
  const current = fingerprintGeneration(dist);
  const pending = isPending(dist) || (lastLinked !== undefined && current !== lastLinked);
  if (!pending) return 'unchanged';
  if (lastLinked === undefined) return 'unlinked';
  const source = getLastLinkedDir(root);
  const restore = join(dist, '.esmx-restore');
  const old = join(dist, '.esmx-old');
  rmSync(restore, { recursive: true, force: true });
  rmSync(old, { recursive: true, force: true });
  mkdirSync(restore, { recursive: true });
  mkdirSync(old, { recursive: true });
  for (const item of DIST_ITEMS) {
    if (existsSync(join(source, item))) placeTree(join(source, item), join(restore, item));
  }
  for (const item of DIST_ITEMS) {
    if (existsSync(join(dist, item))) renameSync(join(dist, item), join(old, item));
    if (existsSync(join(restore, item))) renameSync(join(restore, item), join(dist, item));
  }
  rmSync(old, { recursive: true, force: true });
  rmSync(restore, { recursive: true, force: true });
  rmSync(join(dist, PENDING_FILE), { force: true });
  return 'restored';
}
