/**
 * Where a JSON text stops being valid, for messages after `JSON.parse` failed. V8's own messages carry a
 * position for some errors and not others and change wording between Node versions, so jsonc-parser's strict
 * mode finds the position instead.
 */
import { parse, printParseErrorCode, type ParseError } from 'jsonc-parser';

export interface JsonErrorLocation {
  /** UTF-16 offset in the text as given (a leading byte-order mark counts) where the offending token starts. */
  offset: number;
  /** Length of the offending token (0 at the end of the input): an invalid escape or literal is reported whole. */
  length: number;
  line: number;
  column: number;
  /** What the grammar allowed at that point. */
  expected: string;
}

const A_VALUE = 'a value (object, array, string, number, true, false or null)';

const EXPECTED: Record<ReturnType<typeof printParseErrorCode>, string> = {
  // Used only when no contextual error follows: the rest parsed once the token was skipped (see below).
  InvalidSymbol: 'a JSON token here (strings and property names need double quotes; the only literals are true, false and null)',
  ValueExpected: A_VALUE,
  InvalidNumberFormat: 'a number such as 1, -0.5 or 1e3',
  UnexpectedEndOfNumber: 'a digit',
  PropertyNameExpected: 'a double-quoted property name',
  ColonExpected: '":" after the property name',
  CommaExpected: '"," or the closing "}" or "]" after the previous value',
  CloseBraceExpected: '"," or "}" after a property value',
  CloseBracketExpected: '"," or "]" after an array element',
  EndOfFileExpected: 'the end of the input after the top-level value',
  InvalidCommentToken: 'no comment (JSON has none)',
  UnexpectedEndOfComment: 'no comment (JSON has none)',
  UnexpectedEndOfString: 'a closing double quote',
  InvalidUnicode: 'four hex digits after \\u',
  InvalidEscapeCharacter: 'a valid escape (\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)',
  InvalidCharacter: 'an escaped control character (raw control characters are not allowed in strings)',
  '<unknown ParseErrorCode>': 'valid JSON',
};

/** The first syntax error of `text`, or undefined when it is valid JSON (a leading byte-order mark is accepted, as npm does). */
export function locateJsonError(text: string): JsonErrorLocation | undefined {
  const skipped = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const errors: ParseError[] = [];
  parse(skipped ? text.slice(skipped) : text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  const [first, next] = errors;
  if (first === undefined) return undefined;
  const offset = first.offset + skipped;
  let code = printParseErrorCode(first.error);
  // The scanner reports an unknown token (`tru`, `'a'`, a bare name) without context, skips it, and the parser
  // then says what it expected at the next token: that is what was expected in place of the unknown one.
  if (code === 'InvalidSymbol' && next !== undefined) code = printParseErrorCode(next.error);
  else if (code === 'InvalidSymbol' && text.slice(offset + first.length).trim() === '') code = 'EndOfFileExpected';
  return { offset, length: first.length, ...lineAndColumnOf(text, offset), expected: EXPECTED[code] };
}

export function lineAndColumnOf(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const lineStart = before.lastIndexOf('\n') + 1;
  return { line: before.split('\n').length, column: offset - lineStart + 1 };
}
