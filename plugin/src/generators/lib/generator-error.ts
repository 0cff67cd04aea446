import { TAG } from '../../constants';

/**
 * A user error of a generator: Nx prints the message without a stack trace. The message names the
 * problem (what was expected, what was found) and ends with the fix.
 */
export function createGeneratorError(problem: string, fix: string): Error {
  const error = new Error(`${TAG.generator} ${problem}\n  fix: ${fix}`);
  // Nx adds "Pass --verbose to see the stacktrace" to any error with a stack; a user error has none worth seeing.
  error.stack = '';
  return error;
}
