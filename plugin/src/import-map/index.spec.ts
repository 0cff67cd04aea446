import * as fs from 'node:fs';
import * as path from 'node:path';
import * as publicApi from './index';

describe('@esmx/nx/import-map public API', () => {
  it('exports exactly the names a user needs (an accidental export fails here)', () => {
    expect(Object.keys(publicApi).sort()).toEqual(['composeImportMap', 'getFileUrl', 'getModuleBaseUrl', 'parseImportMap', 'resolveSpecifier']);
  });

  it('lists its exports by name, and every exported function has a doc comment on its declaration', () => {
    const index = fs.readFileSync(path.join(__dirname, 'index.ts'), 'utf8');
    expect(index).not.toMatch(/export \*/);
    const sources = ['parse-import-map.ts', 'resolve-specifier.ts', 'compose-import-map.ts'].map((file) =>
      fs.readFileSync(path.join(__dirname, file), 'utf8'),
    );
    for (const name of Object.keys(publicApi)) {
      const documented = sources.some((source) => new RegExp(`\\*/\\nexport function ${name}\\(`).test(source));
      expect([name, documented]).toEqual([name, true]);
    }
  });
});
