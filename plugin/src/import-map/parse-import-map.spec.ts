import { locateJsonError } from '../protocol/json-position';
import { parseImportMap } from './parse-import-map';
import type { ParsedImportMap } from './parse-import-map';
import { resolveSpecifier } from './resolve-specifier';

const BASE = 'https://example.com/app/index.html';

function thrownBy(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}

describe('parseImportMap', () => {
  it('names the line, column and offset of invalid JSON, and the source', () => {
    const text = '{\n  "imports": {\n    "a": "/a.mjs",\n  }\n}';
    const error = thrownBy(() => parseImportMap(text, BASE, { source: 'dist/importmap.json' }));
    expect(error).toBeInstanceOf(SyntaxError);
    expect(error.message).toBe(
      '[esmx:import-map] dist/importmap.json is not valid JSON at line 4, column 3 (offset 38): ' +
        'expected a double-quoted property name, found "}\\n}". ' +
        'Fix: write strict JSON (double-quoted keys and strings, no trailing commas, no comments).',
    );
  });

  it('reports a premature end of the input', () => {
    const error = thrownBy(() => parseImportMap('{"imports": {"a": "/a.mjs"}', BASE));
    expect(error).toBeInstanceOf(SyntaxError);
    expect(error.message).toBe(
      '[esmx:import-map] the import map is not valid JSON at line 1, column 28 (offset 27): ' +
        'expected "," or "}" after a property value, found the end of the input. ' +
        'Fix: write strict JSON (double-quoted keys and strings, no trailing commas, no comments).',
    );
  });

  it('throws TypeErrors that say what was found for a wrong top-level shape', () => {
    const top = thrownBy(() => parseImportMap('[]', BASE));
    expect(top).toBeInstanceOf(TypeError);
    expect(top.message).toBe(
      '[esmx:import-map] expected the top-level value of the import map to be a JSON object, found an array. ' +
        'Fix: write the map as { "imports": { … }, "scopes": { … } }.',
    );
    expect(thrownBy(() => parseImportMap({ imports: 'x' }, BASE)).message).toBe(
      '[esmx:import-map] expected "imports" of the import map to be a JSON object, found the string "x". Fix: make "imports" an object or remove it.',
    );
    expect(thrownBy(() => parseImportMap({ integrity: 3 }, BASE)).message).toBe(
      '[esmx:import-map] expected "integrity" of the import map to be a JSON object, found the number 3. Fix: make "integrity" an object or remove it.',
    );
    const scope = thrownBy(() => parseImportMap({ scopes: { '/a/': ['x'] } }, BASE));
    expect(scope).toBeInstanceOf(TypeError);
    expect(scope.message).toBe(
      '[esmx:import-map] expected the scope "/a/" of the import map to map to a JSON object, found an array. ' +
        'Fix: write the scope as { "specifier": "address" }.',
    );
  });

  it('rejects a base URL that is not absolute', () => {
    const error = thrownBy(() => parseImportMap({}, '/relative/'));
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toBe(
      '[esmx:import-map] expected baseURL to be an absolute URL, found "/relative/". Fix: pass an absolute URL such as "https://example.com/" or a file:// URL.',
    );
  });

  it('orders keys by descending code units and freezes the result', () => {
    const parsed = parseImportMap(
      { imports: { a: '/a', 'a/': '/a/', b: '/b', 'a/b': '/ab' }, scopes: { '/x/': {}, '/x/y/': {}, '/w/': {} } },
      BASE,
    );
    expect(Object.keys(parsed.imports)).toEqual(['b', 'a/b', 'a/', 'a']);
    expect(Object.keys(parsed.scopes)).toEqual(['https://example.com/x/y/', 'https://example.com/x/', 'https://example.com/w/']);
    expect([parsed, parsed.imports, parsed.scopes, parsed.integrity, parsed.scopes['https://example.com/w/']].every(Object.isFrozen)).toBe(true);
  });

  it('sends warnings to onWarning only (never to the console) and keeps ignored addresses as null', () => {
    const warnings: string[] = [];
    const consoleWarn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    const consoleError = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      const input = { imports: { '': '/x', bad: 'bare', 'pkg/': '/no-slash', n: 1 }, scoops: {} };
      const parsed = parseImportMap(input, BASE, { onWarning: (m) => warnings.push(m) });
      expect(parsed.imports).toEqual({ bad: null, 'pkg/': null, n: null });
      parseImportMap(input, BASE);
      expect(warnings).toEqual([
        '[esmx:import-map] ignored an entry with an empty specifier key.',
        '[esmx:import-map] the address "bare" of "bad" is neither an absolute URL nor starts with "/", "./" or "../"; the entry now blocks resolution.',
        '[esmx:import-map] the address "/no-slash" of the package key "pkg/" must end with "/" like its key; the entry now blocks resolution.',
        '[esmx:import-map] the address of "n" must be a string, found the number 1; the entry now blocks resolution.',
        '[esmx:import-map] ignored the top-level key "scoops" of the import map: only "imports", "scopes" and "integrity" are defined.',
      ]);
      expect([consoleWarn.mock.calls.length, consoleError.mock.calls.length]).toEqual([0, 0]);
    } finally {
      consoleWarn.mockRestore();
      consoleError.mockRestore();
    }
  });

  it('normalizes integrity keys as URL-like specifiers and drops bare keys and non-string values', () => {
    const warnings: string[] = [];
    const parsed = parseImportMap(
      { integrity: { '/x.mjs': 'sha384-x', './y.mjs': 'sha384-y', 'https://cdn.example.com//z.mjs': 'sha384-z', bare: 'sha384-b', '/n.mjs': 5 } },
      BASE,
      { onWarning: (m) => warnings.push(m) },
    );
    expect(parsed.integrity).toEqual({
      'https://example.com/x.mjs': 'sha384-x',
      'https://example.com/app/y.mjs': 'sha384-y',
      'https://cdn.example.com//z.mjs': 'sha384-z',
    });
    expect(warnings).toEqual([
      '[esmx:import-map] ignored the integrity key "bare": it must be an absolute URL or start with "/", "./" or "../".',
      '[esmx:import-map] ignored the integrity of "/n.mjs": it must be a string, found the number 5.',
    ]);
  });

  it('accepts a URL object as the base and parses JSON text and objects alike', () => {
    const input = { imports: { react: './vendor/react.mjs' } };
    expect(parseImportMap(JSON.stringify(input), new URL(BASE))).toEqual(parseImportMap(input, BASE));
  });
});

