import { constants, copyFileSync, type Dirent, existsSync, linkSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import { CLIENT_DIR, DIST_DIR, FINAL_INFIX, IMPORT_MAP_FILE, INDEX_FILE, LINK_FILE, MANIFEST_FILE, SERVER_DIR, TAG } from '../constants';
import { writeFileAtomic } from '../utils/atomic-write';
import { DEFAULT_LOCK_TIMEOUT_MS, withFileLock } from '../utils/file-lock';
import { discard, emptyTrash, getModuleStateDir } from './deferred-removal';

/** What the bundle step writes into dist/. */
const BUNDLE_ITEMS = [CLIENT_DIR, SERVER_DIR, INDEX_FILE] as const;
/** What the link step writes into dist/. */
const LINK_ITEMS = [IMPORT_MAP_FILE, LINK_FILE] as const;
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
  /**
   * A bundle is waiting for its link and there is no linked build to go back to (never linked, or its copy lost
   * files, e.g. a cleared cache folder): dist/ was left as it was.
   */
  | 'unlinked';

/**
 * `<root>/node_modules/.cache/esmx/last-linked` (see getModuleStateDir for why there). It holds the record
 * of the last linked generation (`generation.json`), the generation's other files in `tree-a/` or `tree-b/` (the one
 * the record names), and its `.final.` files in `files/`, shared by the generations that have them: a file named by its
 * content is linked there once, when a generation first has it, and unlinked when no recorded generation has it.
 */
function getLastLinkedBase(root: string): string {
  return join(getModuleStateDir(root), 'last-linked');
}

/** `<root>/node_modules/.cache/esmx/dist.lock`, beside the last-linked copy. */
export function getDistLockFile(root: string): string {
  return join(getModuleStateDir(root), 'dist.lock');
}

/**
 * Runs `fn` while no other process changes this module's dist/ or its last linked copy: every change of either (a
 * bundle's swap, a link's commit, a failed link's restore) holds this lock, so that two processes working on one module
 * at once (a dev server's rebuild and an `nx build` in another terminal) take turns. Without it both filled the same
 * tree of the last-linked copy, and one could discard the tree that the other's record had just named: a later failed
 * link then put back a generation without its manifests. The functions below that take `root` expect their caller to
 * hold it, except `keepPreviousDist`, which takes it itself.
 */
export function withDistLock<T>(root: string, tag: string, fn: () => T, timeoutMs = DEFAULT_LOCK_TIMEOUT_MS): T {
  const lockFile = getDistLockFile(root);
  return withFileLock(lockFile, fn, {
    timeoutMs,
    onTimeout: (holder) =>
      new Error(
        `${tag} expected to update ${join(root, DIST_DIR)} within ${timeoutMs / 1000} s, but ${holder === undefined ? 'another process' : `process ${holder}`} ` +
          `still holds its lock (${lockFile}). Fix: let the other build, link or dev server of this module finish its step; ` +
          `if that process is none of them (a crashed build's pid, reused), delete the lock file.`,
      ),
  });
}

/** What generation.json records of the last linked generation. */
interface LinkedRecord {
  fingerprint: string;
  /** Folder (under the base) of the generation's files that are not `.final.`; the base itself in the single-folder layout of earlier versions. */
  tree: string;
  /** Folder holding its `.final.` files as `client/…`, `server/…`. */
  finalDir: string;
  /** Those files; undefined in the single-folder layout of earlier versions (they are in the tree). */
  finals?: string[];
}

function readLinkedRecord(root: string): LinkedRecord | undefined {
  const base = getLastLinkedBase(root);
  let record: { fingerprint?: unknown; tree?: unknown; finals?: unknown };
  try {
    record = JSON.parse(readFileSync(join(base, GENERATION_FILE), 'utf8')) as typeof record;
  } catch {
    // No copy yet (never linked here) or a damaged record: treated as no linked build to go back to.
    return undefined;
  }
  if (typeof record.fingerprint !== 'string') return undefined;
  if (record.tree === undefined) return { fingerprint: record.fingerprint, tree: base, finalDir: base };
  if ((record.tree !== TREES[0] && record.tree !== TREES[1]) || !Array.isArray(record.finals)) return undefined;
  const finals = record.finals.filter((file): file is string => typeof file === 'string' && !file.split('/').includes('..'));
  return { fingerprint: record.fingerprint, tree: join(base, record.tree), finalDir: join(base, FINALS_DIR), finals };
}

const TREES = ['tree-a', 'tree-b'] as const;
const FINALS_DIR = 'files';

/**
 * The folder of the last linked generation's files other than its `.final.` ones (link.json, importmap.json, the
 * manifests, the bootstrap; every file in development); the base folder when nothing was linked yet.
 */
export function getLastLinkedDir(root: string): string {
  return readLinkedRecord(root)?.tree ?? getLastLinkedBase(root);
}

/**
 * Puts a copy of `from` at `to`. A `.final.` file is named by the hash of its content, so whoever writes that path
 * writes the same bytes: a hard link is as good as a copy and costs no data (a production generation is almost only
 * such files, and copying them made every link step pay for the whole dist/). Any other file (manifests, the
 * bootstrap, development output) is rewritten in place by later builds, so it gets a real copy.
 */
function placeFile(from: string, to: string): void {
  if (!basename(from).includes(FINAL_INFIX)) {
    copyFileSync(from, to, constants.COPYFILE_FICLONE);
    return;
  }
  try {
    linkSync(from, to);
    return;
  } catch {
    // Another filesystem, or hard links not allowed here: a copy does the same job.
  }
  // Copied beside it, then renamed: a copy cut short must not stay at a name that is trusted (and skipped) as whole.
  const partial = `${to}.${process.pid}.partial`;
  copyFileSync(from, partial, constants.COPYFILE_FICLONE);
  renameSync(partial, to);
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
  return readLinkedRecord(root)?.fingerprint;
}

function isPending(dist: string): boolean {
  return existsSync(join(dist, PENDING_FILE));
}

/** The `.final.` files under dist/client and dist/server, as `client/…`, `server/…`. */
function listDistFinals(dist: string): string[] {
  const out: string[] = [];
  const walk = (dir: string, rel: string) => {
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      // A target the build has no folder for.
      return;
    }
    for (const entry of entries) {
      const path = `${rel}/${entry.name}`;
      if (entry.isDirectory()) walk(join(dir, entry.name), path);
      else if (entry.name.includes(FINAL_INFIX)) out.push(path);
    }
  };
  for (const target of [CLIENT_DIR, SERVER_DIR]) walk(join(dist, target), target);
  return out;
}

