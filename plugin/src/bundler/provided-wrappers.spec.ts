import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getCacheDir, readExportNames, toWrapperFileName, writeProvidedWrappers } from './provided-wrappers';

const dir = join(__dirname, 'fixtures/names');

describe('readExportNames', () => {
  it('reads require() keys under the build mode, falls back to the lexer, and leaves ESM to export *', async () => {
    const files = ['browser-only.cjs', 'dynamic.cjs', 'module.mjs'].map((f) => join(dir, f));
    const production = await readExportNames(files, 'production');
    expect(Object.fromEntries(production)).toEqual({
      [files[0]]: { esm: false, hasDefault: true, names: ['alpha', 'beta'], lexed: true },
      [files[1]]: { esm: false, hasDefault: true, names: ['delta', 'gamma'], lexed: false },
      [files[2]]: { esm: true, hasDefault: true, names: [], lexed: true },
    });
    const development = await readExportNames([files[1]], 'development');
    expect(development.get(files[1])!.names).toEqual(['delta', 'devOnly', 'gamma']);
  });
});

describe('readExportNames with a names cache', () => {
  it('reads a CommonJS file once per (file, version, mode, node, size, mtime) and serves the cached names after', async () => {
    const { mkdtempSync, cpSync, readdirSync, rmSync, writeFileSync, readFileSync: read } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const work = mkdtempSync(join(tmpdir(), 'esmx-names-'));
    try {
      const file = join(work, 'dynamic.cjs');
      cpSync(join(dir, 'dynamic.cjs'), file);
      const cacheDir = join(work, 'cache');
      const first = await readExportNames([file], 'production', cacheDir);
      expect(first.get(file)).toEqual({ esm: false, hasDefault: true, names: ['delta', 'gamma'], lexed: false });
      const entries = readdirSync(cacheDir);
      expect(entries).toHaveLength(1);
      // A planted entry proves the second read comes from the cache, not from a new child process.
      const planted = { esm: false, hasDefault: true, names: ['fromCache'], lexed: false };
      writeFileSync(join(cacheDir, entries[0]), JSON.stringify(planted));
      expect((await readExportNames([file], 'production', cacheDir)).get(file)).toEqual(planted);
      // Another mode is another key.
      expect((await readExportNames([file], 'development', cacheDir)).get(file)!.names).toEqual(['delta', 'devOnly', 'gamma']);
      expect(readdirSync(cacheDir)).toHaveLength(2);
      // Editing the file (size changes) is a miss: the names are read again.
      writeFileSync(file, read(file, 'utf8') + '\nmodule.exports.epsilon = 5;\n');
      expect((await readExportNames([file], 'production', cacheDir)).get(file)!.names).toEqual(['delta', 'epsilon', 'gamma']);
      // A corrupt entry is a miss, not an error.
      for (const name of readdirSync(cacheDir)) writeFileSync(join(cacheDir, name), '{');
      expect((await readExportNames([file], 'production', cacheDir)).get(file)!.names).toEqual(['delta', 'epsilon', 'gamma']);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
});

describe('wrapper file names', () => {
  it('give every specifier its own file: @a/b and a/b no longer share one', async () => {
    const work = mkdtempSync(join(tmpdir(), 'esmx-wrappers-'));
    try {
      const scoped = join(work, 'scoped.mjs');
      const plain = join(work, 'plain.mjs');
      writeFileSync(scoped, 'export const fromScoped = 1;\n');
      writeFileSync(plain, 'export const fromPlain = 2;\n');
      const wrappers = await writeProvidedWrappers(work, 'production', [
        { specifier: '@a/b', target: 'client', file: scoped },
        { specifier: 'a/b', target: 'client', file: plain },
      ]);
      const scopedWrapper = wrappers.client.get('@a/b')!;
      const plainWrapper = wrappers.client.get('a/b')!;
      expect(scopedWrapper).not.toBe(plainWrapper);
      // Each wrapper still re-exports its own file: the second write did not overwrite the first.
      expect(readFileSync(scopedWrapper, 'utf8')).toContain(JSON.stringify(scoped));
      expect(readFileSync(plainWrapper, 'utf8')).toContain(JSON.stringify(plain));
    } finally {
      rmSync(work, { recursive: true, force: true });
      rmSync(getCacheDir(work), { recursive: true, force: true });
    }
  });

  it('are one-to-one over specifiers that differ only in punctuation or case', () => {
    const specifiers = ['@a/b', 'a/b', 'a__b', 'a_b', 'a_2f_b', 'A/b', 'a/B', 'react-dom/server.browser', '@scope/pkg/sub/path'];
    const names = specifiers.map(toWrapperFileName);
    expect(new Set(names).size).toBe(specifiers.length);
    expect(new Set(names.map((n) => n.toLowerCase())).size).toBe(specifiers.length);
    expect(toWrapperFileName('react-dom/server.browser')).toBe('react-dom_2f_server.browser.mjs');
    expect(names.every((n) => /^[a-z0-9._-]+$/.test(n))).toBe(true);
  });
});
