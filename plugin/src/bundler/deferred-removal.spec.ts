import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { discard, emptyTrash, getTrashDir } from './deferred-removal';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'esmx-trash-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

function makeTree(name: string): string {
  const dir = join(root, 'dist', name);
  mkdirSync(join(dir, 'client/chunks'), { recursive: true });
  writeFileSync(join(dir, 'client/chunks/a.final.mjs'), 'export {};\n');
  writeFileSync(join(dir, 'index.mjs'), '\n');
  return dir;
}

describe('deferred removal', () => {
  it('moves a folder aside in one step and removes it at the next emptying', async () => {
    const dir = makeTree('.esmx-build');
    discard(root, dir);
    expect(existsSync(dir)).toBe(false);
    expect(readdirSync(getTrashDir(root))).toHaveLength(1);
    await emptyTrash(root);
    expect(readdirSync(getTrashDir(root))).toEqual([]);
  });

  it('leaves what is discarded while it empties for the next time', async () => {
    discard(root, makeTree('first'));
    const emptying = emptyTrash(root);
    discard(root, makeTree('second'));
    await emptying;
    expect(readdirSync(getTrashDir(root))).toHaveLength(1);
    await emptyTrash(root);
    expect(readdirSync(getTrashDir(root))).toEqual([]);
  });

  it('does nothing for a missing folder or a missing trash', async () => {
    discard(root, join(root, 'dist', 'absent'));
    await expect(emptyTrash(join(root, 'elsewhere'))).resolves.toBeUndefined();
  });

  it('removes at once what cannot be moved into the trash (another filesystem)', () => {
    const dir = makeTree('stage');
    // A file where the trash folder should be: the rename cannot happen, the removal still must.
    mkdirSync(join(root, 'node_modules', '.cache', 'esmx'), { recursive: true });
    writeFileSync(getTrashDir(root), 'not a folder');
    discard(root, dir);
    expect(existsSync(dir)).toBe(false);
  });
});
