/**
 * Finds where a JSON text stops being valid. Only run after `JSON.parse` failed: V8's messages carry a
 * position for some errors and not others ("Unexpected token 'x', ... is not valid JSON"), and the
 * wording changes between Node versions, so the position is computed here instead of scraped.
 */

export interface JsonErrorLocation {
  /** UTF-16 offset of the first offending character (the text length for a premature end). */
  offset: number;
  line: number;
  column: number;
  /** What the grammar allowed at that point. */
  expected: string;
}

class JsonStop {
  constructor(
    readonly offset: number,
    readonly expected: string,
  ) {}
}

export function locateJsonError(text: string): JsonErrorLocation | undefined {
  // A leading byte-order mark is accepted, as npm accepts it in package.json files.
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const fail = (expected: string): never => {
    throw new JsonStop(i, expected);
  };
  const skipWhitespace = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i])) i++;
  };
  const literal = (word: string) => {
    for (const ch of word) {
      if (text[i] !== ch) fail(`the literal "${word}"`);
      i++;
    }
  };
  const string = () => {
    if (text[i] !== '"') fail('a double-quoted string');
    i++;
    for (;;) {
      if (i >= text.length) fail('a closing double quote');
      const code = text.charCodeAt(i);
      if (code === 0x22) break;
      if (code < 0x20) fail('an escaped control character (raw control characters are not allowed in strings)');
      if (code === 0x5c) {
        i++;
        if (text[i] === 'u') {
          i++;
          for (let k = 0; k < 4; k++, i++) if (!/[0-9a-fA-F]/.test(text[i] ?? '')) fail('four hex digits after \\u');
          continue;
        }
        if (!'"\\/bfnrt'.includes(text[i] ?? 'x')) fail('a valid escape (\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)');
      }
      i++;
    }
    i++;
  };
  const digits = (expected: string) => {
    if (!/[0-9]/.test(text[i] ?? '')) fail(expected);
    while (/[0-9]/.test(text[i] ?? '')) i++;
  };
  const number = () => {
    if (text[i] === '-') i++;
    else if (!/[0-9]/.test(text[i] ?? '')) fail('a value (object, array, string, number, true, false or null)');
    if (text[i] === '0') i++;
    else digits('a digit after "-"');
    if (text[i] === '.') {
      i++;
      digits('a digit after the decimal point');
    }
    if (text[i] === 'e' || text[i] === 'E') {
      i++;
      if (text[i] === '+' || text[i] === '-') i++;
      digits('a digit in the exponent');
    }
  };
  const value = (): void => {
    skipWhitespace();
    const ch = text[i];
    if (ch === '{') {
      i++;
      skipWhitespace();
      if (text[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        skipWhitespace();
        if (text[i] !== '"') fail('a double-quoted property name');
        string();
        skipWhitespace();
        if (text[i] !== ':') fail('":" after the property name');
        i++;
        value();
        skipWhitespace();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') {
          i++;
          return;
        }
        fail('"," or "}" after a property value');
      }
    }
    if (ch === '[') {
      i++;
      skipWhitespace();
      if (text[i] === ']') {
        i++;
        return;
      }
      for (;;) {
        value();
        skipWhitespace();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') {
          i++;
          return;
        }
        fail('"," or "]" after an array element');
      }
    }
    if (ch === '"') return string();
    if (ch === 't') return literal('true');
    if (ch === 'f') return literal('false');
    if (ch === 'n') return literal('null');
    number();
  };
  try {
    value();
    skipWhitespace();
    if (i < text.length) fail('the end of the input after the top-level value');
    return undefined;
  } catch (error) {
    if (!(error instanceof JsonStop)) throw error;
    return { offset: error.offset, ...lineAndColumnOf(text, error.offset), expected: error.expected };
  }
}

export function lineAndColumnOf(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const lineStart = before.lastIndexOf('\n') + 1;
  return { line: before.split('\n').length, column: offset - lineStart + 1 };
}
