// Public API of @esmx/nx: what a workspace script or another Nx plugin calls. Exports are listed by name, and
// index.spec.ts lists them too, so that an accidental export fails a test. Server-side types (RenderContext, …) are
// in `@esmx/nx/runtime`; the graph plugin is `@esmx/nx/plugin`.
export type {
  BuildManifest,
  Diagnostic,
  DiagnosticCode,
  EsmxDeclaration,
  ImportMap,
  LinkFile,
  Mount,
  Resolution,
  SupplyTable,
} from './src/protocol/types';
export { formatDiagnostic, formatReport, hasErrors, resolveModule } from './src/protocol/index';
export { renderLinkGraphPage, writeLinkGraphPage } from './src/protocol/link-graph/index';
export { buildModule, SSR_FLAG } from './src/bundler/index';
export type { BuildModuleOptions, BuildModuleResult, RebuildResult, SizeRow } from './src/bundler/index';
export { linkModule } from './src/link/index';
export type { LinkModuleOptions, LinkModuleResult } from './src/link/index';
export { appGenerator } from './src/generators/app/generator';
export { initGenerator } from './src/generators/init/generator';
export { linkGenerator } from './src/generators/link/generator';
