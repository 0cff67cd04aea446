/**
 * Two processes changing one module's dist/ at once (a dev server's rebuild and an `nx build` in another terminal)
 * take turns through withDistLock: real processes, real files.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { exitedPid } from '../testing/exited-pid';
import { getDistLockFile, keepPreviousDist, withDistLock } from './dist-generations';

jest.setTimeout(120_000);

const REPO = join(__dirname, '../../..');
const run = promisify(execFile);
let root: string;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'esmx-dist-lock-'));
  const files: Record<string, string> = {
    'dist/client/manifest.json': JSON.stringify({ files: ['a.1234abcd.final.mjs', 'chunks/b.5678abcd.final.mjs'] }),
    'dist/client/a.1234abcd.final.mjs': 'export const a = 1;\n',
    'dist/client/chunks/b.5678abcd.final.mjs': 'export const b = 2;\n',
    'dist/server/manifest.json': JSON.stringify({ files: ['a.9999abcd.final.mjs'] }),
    'dist/server/a.9999abcd.final.mjs': 'export const a = 1;\n',
    'dist/index.mjs': 'export {};\n',
    'dist/link.json': '{}\n',
  };
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(join(root, file, '..'), { recursive: true });
    writeFileSync(join(root, file), text);
  }
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

function commitLoop(rounds: number): Promise<{ broken: number; failed: number }> {
  return run(process.execPath, ['-r', '@swc-node/register', join(__dirname, 'fixtures/dist-lock/commit-loop.ts'), root, String(rounds)], {
    cwd: REPO,
    env: { ...process.env, NODE_OPTIONS: '' },
  }).then(({ stdout }) => JSON.parse(stdout.trim().split('\n').at(-1)!));
}

describe('withDistLock across processes', () => {
  it('two processes committing one dist/ 80 times each never leave a broken last-linked record', async () => {
    const results = await Promise.all([commitLoop(80), commitLoop(80)]);
    expect(results).toEqual([
      { broken: 0, failed: 0 },
      { broken: 0, failed: 0 },
    ]);
  });

  it('gives a diagnostic naming the holder and the lock file when another process keeps the lock too long', () => {
    const lock = getDistLockFile(root);
    mkdirSync(join(lock, '..'), { recursive: true });
    // The parent of this test process: running, and not this process.
    writeFileSync(lock, `${process.ppid}\n`);
    try {
      expect(() => withDistLock(root, '[esmx:link]', () => 'ran', 20)).toThrow(
        `[esmx:link] expected to update ${join(root, 'dist')} within 0.02 s, but process ${process.ppid} still holds its lock (${lock}). ` +
          "Fix: let the other build, link or dev server of this module finish its step; if that process is none of them (a crashed build's pid, reused), delete the lock file.",
      );
    } finally {
      rmSync(lock);
    }
  });

  it('keepPreviousDist takes the lock itself, and releases it', () => {
    // A lock left by a process that has exited: taking the lock takes it over and then removes it, so the file is
    // gone only if keepPreviousDist locked.
    writeFileSync(getDistLockFile(root), `${exitedPid()}\n`);
    expect(keepPreviousDist(root)).toBe('unchanged');
    expect(existsSync(getDistLockFile(root))).toBe(false);
  });
});
