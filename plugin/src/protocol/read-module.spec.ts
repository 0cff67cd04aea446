import * as fs from 'node:fs';
import * as path from 'node:path';
import { readModule, validateDeclaration } from './index';
import type { Diagnostic } from './types';

const fixture = (name: string) => path.join(__dirname, 'fixtures', 'schema', `${name}.json`);
const fields = (d: Diagnostic) => ({ code: d.code, module: d.module, message: d.message, found: d.found, required: d.required, fix: d.fix });

describe('readModule', () => {
  it('normalizes a valid declaration (entries, exports, ranges)', () => {
    const { module, diagnostics } = readModule(fixture('valid-full'));
    expect(diagnostics).toEqual([]);
    const root = fs.realpathSync(path.dirname(fixture('valid-full')));
    expect(module).toEqual({
      name: '@shop/cart',
      version: '3.1.0',
      root,
      packageJsonPath: path.join(root, 'valid-full.json'),
      entry: { client: './src/entry.client.tsx', server: false },
      exports: [
        { name: 'index', client: './src/index.ts', server: './src/index.ts' },
        { name: 'widget', client: './src/widget.client.tsx', server: './src/widget.server.tsx' },
        { name: 'only-client', client: './src/oc.ts', server: false },
      ],
      provides: ['lodash-es', '@scope/lib/sub'],
      singletons: [],
      uses: ['shared', '@shop/account'],
      ranges: { react: '^19.1.0', 'react-dom': '^19.0.0' },
      devRanges: { '@types/react': '^19.0.0' },
    });
  });

  it('reports invalid JSON with its line and column', () => {
    const file = fixture('invalid-json');
    const { module, diagnostics } = readModule(fixture('invalid-json'));
    expect(module).toBeUndefined();
    expect(diagnostics.map(fields)).toEqual([
      {
        code: 'E_SCHEMA',
        module: file,
        message: `[esmx:protocol] ${file}: package.json is not valid JSON at line 5, column 5 (position 61): unexpected "\\""`,
        found: '"\\"" at line 5, column 5',
        required: 'valid JSON',
        fix: `fix the JSON syntax of ${file} at line 5, column 5 (look for a trailing comma, a missing comma or an unclosed quote or bracket before it)`,
      },
    ]);
  });

  it('reports a truncated file at its end', () => {
    const dir = fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'esmx-read-'));
    fs.writeFileSync(path.join(dir, 'package.json'), '{ "name": "x", "esmx": {');
    const [d] = readModule(dir).diagnostics;
    expect(d.message).toContain('at line 1, column 25 (position 24): unexpected end of file');
    fs.rmSync(dir, { recursive: true });
  });

  it('reports an unreadable package.json with what was found (the error) and what is required, in that order', () => {
    // A file name longer than any file system allows fails with ENAMETOOLONG, which is not "absent"; works as root too.
    const unreadable = path.join(__dirname, 'fixtures', `${'x'.repeat(300)}.json`);
    const [d] = readModule(unreadable).diagnostics;
    expect(d.code).toBe('E_SCHEMA');
    expect(d.found).toContain('ENAMETOOLONG');
    expect(d.required).toBe('a readable package.json');
    expect(d.message).toContain(`cannot read ${unreadable}: ENAMETOOLONG`);
  });

  it('reports a missing package.json, a missing name and a missing esmx field', () => {
    const missing = path.join(__dirname, 'fixtures', 'nope', 'package.json');
    expect(readModule(path.dirname(missing)).diagnostics.map((d) => [d.code, d.module, d.found])).toEqual([['E_SCHEMA', missing, 'no file']]);
    const noName = readModule(fixture('no-name'));
    expect(noName.diagnostics.map((d) => [d.code, d.found, d.required])).toEqual([['E_SCHEMA', 'no "name"', 'a non-empty string such as "cart"']]);
    const noEsmx = readModule(fixture('no-esmx'));
    expect(noEsmx.module).toBeUndefined();
    expect(noEsmx.diagnostics.map(fields)).toEqual([
      {
        code: 'E_SCHEMA',
        module: 'plain-lib',
        message: '[esmx:protocol] plain-lib: package.json has no "esmx" field, so it is not a linkable module',
        found: 'no "esmx" field',
        required: 'an "esmx" object with entry, exports, provides or uses',
        fix: `add "esmx": { "exports": { ".": "./src/index.ts" } } (or the entries it has) to plain-lib's package.json, or stop using it as a module`,
      },
    ]);
  });

  it('rejects a package name that cannot be a module name (a Node.js built-in, capitals), with the fix', () => {
    const dir = fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'esmx-read-'));
    for (const [name, problem] of [
      ['fs', 'built-in'],
      ['Cart', 'capital'],
    ]) {
      fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name, esmx: { exports: { './x': './x.ts' } } }));
      const result = readModule(path.join(dir, 'package.json'));
      expect(result.module).toBeUndefined();
      expect(result.diagnostics).toHaveLength(1);
      expect(result.diagnostics[0]).toMatchObject({ code: 'E_SCHEMA', found: JSON.stringify(name) });
      expect(result.diagnostics[0].message).toContain(problem);
      expect(result.diagnostics[0].fix).toContain('rename the package');
    }
    fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: '@shop/cart', esmx: { exports: { './x': './x.ts' } } }));
    expect(readModule(path.join(dir, 'package.json')).module?.name).toBe('@shop/cart');
  });

  it('rejects unknown keys, suggesting the close one', () => {
    const { module, diagnostics } = readModule(fixture('unknown-key'));
    expect(module).toBeUndefined();
    expect(diagnostics.map(fields)).toEqual([
      {
        code: 'E_SCHEMA',
        module: 'cart',
        message: '[esmx:protocol] cart: esmx has an unknown key "use"',
        found: '"use"',
        required: 'only entry, exports, framework, provides, singletons, uses',
        fix: 'rename "use" to "uses" in esmx',
      },
      {
        code: 'E_SCHEMA',
        module: 'cart',
        message: '[esmx:protocol] cart: esmx has an unknown key "remotes"',
        found: '"remotes"',
        required: 'only entry, exports, framework, provides, singletons, uses',
        fix: 'remove "remotes" from esmx (allowed keys: entry, exports, framework, provides, singletons, uses)',
      },
    ]);
  });

  it('rejects paths without "./", bad export keys and unknown target keys, one diagnostic each', () => {
    const { diagnostics } = readModule(fixture('bad-path'));
    expect(diagnostics.map((d) => [d.message, d.found, d.fix])).toEqual([
      ['[esmx:protocol] cart: esmx.entry.client must start with "./"', '"src/entry.client.ts"', 'write esmx.entry.client as "./src/entry.client.ts"'],
      ['[esmx:protocol] cart: esmx.entry.server must be a path starting with "./" or false', 'true', 'set esmx.entry.server to a path such as "./src/ui.ts", or to false to leave that side out'],
      ['[esmx:protocol] cart: esmx.exports key "ui" must be "." or start with "./"', '"ui"', 'rename the key "ui" to "./ui"; consumers will import "cart/ui"'],
      ['[esmx:protocol] cart: esmx.exports["./widget"] must start with "./"', '"src/widget.tsx"', 'write esmx.exports["./widget"] as "./src/widget.tsx"'],
      ['[esmx:protocol] cart: esmx.exports["./card"] has an unknown key "edge"', '"edge"', 'remove "edge" from esmx.exports["./card"] (allowed keys: client, server)'],
    ]);
    expect(diagnostics.every((d) => d.code === 'E_SCHEMA' && d.module === 'cart' && d.required)).toBe(true);
  });
});

