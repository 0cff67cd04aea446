import { blankComments, scanImports } from './scan-imports';

const specifiers = (source: string) => scanImports(source).map((found) => found.specifier);

describe('scanImports', () => {
  it('finds static, side-effect, re-export and literal dynamic imports, with their lines, in TSX', () => {
    const source = [
      "import { useState } from 'react';",
      "import Default, * as all from \"cart/widget\";",
      "import './styles.css';",
      'import {',
      '  a,',
      '  b,',
      "} from 'promo/widget';",
      "export * from 'shared/ui';",
      "export { x as y } from './local';",
      "export * as ns from 'lib/ns';",
      'export function App() {',
      "  const lazy = () => import('checkout/widget');",
      "  return <div onClick={() => import( 'late/x' , { with: {} })}>{'import fake from \"n\"'.length}</div>;",
      '}',
    ].join('\n');
    expect(scanImports(source)).toEqual([
      { specifier: 'react', line: 1, names: ['useState'] },
      { specifier: 'cart/widget', line: 2, names: ['default'] },
      { specifier: './styles.css', line: 3, names: [] },
      { specifier: 'promo/widget', line: 7, names: ['a', 'b'] },
      { specifier: 'shared/ui', line: 8, names: [] },
      { specifier: './local', line: 9, names: ['x'] },
      { specifier: 'lib/ns', line: 10, names: [] },
      { specifier: 'checkout/widget', line: 12, names: [] },
      { specifier: 'late/x', line: 13, names: [] },
      // A string that reads like an import is one of the documented limits: reported, not hidden.
      { specifier: 'n', line: 13, names: ['default'] },
    ]);
  });

  it('reads the export names each clause binds: default, renamed, type-only dropped, namespace none', () => {
    const names = (source: string) => scanImports(source).map((found) => found.names);
    expect(
      names(
        [
          "import React, { useState as useS, type FC, useMemo } from 'react';",
          "import Def, * as all from 'rxjs';",
          "import * as only from 'vue';",
          "export { default, Link as L, type Props } from 'react-router-dom';",
          "export { default as Thing } from 'cart/widget';",
          'import {',
          '  a,',
          '  b as c,',
          "} from 'multi';",
        ].join('\n'),
      ),
    ).toEqual([['default', 'useState', 'useMemo'], ['default'], [], ['default', 'Link'], ['default'], ['a', 'b']]);
  });

  it('skips type-only imports and exports: the compiler erases them', () => {
    expect(specifiers("import type { A } from 'cart/widget';\nexport type { B } from 'promo/widget';\nimport { type C, d } from 'kept';")).toEqual(['kept']);
  });

  it('ignores imports inside comments, and keeps strings that look like comments', () => {
    const source = [
      "// import { a } from 'line/comment';",
      "/* import { b } from 'block/comment';",
      "   import('block/dynamic') */",
      "const url = 'http://example.test/*not a comment*/';",
      "import { c } from 'real/one'; // import 'trailing/comment'",
      'const t = `// ${1}`; import("real/two");',
    ].join('\n');
    expect(scanImports(source)).toEqual([
      { specifier: 'real/one', line: 5, names: ['c'] },
      { specifier: 'real/two', line: 6, names: [] },
    ]);
  });

  it('does not read a property or identifier ending in "import" as an import', () => {
    expect(specifiers("loader.import('not/this'); reimport('nor/this'); const x = obj.import;")).toEqual([]);
  });

  it('blanks comments to spaces and keeps line breaks', () => {
    expect(blankComments('a /* b\nc */ d // e\nf')).toBe('a     \n     d     \nf');
  });
});
