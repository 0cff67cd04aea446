import { existsSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exitedPid } from '../testing/exited-pid';
import { withFileLock } from './file-lock';

let dir: string;
let lock: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'esmx-lock-'));
  lock = join(dir, 'sub', 'x.lock');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const timeout = (holder: number | undefined) => new Error(`[esmx:test] held by ${holder}`);

describe('withFileLock', () => {
  it('holds the lock file (with its pid) while fn runs, returns its value and removes the file', () => {
    const seen = withFileLock(lock, () => readFileSync(lock, 'utf8'), { onTimeout: timeout });
    expect(seen).toBe(`${process.pid}\n`);
    expect(existsSync(lock)).toBe(false);
  });

  it('removes the lock file when fn throws', () => {
    expect(() =>
      withFileLock(
        lock,
        () => {
          throw new Error('boom');
        },
        { onTimeout: timeout },
      ),
    ).toThrow('boom');
    expect(existsSync(lock)).toBe(false);
  });

  it('waits for a lock a running process holds, then gives the timeout error naming it', () => {
    withFileLock(lock, () => undefined, { onTimeout: timeout }); // creates the folder
    writeFileSync(lock, `${process.ppid}\n`);
    expect(() => withFileLock(lock, () => 'ran', { timeoutMs: 30, onTimeout: timeout })).toThrow(`[esmx:test] held by ${process.ppid}`);
    expect(readFileSync(lock, 'utf8')).toBe(`${process.ppid}\n`);
  });

  it('takes over a lock whose process has exited', () => {
    withFileLock(lock, () => undefined, { onTimeout: timeout });
    writeFileSync(lock, `${exitedPid()}\n`);
    expect(withFileLock(lock, () => 'ran', { timeoutMs: 30, onTimeout: timeout })).toBe('ran');
    expect(existsSync(lock)).toBe(false);
  });

  it('takes over an empty lock file only once it is older than a process needs to write its pid', () => {
    withFileLock(lock, () => undefined, { onTimeout: timeout });
    writeFileSync(lock, '');
    expect(() => withFileLock(lock, () => 'ran', { timeoutMs: 30, onTimeout: timeout })).toThrow('[esmx:test] held by undefined');
    const old = new Date(Date.now() - 60_000);
    utimesSync(lock, old, old);
    expect(withFileLock(lock, () => 'ran', { timeoutMs: 30, onTimeout: timeout })).toBe('ran');
  });

  it('takes over a lock naming this process that it does not hold (left before a crash by a process with its pid)', () => {
    withFileLock(lock, () => undefined, { onTimeout: timeout });
    writeFileSync(lock, `${process.pid}\n`);
    expect(withFileLock(lock, () => 'ran', { timeoutMs: 30, onTimeout: timeout })).toBe('ran');
    expect(existsSync(lock)).toBe(false);
  });

  it('takes over a lock older than any step takes, even when its pid is a running process now (reused)', () => {
    withFileLock(lock, () => undefined, { onTimeout: timeout });
    writeFileSync(lock, `${process.ppid}\n`);
    const old = new Date(Date.now() - 10 * 60_000);
    utimesSync(lock, old, old);
    expect(withFileLock(lock, () => 'ran', { timeoutMs: 30, onTimeout: timeout })).toBe('ran');
  });

  it('refuses a nested call of the same process instead of waiting for itself', () => {
    expect(() => withFileLock(lock, () => withFileLock(lock, () => 'inner', { onTimeout: timeout }), { onTimeout: timeout })).toThrow(
      'already held by this process',
    );
    expect(existsSync(lock)).toBe(false);
  });
});
