import { TAG } from '../constants';
import type { Diagnostic, DiagnosticCode, Severity } from './types';

/** The fields a caller chooses; severity follows from the code unless given. */
export interface DiagnosticInput {
  code: DiagnosticCode;
  module: string;
  /** Without the scope tag and without the module name: both are prepended here. */
  text: string;
  fix: string;
  package?: string;
  found?: string;
  required?: string;
  severity?: Severity;
  /** The scope tag of the layer that found the problem (the link step reports with `TAG.link`). Default `TAG.protocol`. */
  tag?: (typeof TAG)[keyof typeof TAG];
}

/** Builds a diagnostic whose message reads `[esmx:protocol] <module>: <text>` (or with `input.tag`). */
export function createDiagnostic(input: DiagnosticInput): Diagnostic {
  const diagnostic: Diagnostic = {
    code: input.code,
    severity: input.severity ?? (input.code.startsWith('W_') ? 'warning' : 'error'),
    module: input.module,
    message: `${input.tag ?? TAG.protocol} ${input.module}: ${input.text}`,
    fix: input.fix,
  };
  if (input.package !== undefined) diagnostic.package = input.package;
  if (input.found !== undefined) diagnostic.found = input.found;
  if (input.required !== undefined) diagnostic.required = input.required;
  return diagnostic;
}

/** True when at least one diagnostic is an error (warnings never fail a build or a validation). */
export function hasErrors(diagnostics: Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}

/** JSON text of a value for "found" fields; `undefined` has no JSON text of its own. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}
