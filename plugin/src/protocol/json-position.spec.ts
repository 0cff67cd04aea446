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

  it('points at the first invalid character', () => {
    expect(locateJsonError('{"a": }')).toMatchObject({ offset: 6, line: 1, column: 7 });
    expect(locateJsonError('{\n  "a": 1,\n}')).toMatchObject({ offset: 12, line: 3, column: 1 });
    expect(locateJsonError('{"a": tru}')).toMatchObject({ offset: 9, line: 1, column: 10 });
    expect(locateJsonError('')).toMatchObject({ offset: 0, line: 1, column: 1 });
    expect(locateJsonError('{"a": "b')).toMatchObject({ offset: 8, line: 1, column: 9 });
    expect(locateJsonError('{"a": 01}')).toMatchObject({ offset: 7, line: 1, column: 8 });
    expect(locateJsonError('{"a": "\\x"}')).toMatchObject({ offset: 8, line: 1, column: 9 });
  });

  it('agrees with JSON.parse on 2,000 random corruptions, and with its position whenever V8 gives one', () => {
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
        expect(located.offset).toBe(Number(position[1]));
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(300);
  });

  it('counts lines and columns from 1', () => {
    expect(lineAndColumnOf('ab\ncd', 4)).toEqual({ line: 2, column: 2 });
  });
});