describe('validateDeclaration', () => {
  const messages = (value: unknown, name = 'm') => validateDeclaration(value, name).map((d) => d.message.replace(`[esmx:protocol] ${name}: `, ''));

  it('accepts the documented shapes', () => {
    expect(validateDeclaration({}, 'm')).toEqual([]);
    expect(
      validateDeclaration(
        {
          entry: { client: './a.ts', server: false },
          exports: { '.': './i.ts', './a/b': { client: './x.ts', server: false } },
          provides: ['react', 'react-dom/client', '@scope/lib/deep/sub'],
          uses: ['shared', '@scope/cart'],
        },
        'm',
      ),
    ).toEqual([]);
  });

  it('rejects a module using itself', () => {
    const [d] = validateDeclaration({ uses: ['a', 'cart'] }, 'cart');
    expect([d.code, d.message, d.found, d.fix]).toEqual([
      'E_SCHEMA',
      '[esmx:protocol] cart: esmx.uses lists the module itself',
      '"cart"',
      'remove "cart" from esmx.uses (a module always sees its own exports)',
    ]);
  });

  it('rejects duplicates, wrong types and malformed names', () => {
    expect(messages({ uses: ['a', 'a'], provides: ['react', 'react'] })).toEqual([
      'esmx.provides lists "react" twice',
      'esmx.uses lists "a" twice',
    ]);
    expect(messages({ uses: 'shared' })).toEqual(['esmx.uses must be an array of module names']);
    expect(messages({ uses: ['./cart', 'cart/widget', 3] })).toEqual([
      "esmx.uses[0] must be a module's package name",
      "esmx.uses[1] must be a module's package name",
      "esmx.uses[2] must be a module's package name",
    ]);
    expect(messages({ provides: ['./x', 'https://x.dev/a.js', 'React'] })).toEqual([
      'esmx.provides[0] must be a bare package specifier',
      'esmx.provides[1] must be a bare package specifier',
      'esmx.provides[2] must be a bare package specifier',
    ]);
    expect(messages('yes')).toEqual(['esmx must be an object']);
    expect(messages([])).toEqual(['esmx must be an object']);
    expect(messages({ entry: './a.ts' })).toEqual(['esmx.entry must be an object { client?, server? }']);
    expect(messages({ exports: ['./a'] })).toEqual(['esmx.exports must be an object mapping export names to paths']);
    expect(messages({ exports: { './a': {} } })).toEqual(['esmx.exports["./a"] must name at least one of client, server']);
    expect(messages({ exports: { './a': 3, './b': false } })).toEqual([
      'esmx.exports["./a"] must be a path starting with "./" or an object { client?, server? }',
      'esmx.exports["./b"] must be a path starting with "./" or an object { client?, server? }',
    ]);
    expect(messages({ exports: { './a': { client: 3 } } })).toEqual(['esmx.exports["./a"].client must be a path starting with "./" or false']);
  });

  it('rejects export keys with empty, dot or trailing segments', () => {
    expect(messages({ exports: { './': './a.ts', './a/': './a.ts', './../x': './a.ts', './a//b': './a.ts', '..': './a.ts' } })).toEqual([
      'esmx.exports key "./" must be "." or start with "./"',
      'esmx.exports key "./a/" must be "." or start with "./"',
      'esmx.exports key "./../x" must be "." or start with "./"',
      'esmx.exports key "./a//b" must be "." or start with "./"',
      'esmx.exports key ".." must be "." or start with "./"',
    ]);
  });

  it('rejects paths leaving the module, reserved entry names and "." with "./index"', () => {
    expect(messages({ entry: { client: './../other/a.ts' }, exports: { './entry.client': './a.ts', '.': './i.ts', './index': './i.ts' } })).toEqual([
      'esmx.exports key "./entry.client" is reserved for the framework entry',
      'esmx.exports has both "." and "./index", which are the same export',
      'esmx.entry.client points outside the module',
    ]);
    expect(messages({ exports: { './a': './src/../../x.ts', './b': './src/../b.ts', './c': { client: './..', server: './c.ts' } } })).toEqual([
      'esmx.exports["./a"] points outside the module',
      'esmx.exports["./c"].client points outside the module',
    ]);
  });
});
