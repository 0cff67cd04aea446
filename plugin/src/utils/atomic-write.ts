import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

let counter = 0;

/**
 * Writes a file so that no reader ever sees half of it: the bytes go to a sibling temp file, then one `rename`
 * (atomic on one filesystem) puts it in place. The parent folder is created when missing. The temp name carries the
 * pid and a counter, so parallel Nx processes and repeated writes in one process never share a temp file.
 */
export function writeFileAtomic(file: string, data: string | Uint8Array, { skipIfSame = false } = {}): void {
  // For small files (link outputs, wrappers): a rename is a metadata write the filesystem journals, reading the file
  // back costs less; and an unchanged file keeps its mtime (a watcher sees no change).
  if (skipIfSame && hasContent(file, data)) return;
  mkdirSync(dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.${counter++}.tmp`;
  try {
    writeFileSync(temp, data);
    renameSync(temp, file);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}

/** {@link writeFileAtomic} of a value as pretty-printed JSON with a final newline. */
export function writeJsonAtomic(file: string, value: unknown, options?: { skipIfSame?: boolean }): void {
  writeFileAtomic(file, `${JSON.stringify(value, null, 2)}\n`, options);
}

function hasContent(file: string, data: string | Uint8Array): boolean {
  let current: Buffer;
  try {
    current = readFileSync(file);
  } catch {
    // Missing or unreadable: written.
    return false;
  }
  return current.equals(typeof data === 'string' ? Buffer.from(data) : data);
}
