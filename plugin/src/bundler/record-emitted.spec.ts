import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openOutputCache, type EmittedFile } from './record-emitted';

const entry = (integrity: string, extra: Partial<EmittedFile> = {}): EmittedFile => ({ raw: 10, mtimeMs: 0, integrity, ...extra });

describe('the output cache of a module', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'esmx-outputs-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps on disk only the entries of the files listed now, and reads them back', () => {
    const file = join(dir, 'outputs.json');
    const cache = openOutputCache(file);
    expect(cache.entries.size).toBe(0);
    cache.entries.set('client/a.mjs', entry('sha384-a', { gzip: 5, node: { files: [], externals: ['react'], lazyExternals: [], exports: ['A'] } }));
    cache.entries.set('client/old.mjs', entry('sha384-old'));
    cache.entries.set('server/dev.mjs', { raw: 3, mtimeMs: 1 });
    cache.save(['client/a.mjs', 'server/dev.mjs']);
    expect([...cache.entries.keys()]).toEqual(['client/a.mjs']);
    expect([...openOutputCache(file).entries]).toEqual([
      ['client/a.mjs', entry('sha384-a', { gzip: 5, node: { files: [], externals: ['react'], lazyExternals: [], exports: ['A'] } })],
    ]);
  });

  it('writes only when the kept entries change', () => {
    const file = join(dir, 'outputs.json');
    const cache = openOutputCache(file);
    cache.entries.set('client/a.mjs', entry('sha384-a'));
    cache.save(['client/a.mjs']);
    rmSync(file);
    cache.save(['client/a.mjs']);
    expect(existsSync(file)).toBe(false);
    cache.entries.set('client/a.mjs', entry('sha384-b'));
    cache.save(['client/a.mjs']);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ version: 2, entries: [['client/a.mjs', entry('sha384-b')]] });
  });

  it('starts empty from a damaged file or entries of another shape', () => {
    const file = join(dir, 'outputs.json');
    writeFileSync(file, '[["client/a.mjs", {"raw": 1, "integ');
    expect(openOutputCache(file).entries.size).toBe(0);
    const stored = [['client/a.mjs', { raw: 1 }], ['client/b.mjs', 'x'], 'c', ['client/e.mjs', entry('sha384-e', { node: { files: 'x' } as never })], ['client/d.mjs', entry('sha384-d')]];
    writeFileSync(file, JSON.stringify({ version: 2, entries: stored }));
    expect([...openOutputCache(file).entries.keys()]).toEqual(['client/d.mjs']);
  });

  it('drops a cache of another version (or of the layout before versions) instead of misreading it', () => {
    const file = join(dir, 'outputs.json');
    writeFileSync(file, JSON.stringify([['client/d.mjs', entry('sha384-d')]]));
    expect(openOutputCache(file).entries.size).toBe(0);
    writeFileSync(file, JSON.stringify({ version: 1, entries: [['client/d.mjs', entry('sha384-d')]] }));
    expect(openOutputCache(file).entries.size).toBe(0);
  });
});
