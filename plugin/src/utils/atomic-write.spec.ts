import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic, writeJsonAtomic } from './atomic-write';

describe('writeFileAtomic', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'esmx-atomic-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('puts a new file in place by a rename (new inode), creating its folder, and leaves no temp file', () => {
    const file = join(dir, 'a/b.json');
    writeFileAtomic(file, 'one');
    const first = statSync(file).ino;
    writeFileAtomic(file, 'one');
    expect(statSync(file).ino).not.toBe(first);
    expect(readFileSync(file, 'utf8')).toBe('one');
    expect(readdirSync(join(dir, 'a'))).toEqual(['b.json']);
  });

  it('with skipIfSame, leaves a file with the same bytes as it is and replaces one that differs', () => {
    const file = join(dir, 'link.json');
    writeJsonAtomic(file, { a: 1 }, { skipIfSame: true });
    const written = statSync(file).ino;
    writeJsonAtomic(file, { a: 1 }, { skipIfSame: true });
    writeFileAtomic(file, Buffer.from('{\n  "a": 1\n}\n'), { skipIfSame: true });
    expect(statSync(file).ino).toBe(written);
    writeJsonAtomic(file, { a: 2 }, { skipIfSame: true });
    expect(statSync(file).ino).not.toBe(written);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ a: 2 });
    writeFileSync(file, 'edited by hand');
    writeFileAtomic(file, Buffer.from('{"a":2}'), { skipIfSame: true });
    expect(readFileSync(file, 'utf8')).toBe('{"a":2}');
  });
});
