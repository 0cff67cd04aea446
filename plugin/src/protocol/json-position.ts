/**
 * Finds where JSON text stops being valid. V8's JSON.parse messages give a position only for some errors
 * (`Unexpected token '}', "…" is not valid JSON` has none), so this small scanner locates it itself.
 */
export interface JsonErrorLocation {
  offset: number;
  line: number;
  column: number;
}

export function locateJsonError(text: string): JsonErrorLocation | undefined {
  const offset = scanJson(text);
  if (offset === undefined) return undefined;
  return { offset, ...lineAndColumnOf(text, offset) };
}

export function lineAndColumnOf(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text[i] === '\n') {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

class JsonStop {
  constructor(readonly offset: number) {}
}

/** Returns the offset of the first invalid character (or of the end of input), or undefined when valid. */
function scanJson(text: string): number | undefined {
  let i = 0;
  const fail = (at: number): never => {
    throw new JsonStop(at);
  };
  const skipSpace = () => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
  };
  const expectLiteral = (word: string) => {
    for (let k = 0; k < word.length; k++) {
      if (text[i + k] !== word[k]) fail(i + k);
    }
    i += word.length;
  };
  const scanString = () => {
    i++;
    for (;;) {
      if (i >= text.length) fail(i);
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        i++;
        return;
      }
      if (c < 0x20) fail(i);
      if (c === 0x5c) {
        const next = text[i + 1];
        if (next === 'u') {
          for (let k = 2; k < 6; k++) if (!/[0-9a-fA-F]/.test(text[i + k] ?? '')) fail(i + k);
          i += 6;
        } else if (next !== undefined && '"\\/bfnrt'.includes(next)) {
          i += 2;
        } else {
          fail(i + 1);
        }
      } else {
        i++;
      }
    }
  };
  const scanDigits = () => {
    const start = i;
    while (i < text.length && text[i] >= '0' && text[i] <= '9') i++;
    if (i === start) fail(i);
  };
  const scanNumber = () => {
    if (text[i] === '-') i++;
    if (text[i] === '0') i++;
    else scanDigits();
    if (text[i] === '.') {
      i++;
      scanDigits();
    }
    if (text[i] === 'e' || text[i] === 'E') {
      i++;
      if (text[i] === '+' || text[i] === '-') i++;
      scanDigits();
    }
  };
  const scanValue = (depth: number): void => {
    if (depth > 10_000) fail(i);
    skipSpace();
    const c = text[i];
    if (c === '{') {
      i++;
      skipSpace();
      if (text[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        skipSpace();
        if (text[i] !== '"') fail(i);
        scanString();
        skipSpace();
        if (text[i] !== ':') fail(i);
        i++;
        scanValue(depth + 1);
        skipSpace();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') {
          i++;
          return;
        }
        fail(i);
      }
    }
    if (c === '[') {
      i++;
      skipSpace();
      if (text[i] === ']') {
        i++;
        return;
      }
      for (;;) {
        scanValue(depth + 1);
        skipSpace();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') {
          i++;
          return;
        }
        fail(i);
      }
    }
    if (c === '"') return scanString();
    if (c === 't') return expectLiteral('true');
    if (c === 'f') return expectLiteral('false');
    if (c === 'n') return expectLiteral('null');
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return scanNumber();
    fail(i);
  };
  try {
    // A byte-order mark is accepted by Node's own package.json reader, so accept it here too.
    if (text.charCodeAt(0) === 0xfeff) i = 1;
    scanValue(0);
    skipSpace();
    if (i < text.length) fail(i);
    return undefined;
  } catch (error) {
    if (error instanceof JsonStop) return error.offset;
    throw error;
  }
}
