// Public surface of the protocol layer (pure: no Nx imports). Listed by name.
export { readModule, type ReadModuleResult } from './read-module';
export { validateDeclaration } from './validate-declaration';
export { resolveModule } from './resolve-module';
export { checkTargets, checkUsedTargets } from './check-targets';
export { findUnlinkedImports } from './find-unlinked-imports';
export { checkSourceImports } from './check-source-imports';
export { scanImports, type ScannedImport } from './scan-imports';
export { hasErrors } from './diagnostics';
export { formatDiagnostic, formatReport, type FormatOptions } from './format-report';
export { packageNameOf } from './installed-version';
export type {
  Diagnostic,
  DiagnosticCode,
  EsmxDeclaration,
  EsmxTargets,
  ModuleInfo,
  Mount,
  NormalizedExport,
  Resolution,
  ResolveOptions,
  Severity,
  SupplyGroup,
  SupplyTable,
  Wiring,
} from './types';