describe('resolveSpecifier', () => {
  const map = parseImportMap(
    {
      imports: { react: '/vendor/react.mjs', 'lib/': '/lib/', 'blocked/': null, 'data/': 'data:text/javascript,x/' },
      scopes: { '/legacy/': { react: '/legacy/react.mjs' } },
    },
    BASE,
  );

  it('resolves through the most specific scope, then imports, then as a URL', () => {
    expect(resolveSpecifier('react', map, 'https://example.com/legacy/a/b.mjs')).toBe('https://example.com/legacy/react.mjs');
    expect(resolveSpecifier('react', map, new URL('https://example.com/shell/a.mjs'))).toBe('https://example.com/vendor/react.mjs');
    expect(resolveSpecifier('lib/x/y.mjs', map, 'https://example.com/a.mjs')).toBe('https://example.com/lib/x/y.mjs');
    expect(resolveSpecifier('./z.mjs', map, 'https://example.com/a/b.mjs')).toBe('https://example.com/a/z.mjs');
  });

  it('explains an unmapped bare specifier', () => {
    const error = thrownBy(() => resolveSpecifier('@acme/ui/button', map, 'https://example.com/a.mjs'));
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toBe(
      '[esmx:import-map] cannot resolve the bare specifier "@acme/ui/button" imported from https://example.com/a.mjs: ' +
        'no entry of the import map (in "imports" or in a scope containing that script) maps it. ' +
        'Fix: add "@acme/ui/button" (or a "@acme/ui/" prefix entry) to the import map, or check that the module providing it is linked and built.',
    );
  });

  it('explains a null entry, backtracking and an unparseable remainder', () => {
    const blocked = thrownBy(() => resolveSpecifier('blocked/x', map, 'https://example.com/a.mjs'));
    expect(blocked).toBeInstanceOf(TypeError);
    expect(blocked.message).toBe(
      '[esmx:import-map] resolution of "blocked/x" imported from https://example.com/a.mjs is blocked: ' +
        'the entry "blocked/" of "imports" is null (an invalid address or an explicit null). ' +
        'Fix: give "blocked/" a valid address (a "/"-, "./"-, "../"-prefixed or absolute URL; ending in "/" when the key does).',
    );
    const backtrack = thrownBy(() => resolveSpecifier('lib/../secret.mjs', map, 'https://example.com/a.mjs'));
    expect(backtrack).toBeInstanceOf(TypeError);
    expect(backtrack.message).toBe(
      '[esmx:import-map] resolution of "lib/../secret.mjs" imported from https://example.com/a.mjs is blocked: ' +
        'it backtracks above the address "https://example.com/lib/" of the prefix "lib/" in "imports" (to https://example.com/secret.mjs). ' +
        'Fix: import a path inside the package, or add an explicit entry for the target.',
    );
    const opaque = thrownBy(() => resolveSpecifier('data/y', map, 'https://example.com/a.mjs'));
    expect(opaque).toBeInstanceOf(TypeError);
    expect(opaque.message).toBe(
      '[esmx:import-map] resolution of "data/y" imported from https://example.com/a.mjs failed: ' +
        '"y" does not parse as a URL relative to "data:text/javascript,x/" (the address of "data/" in "imports"). ' +
        'Fix: map the prefix to a hierarchical URL ending in "/" (http(s):, file:, or a "/"-prefixed path).',
    );
  });

  it('rejects a script URL that is not absolute', () => {
    const error = thrownBy(() => resolveSpecifier('react', map, 'a.mjs'));
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toMatch(/^\[esmx:import-map\] expected scriptURL to be an absolute URL, found "a\.mjs"/);
  });

  it('works on an unfrozen hand-made map and sees later changes to it', () => {
    const handMade: ParsedImportMap = { imports: { 'a/': 'https://x.example/a/' }, scopes: {}, integrity: {} };
    expect(resolveSpecifier('a/b/c', handMade, BASE)).toBe('https://x.example/a/b/c');
    (handMade.imports as Record<string, string>)['a/b/'] = 'https://y.example/';
    expect(resolveSpecifier('a/b/c', handMade, BASE)).toBe('https://y.example/c');
  });
});

