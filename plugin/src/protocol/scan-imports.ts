/**
 * The module specifiers a JS/TS source file imports at run time, with their line numbers. es-module-lexer (which the
 * bundler uses on its output) cannot parse TypeScript or JSX, and a TypeScript parser is not a runtime dependency of
 * the protocol layer, so this is a small scanner: it blanks out comments (keeping strings, whose text the patterns
 * read, and line breaks, for line numbers), then matches `import … from '<x>'`, `import '<x>'`, `export … from '<x>'`
 * and `import('<x>')`. Type-only imports and exports are skipped: the compiler erases them. Known limits: a regular
 * expression literal holding a quote or `//` can hide what follows it on that line, and an import written inside a
 * string is reported; both are rare in module sources, and the bundler's own check stays the final word.
 */
/** Bump whenever what `scanImports` reports for a source changes: scans stored by earlier builds are then dropped. */
export const SCANNER_VERSION = 1;

export interface ScannedImport {
  specifier: string;
  /** 1-based line of the specifier. */
  line: number;
  /**
   * The export names the statement binds from the module: `default` for a default import, `a` for `{ a as b }`.
   * Empty for a side-effect import, a namespace (`* as ns`), `export *` and a dynamic `import()`: none of them names
   * an export, so none can miss one.
   */
  names: string[];
}

const PATTERNS: RegExp[] = [
  // import x from 'a'; import { a, type B } from 'a'; import * as a from 'a'; import type { A } from 'a' (skipped)
  /(?<![.\w$])import\s+(type\s+)?([\w$*{}\s,]*?)\s*from\s*(['"])([^'"\n]+)\3/g,
  // import 'a' (side effects only)
  /(?<![.\w$])import\s*()()(['"])([^'"\n]+)\3/g,
  // export * from 'a'; export * as a from 'a'; export { a } from 'a'; export type { A } from 'a' (skipped)
  /(?<![.\w$])export\s+(type\s+)?(\*(?:\s+as\s+[\w$]+)?|\{[^}]*\})\s*from\s*(['"])([^'"\n]+)\3/g,
  // import('a'): a literal dynamic import
  /(?<![.\w$])import\s*\(\s*()()(['"])([^'"\n]+)\3\s*[,)]/g,
];

export function scanImports(source: string): ScannedImport[] {
  const code = blankComments(source);
  const found: Array<ScannedImport & { index: number }> = [];
  for (const pattern of PATTERNS) {
    for (const match of code.matchAll(pattern)) {
      if (match[1]) continue;
      const index = (match.index ?? 0) + match[0].lastIndexOf(match[4]);
      found.push({ specifier: match[4], line: countLines(code, index), names: readBoundNames(match[2]), index });
    }
  }
  return found.sort((a, b) => a.index - b.index).map(({ specifier, line, names }) => ({ specifier, line, names }));
}

/**
 * The export names an import or re-export clause binds: `D, { a as b, type T, "x-y" as z }` → default, a, x-y.
 * Type-only specifiers are erased by the compiler, and `* as ns` binds the namespace, not a name.
 */
export function readBoundNames(clause: string): string[] {
  const names: string[] = [];
  const open = clause.indexOf('{');
  const head = (open === -1 ? clause : clause.slice(0, open)).replace(/\*\s*as\s+[\w$]+/, '').replace(/,/g, ' ').trim();
  if (/^[\w$]+$/.test(head)) names.push('default');
  if (open !== -1) {
    const body = clause.slice(open + 1, clause.lastIndexOf('}'));
    for (const part of body.split(',')) {
      const spec = part.trim();
      if (!spec || /^type\s/.test(spec)) continue;
      const name = spec.split(/\s+as\s+/)[0].trim().replace(/^(['"])(.*)\1$/, '$2');
      if (name) names.push(name);
    }
  }
  return names;
}

/** `source` with every comment replaced by spaces (line breaks kept); string and template literals are kept as is. */
export function blankComments(source: string): string {
  let out = '';
  let i = 0;
  while (i < source.length) {
    const char = source[i];
    const next = source[i + 1];
    if (char === '/' && next === '/') {
      const end = source.indexOf('\n', i);
      const stop = end === -1 ? source.length : end;
      out += ' '.repeat(stop - i);
      i = stop;
    } else if (char === '/' && next === '*') {
      const end = source.indexOf('*/', i + 2);
      const stop = end === -1 ? source.length : end + 2;
      out += source.slice(i, stop).replace(/[^\n]/g, ' ');
      i = stop;
    } else if (char === '"' || char === "'" || char === '`') {
      const stop = findStringEnd(source, i);
      out += source.slice(i, stop);
      i = stop;
    } else {
      out += char;
      i += 1;
    }
  }
  return out;
}

/** Index just past the literal that opens at `start`; an unterminated one runs to the end of its line (or of the text for a template). */
function findStringEnd(source: string, start: number): number {
  const quote = source[start];
  for (let i = start + 1; i < source.length; i++) {
    const char = source[i];
    if (char === '\\') i += 1;
    else if (char === quote) return i + 1;
    else if (char === '\n' && quote !== '`') return i;
  }
  return source.length;
}

function countLines(text: string, index: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < index; i = text.indexOf('\n', i + 1)) line += 1;
  return line;
}
