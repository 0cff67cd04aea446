import { join } from 'node:path';
import { readExportNames } from './provided-wrappers';

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
