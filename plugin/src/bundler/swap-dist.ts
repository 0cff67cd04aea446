import { cpSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLIENT_DIR, DIST_DIR, INDEX_FILE, MANIFEST_FILE, SERVER_DIR, TAG } from '../constants';
import type { BuildManifest, BuildTarget } from '../protocol/types';
import { discard } from './deferred-removal';
import { carryPreviousFiles, markPending, protectLinkedDist, withDistLock } from './dist-generations';
import { isProcessRunning } from '../utils/file-lock';

/** The staging folder of the process with this pid: `.esmx-build-<pid>`. */
const STAGE_PREFIX = '.esmx-build-';
/** The one staging folder of every process, in earlier versions. */
const SHARED_STAGE = '.esmx-build';

/**
 * Work folders inside dist/ (same filesystem, so the final step is a rename). The stage is this process's own: a dev
 * server keeps its stage between rebuilds (Rspack re-emits only what changed), and a build of the same module in
 * another terminal emptied a shared one under it, so its next rebuild swapped in only the files the edit re-emitted
 * (an unchanged stylesheet or image was gone). `next` and `old` live only during a swap, which holds the dist lock.
 */
export function getWorkDirs(root: string) {
  const dist = join(root, DIST_DIR);
  return {
    dist,
    stage: join(dist, `${STAGE_PREFIX}${process.pid}`),
    next: join(dist, '.esmx-next'),
    old: join(dist, '.esmx-old'),
  };
}

/** Sets aside for removal the stages of processes that no longer run (a stopped dev server, a killed build). */
export function discardAbandonedStages(root: string): void {
  const { dist } = getWorkDirs(root);
  let entries: string[];
  try {
    entries = readdirSync(dist);
  } catch {
    // No dist/ yet.
    return;
  }
  for (const entry of entries) {
    const pid = entry.startsWith(STAGE_PREFIX) ? Number(entry.slice(STAGE_PREFIX.length)) : undefined;
    if (entry === SHARED_STAGE || (pid !== undefined && Number.isInteger(pid) && !isProcessRunning(pid))) discard(root, join(dist, entry));
  }
}

/** `<parent>/client` or `<parent>/server`: where one target's files are emitted under a work folder or dist/. */
export function getTargetDir(parent: string, target: BuildTarget): string {
  return join(parent, target === 'client' ? CLIENT_DIR : SERVER_DIR);
}

export interface SwapInput {
  root: string;
  /** Watch mode: the staging output stays for the next rebuild (Rspack re-emits only what changed); the swap copies it. */
  keepStage: boolean;
  manifests: Record<BuildTarget, BuildManifest>;
  /** Content of dist/index.mjs, or undefined when the module has no server entry. */
  bootstrap: string | undefined;
}

/**
 * Replaces dist/client, dist/server and dist/index.mjs with the staged build in a few renames, leaving
 * dist/importmap.json and dist/link.json (the link step's) untouched, and marks dist/ as waiting for its link.
 * The hashed files of the generation being replaced (and of the last linked one) are carried into the new folders,
 * and a linked dist/ is copied first when it has no copy yet: see dist-generations.ts.
 *
 * Outside watch mode the new generation is completed in the staging folder itself and the replaced items are moved
 * into it (`client.old`…), so that one rename sets them all aside for removal (deferred-removal.ts): each folder
 * created, renamed or removed is a metadata write the filesystem journals, and they are most of what a swap costs.
 */
export function swapDist(input: SwapInput): void {
  withDistLock(input.root, TAG.build, () => replaceDistItems(input));
}

function replaceDistItems(input: SwapInput): void {
  const dirs = getWorkDirs(input.root);
  // Leftovers of a swap that was interrupted.
  rmSync(dirs.next, { recursive: true, force: true });
  rmSync(dirs.old, { recursive: true, force: true });
  // Where the new generation is completed, and where the replaced items go to be removed: the staging folder itself,
  // except in watch mode, which keeps the staging output (Rspack re-emits only what changed) and works on copies.
  const assembly = input.keepStage ? dirs.next : dirs.stage;
  const retired = input.keepStage ? dirs.old : dirs.stage;
  if (input.keepStage) {
    mkdirSync(dirs.next, { recursive: true });
    mkdirSync(dirs.old, { recursive: true });
  }
  for (const [target, dir] of [['client', CLIENT_DIR], ['server', SERVER_DIR]] as const) {
    const staged = join(dirs.stage, dir);
    const assembledDir = join(assembly, dir);
    if (!existsSync(staged)) mkdirSync(assembledDir, { recursive: true });
    else if (input.keepStage) cpSync(staged, assembledDir, { recursive: true });
    writeFileSync(join(assembledDir, MANIFEST_FILE), JSON.stringify(input.manifests[target], null, 2) + '\n');
  }
  // Outside watch mode a stale bootstrap cannot be in the stage: Rspack emits into client/ and server/ only.
  if (input.bootstrap !== undefined) writeFileSync(join(assembly, INDEX_FILE), input.bootstrap);
  protectLinkedDist(input.root);
  carryPreviousFiles(input.root, assembly);
  for (const item of [CLIENT_DIR, SERVER_DIR, INDEX_FILE]) {
    const current = join(dirs.dist, item);
    const replaced = join(retired, input.keepStage ? item : `${item}.old`);
    if (existsSync(current)) renameSync(current, replaced);
    if (existsSync(join(assembly, item))) renameSync(join(assembly, item), current);
  }
  if (input.keepStage) {
    rmSync(dirs.old, { recursive: true, force: true });
    rmSync(dirs.next, { recursive: true, force: true });
  } else {
    discard(input.root, dirs.stage);
  }
  markPending(input.root);
}
