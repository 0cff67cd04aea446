import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic } from '../../utils/atomic-write';
import { clearMemoryCaches, openJsonCache } from './json-cache';

let work: string;
const saved = process.env.NX_WORKSPACE_DATA_DIRECTORY;

beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'esmx-json-cache-'));
  clearMemoryCaches();
});
afterEach(() => {
  if (saved === undefined) delete process.env.NX_WORKSPACE_DATA_DIRECTORY;
  else process.env.NX_WORKSPACE_DATA_DIRECTORY = saved;
  clearMemoryCaches();
  rmSync(work, { recursive: true, force: true });
});

describe('openJsonCache', () => {
  it('writes the entries used since the last flush and reads them back in a fresh process', () => {
    process.env.NX_WORKSPACE_DATA_DIRECTORY = join(work, 'data');
    const cache = openJsonCache(work, 'spec');
    cache.set('a', '"1"');
    cache.flush();
    expect(JSON.parse(readFileSync(join(work, 'data/esmx-nx-spec.json'), 'utf8'))).toEqual({ format: 1, entries: { a: '"1"' } });
    clearMemoryCaches();
    expect(openJsonCache(work, 'spec').get('a')).toBe('"1"');
  });

  it('keeps the graph working when the data directory cannot be written', () => {
    // A regular file where the data directory should be: creating the directory fails (ENOTDIR / EEXIST).
    const blocker = join(work, 'blocker');
    writeFileSync(blocker, '');
    process.env.NX_WORKSPACE_DATA_DIRECTORY = join(blocker, 'data');
    // Negative control: the write itself does fail there.
    expect(() => writeFileAtomic(join(blocker, 'data', 'x.json'), '{}')).toThrow();
    const cache = openJsonCache(work, 'spec');
    cache.set('a', '"1"');
    expect(() => cache.flush()).not.toThrow();
    expect(cache.get('a')).toBe('"1"');
  });
});
