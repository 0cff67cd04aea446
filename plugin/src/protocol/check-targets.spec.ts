import * as fs from 'node:fs';
import * as path from 'node:path';
import { findSourceFile, type FolderListings } from './check-targets';
import { makeTempDir } from './fixtures/write-module-set';

let root: string;
beforeEach(() => {
  root = makeTempDir('find-source');
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

function write(file: string): void {
  fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
  fs.writeFileSync(path.join(root, file), 'export {};\n');
}

describe('findSourceFile with folder listings', () => {
  beforeEach(() => {
    write('src/ui.tsx');
    write('src/ui.js');
    write('src/exact.ts');
    write('src/list/index.ts');
    write('src/gen/c0.tsx');
    write('src/gen/c1.tsx');
    // A folder named like a source file: not a file, so `./dir.ts` does not resolve to it.
    fs.mkdirSync(path.join(root, 'src/dir.ts'), { recursive: true });
    write('elsewhere/real.ts');
    fs.symlinkSync(path.join(root, 'elsewhere/real.ts'), path.join(root, 'src/linked.ts'));
    fs.symlinkSync(path.join(root, 'elsewhere'), path.join(root, 'src/linked-dir'));
    write('elsewhere/index.mjs');
  });

  const targets = [
    './src/ui',
    './src/ui.tsx',
    './src/exact.ts',
    './src/exact',
    './src/list',
    './src/gen/c0',
    './src/gen/c2',
    './src/dir',
    './src/linked',
    './src/linked-dir',
    './src/linked-dir/real',
    './missing/x',
    './src/ui.tsx/x',
  ];

  it('answers as a stat of each candidate does: an extension, an index file, links, absent folders', () => {
    const listings: FolderListings = new Map();
    const withListings = targets.map((t) => findSourceFile(root, t, listings));
    expect(withListings).toEqual(targets.map((t) => findSourceFile(root, t)));
    expect(withListings.map((f) => f && path.relative(root, f))).toEqual([
      path.normalize('src/ui.tsx'),
      path.normalize('src/ui.tsx'),
      path.normalize('src/exact.ts'),
      path.normalize('src/exact.ts'),
      path.normalize('src/list/index.ts'),
      path.normalize('src/gen/c0.tsx'),
      undefined,
      undefined,
      path.normalize('src/linked.ts'),
      path.normalize('src/linked-dir/index.mjs'),
      path.normalize('src/linked-dir/real.ts'),
      undefined,
      undefined,
    ]);
  });

  it('lists each folder once for a whole walk, and looks candidates up in the listing', () => {
    const listings: FolderListings = new Map();
    for (let i = 0; i < 2; i++) expect(findSourceFile(path.join(root, 'src/gen'), `./c${i}`, listings)).toBe(path.join(root, 'src/gen', `c${i}.tsx`));
    expect([...listings.keys()]).toEqual([path.join(root, 'src/gen')]);
    expect([...listings.get(path.join(root, 'src/gen'))!.keys()].sort()).toEqual(['c0.tsx', 'c1.tsx']);
  });

  it('sees a file created after an earlier walk only in a new walk (listings belong to one state of the sources)', () => {
    const listings: FolderListings = new Map();
    expect(findSourceFile(root, './src/gen/c2', listings)).toBeUndefined();
    write('src/gen/c2.ts');
    expect(findSourceFile(root, './src/gen/c2', listings)).toBeUndefined();
    expect(findSourceFile(root, './src/gen/c2', new Map())).toBe(path.join(root, 'src/gen/c2.ts'));
  });
});
