import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSourceScanCache, listSourceImports } from '../protocol/source-imports';
import type { ModuleInfo } from '../protocol/types';
import { openSourceScans } from './source-scans';

let work: string;
let store: string;
let info: ModuleInfo;

beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'esmx-source-scans-'));
  store = join(work, 'cache/source-scans.json');
  mkdirSync(join(work, 'src'));
  writeFileSync(join(work, 'src/a.ts'), "import { useState } from 'react';\nimport { b } from './b';\nexport const a = [useState, b];\n");
  writeFileSync(join(work, 'src/b.ts'), "import { useMemo } from 'react';\nexport const b = useMemo;\n");
  info = { root: work, entry: { client: false, server: false }, exports: [{ name: 'a', client: './src/a.ts', server: false }] } as unknown as ModuleInfo;
});
afterEach(() => rmSync(work, { recursive: true, force: true }));

/** One build's walk: the store opened from disk, the imports listed, the store saved. */
function buildOnce() {
  const scans = openSourceScans(store);
  const cache = createSourceScanCache(scans.known);
  const imports = listSourceImports(info, ['client'], cache);
  scans.save(cache);
  return { scans, imports: imports.map((i) => `${i.file.slice(work.length + 1)}:${i.line} ${i.specifier} ${i.names.join(',')}`) };
}

describe('source scans kept between builds', () => {
  it('scans a file again when its content changed (even at the same size and mtime), and reuses the scan of an unchanged one', () => {
    buildOnce();
    const reopened = openSourceScans(store);
    const unchanged = reopened.known.get(join(work, 'src/b.ts'));
    expect(unchanged?.imports).toEqual([{ specifier: 'react', line: 1, names: ['useMemo'] }]);
    const a = join(work, 'src/a.ts');
    const { mtime } = statSync(a);
    writeFileSync(a, readFileSync(a, 'utf8').replace('useState', 'useStatf'));
    utimesSync(a, mtime, mtime);
    const cache = createSourceScanCache(reopened.known);
    const imports = listSourceImports(info, ['client'], cache);
    expect(imports.map((i) => i.names)).toEqual([['useStatf'], ['b'], ['useMemo']]);
    // The same object: read from the store, not scanned again.
    expect(cache.known.get(join(work, 'src/b.ts'))).toBe(unchanged);
  });

  it('drops a file the walk no longer reaches', () => {
    buildOnce();
    writeFileSync(join(work, 'src/a.ts'), "export const a = 1;\n");
    expect(buildOnce().imports).toEqual([]);
    expect([...openSourceScans(store).known.keys()]).toEqual([join(work, 'src/a.ts')]);
  });

  it('starts empty from a store of another version or scanner, a damaged one, or entries of another shape, and writes it again', () => {
    buildOnce();
    const saved = JSON.parse(readFileSync(store, 'utf8')) as { version: number; scanner: number; entries: Array<[string, unknown]> };
    expect(openSourceScans(store).known.size).toBe(2);
    writeFileSync(store, JSON.stringify({ ...saved, version: saved.version + 1 }));
    expect(openSourceScans(store).known.size).toBe(0);
    writeFileSync(store, JSON.stringify({ ...saved, scanner: saved.scanner - 1 }));
    expect(openSourceScans(store).known.size).toBe(0);
    writeFileSync(store, '{"version": 2, "entries": [');
    expect(openSourceScans(store).known.size).toBe(0);
    writeFileSync(store, JSON.stringify({ ...saved, entries: saved.entries.map(([file]) => [file, { hash: 'x', imports: [{ specifier: 1 }] }]) }));
    expect(openSourceScans(store).known.size).toBe(0);
    const { imports } = buildOnce();
    expect(imports).toEqual(['src/a.ts:1 react useState', 'src/a.ts:2 ./b b', 'src/b.ts:1 react useMemo']);
    expect(JSON.parse(readFileSync(store, 'utf8'))).toEqual(saved);
  });

  it('writes the store only when a scan changed', () => {
    buildOnce();
    const past = new Date(Date.now() - 60_000);
    utimesSync(store, past, past);
    const pastMtime = statSync(store).mtimeMs;
    buildOnce();
    expect(statSync(store).mtimeMs).toBe(pastMtime);
    writeFileSync(join(work, 'src/b.ts'), "import { useMemo } from 'react';\nexport const b = [useMemo];\n");
    buildOnce();
    expect(statSync(store).mtimeMs).toBeGreaterThan(pastMtime);
  });
});
