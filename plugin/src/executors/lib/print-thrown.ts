/**
 * Prints what a step threw: our own errors carry a scope tag and a fix, so they are printed as their message alone;
 * anything else is a bug, printed with its stack.
 */
export function printThrown(error: unknown): void {
  const message = String((error as Error)?.message ?? error);
  process.stderr.write(`${message.startsWith('[esmx:') ? message : ((error as Error)?.stack ?? message)}\n`);
}