describe('locateJsonError', () => {
  it.each([
    ['{"a": 1}', undefined],
    ['', { offset: 0, length: 0, line: 1, column: 1, expected: 'a value (object, array, string, number, true, false or null)' }],
    ['{imports: {}}', { offset: 1, length: 7, line: 1, column: 2, expected: 'a double-quoted property name' }],
    ['{"a": tru}', { offset: 6, length: 3, line: 1, column: 7, expected: 'a value (object, array, string, number, true, false or null)' }],
    ['[1,2', { offset: 4, length: 0, line: 1, column: 5, expected: '"," or "]" after an array element' }],
    ['{"a" 1}', { offset: 5, length: 1, line: 1, column: 6, expected: '":" after the property name' }],
    ['{"a": "x\\q"}', { offset: 6, length: 5, line: 1, column: 7, expected: 'a valid escape (\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)' }],
    ['{"a": 1}\n x', { offset: 10, length: 1, line: 2, column: 2, expected: 'the end of the input after the top-level value' }],
    ['{"a": 01}', { offset: 7, length: 1, line: 1, column: 8, expected: '"," or the closing "}" or "]" after the previous value' }],
    ['{"a": "\\u12G4"}', { offset: 6, length: 8, line: 1, column: 7, expected: 'four hex digits after \\u' }],
  ])('%j', (text, expected) => {
    expect(locateJsonError(text)).toEqual(expected);
    // The locator must agree with JSON.parse on whether the text is valid at all.
    let valid = true;
    try {
      JSON.parse(text);
    } catch {
      // Only validity is compared here; the error itself is not the subject.
      valid = false;
    }
    expect(valid).toBe(expected === undefined);
  });
});

/** jsonc-parser reports the offending token (`tru`, a whole string with a bad escape); V8 a character inside it. */
function coversOffset(location: { offset: number; length: number } | undefined, offset: number): boolean {
  return location !== undefined && location.offset <= offset && offset <= location.offset + location.length;
}

describe('locateJsonError against V8', () => {
  it('agrees with JSON.parse on validity, and its token covers the offset whenever V8 reports one (2,000 seeded mutations)', () => {
    const sample = JSON.stringify(
      {
        imports: { react: '/vendor/react.mjs', 'a/': '/a/' },
        scopes: { '/x/': { b: 'https://cdn.example.com/é\n' } },
        integrity: { '/a': 'sha384-x' },
        n: [1, -2.5e3, 0.5, true, false, null],
      },
      null,
      2,
    );
    let seed = 42;
    const random = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    const alphabet = '{}[]",:\\ntfu0-.eE+ x\n';
    const disagreements: string[] = [];
    let withPosition = 0;
    for (let k = 0; k < 2000; k++) {
      const at = Math.floor(random() * sample.length);
      const ch = alphabet[Math.floor(random() * alphabet.length)];
      const op = random();
      const text =
        op < 1 / 3 ? sample.slice(0, at) + sample.slice(at + 1) : op < 2 / 3 ? sample.slice(0, at) + ch + sample.slice(at) : sample.slice(0, at) + ch + sample.slice(at + 1);
      let message: string | undefined;
      try {
        JSON.parse(text);
      } catch (error) {
        message = (error as Error).message;
      }
      const location = locateJsonError(text);
      const position = message && /at position (\d+)/.exec(message);
      if (position) withPosition++;
      if ((message === undefined) !== (location === undefined) || (position && !coversOffset(location, Number(position[1])))) {
        disagreements.push(`${JSON.stringify(text)}: V8 ${message}, locator ${JSON.stringify(location)}`);
      }
    }
    expect(disagreements).toEqual([]);
    // Guards against a mutation loop that never produces positioned errors (the comparison would be vacuous).
    expect(withPosition).toBeGreaterThan(500);
  });
});
