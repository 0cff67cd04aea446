import { closeSync, mkdirSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

/** How long a step waits for another process's lock before giving up, unless told otherwise. */
export const DEFAULT_LOCK_TIMEOUT_MS = 30_000;

export interface FileLockOptions {
  /** How long to wait for another process's lock before giving up (default DEFAULT_LOCK_TIMEOUT_MS). */
  timeoutMs?: number;
  /** The error thrown when the wait times out, given the holder's pid (undefined when unreadable). */
  onTimeout: (holder: number | undefined) => Error;
}

/** A lock file that is still empty this long after it was created belongs to a process that died while writing it. */
const EMPTY_LOCK_GRACE_MS = 2_000;
/**
 * No step holds a lock this long (they take milliseconds): an older lock was left by a process that crashed, even when
 * its pid now belongs to another running process.
 */
const ABANDONED_LOCK_AGE_MS = 5 * 60_000;
const sleeper = new Int32Array(new SharedArrayBuffer(4));
/** The lock files this process holds now. */
const held = new Set<string>();

/**
 * Runs `fn` holding `lockFile`, a file created exclusively (O_EXCL) that holds the holder's pid and is removed when
 * `fn` returns or throws. Other processes on this machine that lock the same file wait (synchronously, in short
 * sleeps: the critical sections are file renames and links of a few milliseconds) until it is free. A lock whose holder
 * no longer runs (it crashed or was killed) is taken over.
 */
export function withFileLock<T>(lockFile: string, fn: () => T, options: FileLockOptions): T {
  const deadline = Date.now() + (options.timeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS);
  let pause = 1;
  for (;;) {
    const fd = tryCreate(lockFile);
    if (fd !== undefined) {
      try {
        writeSync(fd, `${process.pid}\n`);
      } finally {
        closeSync(fd);
      }
      break;
    }
    // A call made inside `fn`: waiting for itself would never end.
    if (held.has(lockFile)) throw new Error(`withFileLock: ${lockFile} is already held by this process`);
    const holder = readHolder(lockFile);
    if (isAbandoned(lockFile, holder)) {
      removeIfHeldBy(lockFile, holder);
      continue;
    }
    if (Date.now() >= deadline) throw options.onTimeout(holder);
    Atomics.wait(sleeper, 0, 0, pause);
    pause = Math.min(pause * 2, 25);
  }
  held.add(lockFile);
  try {
    return fn();
  } finally {
    held.delete(lockFile);
    // Nobody else removes the lock of a running process (but a user may have deleted it): no need to read whose it is.
    removeLockFile(lockFile);
  }
}

function removeLockFile(lockFile: string): void {
  try {
    unlinkSync(lockFile);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

/**
 * The lock file, created; undefined when it exists. Its folder is made only when missing: each lock is a few metadata
 * writes, paid twice per module and build (the swap, the link), so none is spent on a folder that is there.
 */
function tryCreate(lockFile: string): number | undefined {
  try {
    return openSync(lockFile, 'wx');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return undefined;
    if (code !== 'ENOENT') throw error;
  }
  mkdirSync(dirname(lockFile), { recursive: true });
  return tryCreate(lockFile);
}

/** The pid written in the lock file; undefined when it is empty (being written), unreadable or gone. */
function readHolder(lockFile: string): number | undefined {
  let text: string;
  try {
    text = readFileSync(lockFile, 'utf8');
  } catch {
    // Released meanwhile: the next attempt takes it.
    return undefined;
  }
  const pid = Number.parseInt(text, 10);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/**
 * Whether the lock was left by a process that no longer holds it: its holder has exited; or it names this process,
 * which holds no such lock now (left by an earlier process with the same pid, before a crash and a reboot); or it is
 * older than any step takes (its pid reused by another process).
 */
function isAbandoned(lockFile: string, holder: number | undefined): boolean {
  if (holder === process.pid || (holder !== undefined && !isProcessRunning(holder))) return true;
  const stat = statSync(lockFile, { throwIfNoEntry: false });
  if (stat === undefined) return false;
  return Date.now() - stat.mtimeMs > (holder === undefined ? EMPTY_LOCK_GRACE_MS : ABANDONED_LOCK_AGE_MS);
}

/** Whether a process with this pid runs on this machine (under any user). */
export function isProcessRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process runs, under another user.
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/**
 * Removes the lock file if it still names `holder`: a lock that another process took meanwhile (after the abandoned
 * one was removed by a third) stays.
 */
function removeIfHeldBy(lockFile: string, holder: number | undefined): void {
  if (readHolder(lockFile) === holder) removeLockFile(lockFile);
}
