/**
 * Folders a build or link replaces (the previous generation's, the older last-linked tree) are moved aside in one
 * rename and removed later, on libuv's thread pool while the next build compiles. Removing a folder tree is mostly the
 * filesystem journaling each unlink and rmdir: measured on the build benchmark's four modules, 12–20 ms of wall time
 * that the build would otherwise wait for.
 */
import { mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';

let counter = 0;

/**
 * `<root>/node_modules/.cache/esmx`: what the build keeps of a module beside it (the last linked copy, dist/'s lock,
 * the trash), outside every Nx output (a cache restore never replaces it) and every task input (node_modules is
 * ignored), on the same filesystem as dist/ in practice.
 */
export function getModuleStateDir(root: string): string {
  return join(root, 'node_modules', '.cache', 'esmx');
}

/** `<root>/node_modules/.cache/esmx/trash`. */
export function getTrashDir(root: string): string {
  return join(getModuleStateDir(root), 'trash');
}

/**
 * Moves `path` into the module's trash, to be removed by the next `emptyTrash`; removes it now when it cannot be moved
 * (another filesystem). A missing `path` is nothing to do.
 */
export function discard(root: string, path: string): void {
  const trash = getTrashDir(root);
  try {
    mkdirSync(trash, { recursive: true });
    renameSync(path, join(trash, `${process.pid}-${Date.now()}-${counter++}`));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    rmSync(path, { recursive: true, force: true });
  }
}

/**
 * Removes what the trash holds now (what is discarded meanwhile waits for the next call); never rejects: what cannot
 * be removed stays for the next build.
 */
export async function emptyTrash(root: string): Promise<void> {
  const trash = getTrashDir(root);
  let entries: string[];
  try {
    entries = readdirSync(trash);
  } catch {
    // No trash yet.
    return;
  }
  await Promise.all(entries.map((entry) => rm(join(trash, entry), { recursive: true, force: true }).catch(() => undefined)));
}
