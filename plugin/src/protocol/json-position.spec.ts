import { lineAndColumnOf, locateJsonError } from './json-position';

const VALID = JSON.stringify(
  { name: '@shop/cart', version: '1.0.0', dependencies: { react: '^19.0.0' }, esmx: { exports: { './w': './src/w.tsx' }, uses: ['shared'], n: -1.5e3, t: true, f: false, z: null, s: 'a\\"\u00e9\n' } },
  null,
  2,
);

describe('locateJsonError', () => {
  it('accepts valid JSON, including a byte-order mark', () => {
    expect(locateJsonError(VALID)).toBeUndefined();
    expect(locateJsonError('\ufeff{"a":1}')).toBeUndefined();
    expect(locateJsonError(' [1, 2.5, -0, 1e-3, "x", {}, []] ')).toBeUndefined();
  });

  it('points at the first invalid token and says what the grammar allowed there', () => {
    expect(locateJsonError('{"a": }')).toMatchObject({ offset: 6, line: 1, column: 7, expected: expect.stringMatching(/^a value/) });
    expect(locateJsonError('{\n  "a": 1,\n}')).toMatchObject({ offset: 12, line: 3, column: 1, expected: 'a double-quoted property name' });
    expect(locateJsonError('{"a": tru}')).toMatchObject({ offset: 6, length: 3, line: 1, column: 7, expected: expect.stringMatching(/^a value/) });
    expect(locateJsonError('')).toMatchObject({ offset: 0, line: 1, column: 1 });
    expect(locateJsonError('{"a": "b')).toMatchObject({ offset: 6, length: 2, line: 1, column: 7, expected: 'a closing double quote' });
    expect(locateJsonError('{"a": 01}')).toMatchObject({ offset: 7, line: 1, column: 8 });
    expect(locateJsonError('{"a": "\\x"}')).toMatchObject({ offset: 6, length: 4, line: 1, column: 7, expected: expect.stringMatching(/^a valid escape/) });
    expect(locateJsonError('{"a": 1 "b": 2}')).toMatchObject({ offset: 8, expected: '"," or the closing "}" or "]" after the previous value' });
    expect(locateJsonError('{a: 1}')).toMatchObject({ offset: 1, length: 1, expected: 'a double-quoted property name' });
    expect(locateJsonError('{"a": 1, x "b": 2}')).toMatchObject({ offset: 9, expected: expect.stringMatching(/^a JSON token here/) });
    expect(locateJsonError('{"a" 1}')).toMatchObject({ offset: 5, expected: '":" after the property name' });
    expect(locateJsonError('[1, 2')).toMatchObject({ offset: 5, expected: '"," or "]" after an array element' });
    expect(locateJsonError('{} x')).toMatchObject({ offset: 3, expected: 'the end of the input after the top-level value' });
    expect(locateJsonError('{} 1')).toMatchObject({ offset: 3, expected: 'the end of the input after the top-level value' });
    expect(locateJsonError('// c\n{}')).toMatchObject({ offset: 0, expected: 'no comment (JSON has none)' });
  });

  it('counts a leading byte-order mark in the offset', () => {
    expect(locateJsonError('\ufeff{"a": }')).toMatchObject({ offset: 7, line: 1, column: 8 });
  });

  it('agrees with JSON.parse on 2,000 random corruptions, and its token covers V8\'s position whenever V8 gives one', () => {
    let state = 42;
    const random = (n: number) => {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      return state % n;
    };
    const noise = ['', ',', '}', ']', '"', ':', 'x', '\n', '0', '-', '{', '[', '\\', 'e'];
    let compared = 0;
    for (let i = 0; i < 2000; i++) {
      const at = random(VALID.length + 1);
      const cut = random(3);
      const text = VALID.slice(0, at) + noise[random(noise.length)] + VALID.slice(at + cut);
      let v8: Error | undefined;
      try {
        JSON.parse(text);
      } catch (error) {
        v8 = error as Error;
      }
      const located = locateJsonError(text);
      expect(located === undefined).toBe(v8 === undefined);
      const position = v8?.message.match(/at position (\d+)/);
      if (position && located) {
        expect(Number(position[1])).toBeGreaterThanOrEqual(located.offset);
        expect(Number(position[1])).toBeLessThanOrEqual(located.offset + located.length);
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(300);
  });

  it('counts lines and columns from 1', () => {
    expect(lineAndColumnOf('ab\ncd', 4)).toEqual({ line: 2, column: 2 });
  });
});
