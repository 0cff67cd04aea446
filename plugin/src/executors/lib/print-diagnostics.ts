import { formatDiagnostic } from '../../protocol/index';
import type { Diagnostic } from '../../protocol/types';

/** Prints each diagnostic with its fix: errors through `console.error`, warnings through `console.warn`. */
export function printDiagnostics(diagnostics: Diagnostic[]): void {
  for (const diagnostic of diagnostics) {
    const text = formatDiagnostic(diagnostic);
    if (diagnostic.severity === 'error') console.error(text);
    else console.warn(text);
  }
}
