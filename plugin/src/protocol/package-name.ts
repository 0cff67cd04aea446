import { isBuiltin } from 'node:module';
import validateNpmPackageName from 'validate-npm-package-name';

/**
 * The library's refusals in this project's words, first match wins. A refusal it adds later keeps
 * its own text (see `findPackageNameProblem`), so a library update can cost wording, never a refusal.
 */
const PROBLEMS: Array<[RegExp, (name: string) => string]> = [
  [/length must be greater than zero/, () => 'it is empty'],
  [/leading or trailing spaces/, () => 'it starts or ends with whitespace'],
  [/cannot start with (a period|an underscore)/, () => 'it starts with "." or "_"'],
  [/is not a valid package name/, (name) => `"${name}" is reserved by npm`],
  [/is a core module name/, describeBuiltin],
  [/more than \d+ characters/, () => `it is longer than ${MAX_LENGTH} characters`],
  [/capital letters/, () => 'it contains capital letters'],
  [/special characters|URL-friendly characters/, describeCharacters],
];

const MAX_LENGTH = 214;
const SCOPED_NAME = /^@[^/]+\/[^/]+$/;

/**
 * Checks `name` against npm's rules for a new package name, and refuses the names of Node.js
 * built-in modules: a module name is also an import specifier prefix and a URL namespace, and
 * `fs/x` in the server's import map would shadow Node's `fs`. Returns what is wrong in a phrase
 * that fits after "found "<name>": ", or undefined when the name is valid.
 */
export function findPackageNameProblem(name: string): string | undefined {
  if (isBuiltin(name)) return describeBuiltin(name);
  const result = validateNpmPackageName(name);
  if (result.validForNewPackages) return undefined;
  const refusal = [...(result.errors ?? []), ...(result.warnings ?? [])][0] ?? 'npm refuses it';
  const known = PROBLEMS.find(([pattern]) => pattern.test(refusal));
  return known ? known[1](name) : `npm refuses it (${refusal})`;
}

function describeBuiltin(name: string): string {
  const bare = name.replace(/^node:/, '');
  return `"${name}" is a Node.js built-in module, and on the server imports of ${bare}/… would reach Node's module instead of this one`;
}

function describeCharacters(name: string): string {
  if (name.startsWith('@') && !SCOPED_NAME.test(name)) return 'a scoped name must look like @scope/name';
  return 'it contains characters that are not allowed (use a-z 0-9 - . _)';
}