/** placeTree of what is not `.final.` (those live in the shared folder); folders are created for the files placed. */
function placeOthers(from: string, to: string): void {
  let entries: Dirent[];
  try {
    entries = readdirSync(from, { withFileTypes: true });
  } catch (error) {
    // An item this dist/ does not have (no bootstrap, no import map).
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    if ((error as NodeJS.ErrnoException).code !== 'ENOTDIR') throw error;
    if (basename(from).includes(FINAL_INFIX)) return;
    mkdirSync(dirname(to), { recursive: true });
    copyFileSync(from, to, constants.COPYFILE_FICLONE);
    return;
  }
  for (const entry of entries) {
    if (entry.isDirectory()) placeOthers(join(from, entry.name), join(to, entry.name));
    else if (!entry.name.includes(FINAL_INFIX)) {
      mkdirSync(to, { recursive: true });
      copyFileSync(join(from, entry.name), join(to, entry.name), constants.COPYFILE_FICLONE);
    }
  }
}

/** Unlinks the shared `.final.` files that `keep` does not list, and the folders left empty. */
function pruneFinals(dir: string, keep: Set<string>, rel = ''): boolean {
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    // Nothing shared yet.
    return true;
  }
  let empty = true;
  for (const entry of entries) {
    const path = rel ? `${rel}/${entry.name}` : entry.name;
    if (entry.isDirectory()) {
      if (pruneFinals(join(dir, entry.name), keep, path)) rmSync(join(dir, entry.name), { recursive: true, force: true });
      else empty = false;
    } else if (keep.has(path)) empty = false;
    else unlinkSync(join(dir, entry.name));
  }
  return empty;
}

/**
 * Keeps a copy of dist/ as the last linked generation. It is a copy, not a rename: the running server keeps reading
 * the same files from dist/. The `.final.` files are hard-linked into the shared folder (only those it does not have:
 * most of a generation is usually there already, carried from the one before), the other files are copied into the
 * tree the record does not name, and the record is replaced in one rename: a crash before that leaves the previous
 * copy whole (its tree untouched, its files still shared), after it the new one. Then the other tree and the shared
 * files no longer recorded are removed. Each file created or removed is a metadata write the filesystem journals:
 * copying the whole dist/ and removing the whole previous copy made every link step pay for two generations.
 */
