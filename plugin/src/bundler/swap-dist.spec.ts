import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exitedPid } from '../testing/exited-pid';
import { getTrashDir } from './deferred-removal';
import { discardAbandonedStages, getWorkDirs } from './swap-dist';

let root: string;
beforeEach(() => (root = mkdtempSync(join(tmpdir(), 'esmx-stages-'))));
afterEach(() => rmSync(root, { recursive: true, force: true }));


describe('staging folders', () => {
  it('are one per process, under dist/', () => {
    expect(getWorkDirs(root).stage).toBe(join(root, 'dist', `.esmx-build-${process.pid}`));
  });

  it('sets aside the stages of processes that no longer run and the shared stage of earlier versions, and no other', () => {
    const dead = exitedPid();
    const stages = [`.esmx-build-${dead}`, '.esmx-build', `.esmx-build-${process.pid}`, `.esmx-build-${process.ppid}`];
    for (const stage of stages) {
      mkdirSync(join(root, 'dist', stage, 'client'), { recursive: true });
      writeFileSync(join(root, 'dist', stage, 'client', 'a.mjs'), '');
    }
    mkdirSync(join(root, 'dist', 'client'));
    discardAbandonedStages(root);
    expect(readdirSync(join(root, 'dist')).sort()).toEqual([`.esmx-build-${process.pid}`, `.esmx-build-${process.ppid}`, 'client'].sort());
    expect(readdirSync(getTrashDir(root))).toHaveLength(2);
  });

  it('does nothing before the first build (no dist/)', () => {
    expect(() => discardAbandonedStages(root)).not.toThrow();
  });
});