function saveLastLinked(root: string): void {
  const dist = join(root, DIST_DIR);
  const base = getLastLinkedBase(root);
  const previous = readLinkedRecord(root);
  const finalDir = join(base, FINALS_DIR);
  const finals = listDistFinals(dist);
  const made = new Set<string>();
  for (const file of finals) {
    const to = join(finalDir, file);
    if (existsSync(to)) continue;
    const parent = dirname(to);
    if (!made.has(parent)) {
      mkdirSync(parent, { recursive: true });
      made.add(parent);
    }
    placeFile(join(dist, file), to);
  }
  const tree = previous?.tree === join(base, TREES[0]) ? TREES[1] : TREES[0];
  const treeDir = join(base, tree);
  rmSync(treeDir, { recursive: true, force: true });
  mkdirSync(treeDir, { recursive: true });
  for (const item of DIST_ITEMS) placeOthers(join(dist, item), join(treeDir, item));
  writeFileAtomic(join(base, GENERATION_FILE), JSON.stringify({ fingerprint: fingerprintGeneration(dist) ?? null, tree, finals }) + '\n');
  discard(root, join(base, tree === TREES[0] ? TREES[1] : TREES[0]));
  // The single-folder layout of earlier versions kept a whole copy in the base folder itself.
  for (const item of [...DIST_ITEMS, 'client', 'server']) rmSync(join(base, item), { recursive: true, force: true });
  pruneFinals(finalDir, new Set(finals));
}

/** Places the last linked generation's files of dist/`item` at `to` (its tree's files, then its `.final.` files). */
function placeLinkedItem(record: LinkedRecord, item: string, to: string): void {
  if (existsSync(join(record.tree, item))) placeTree(join(record.tree, item), to);
  if (!record.finals) return;
  for (const file of record.finals) {
    if (!file.startsWith(`${item}/`)) continue;
    const target = join(to, file.slice(item.length + 1));
    mkdirSync(dirname(target), { recursive: true });
    placeFile(join(record.finalDir, file), target);
  }
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
  const record = readLinkedRecord(root);
  const sources = [{ manifests: join(root, DIST_DIR), files: join(root, DIST_DIR) }];
  if (record) sources.push({ manifests: record.tree, files: record.finalDir });
  for (const source of sources) {
    for (const file of listFinalFiles(source.manifests)) {
      const to = join(next, file);
      const from = join(source.files, file);
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
  // In the background: a dev server links after every rebuild, and no build of its own empties the trash meanwhile.
  void emptyTrash(root);
  saveLastLinked(root);
  rmSync(join(root, DIST_DIR, PENDING_FILE), { force: true });
}

/**
 * After a failed link: when dist/ holds a bundle that was not linked (marked pending, or its manifests differ from
 * the last linked ones because Nx restored a cached bundle without running the bundle step), puts the last linked
 * generation back, byte for byte. A dist/ that is the linked one is left untouched, link outputs included.
 */
export function keepPreviousDist(root: string): KeptDist {
  return withDistLock(root, TAG.link, () => restoreLastLinked(root));
}

function restoreLastLinked(root: string): KeptDist {
  const dist = join(root, DIST_DIR);
  const record = readLinkedRecord(root);
  const pending = isPending(dist) || (record !== undefined && fingerprintGeneration(dist) !== record.fingerprint);
  if (!pending) return 'unchanged';
  if (!record) return 'unlinked';
  if (record.finals?.some((file) => !existsSync(join(record.finalDir, file)))) return 'unlinked';
  const restore = join(dist, '.esmx-restore');
  const old = join(dist, '.esmx-old');
  rmSync(restore, { recursive: true, force: true });
  rmSync(old, { recursive: true, force: true });
  mkdirSync(restore, { recursive: true });
  mkdirSync(old, { recursive: true });
  for (const item of DIST_ITEMS) placeLinkedItem(record, item, join(restore, item));
  for (const item of DIST_ITEMS) {
    if (existsSync(join(dist, item))) renameSync(join(dist, item), join(old, item));
    if (existsSync(join(restore, item))) renameSync(join(restore, item), join(dist, item));
  }
  rmSync(old, { recursive: true, force: true });
  rmSync(restore, { recursive: true, force: true });
  rmSync(join(dist, PENDING_FILE), { force: true });
  return 'restored';
}
