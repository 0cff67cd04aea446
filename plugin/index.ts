// Public API of @esmx/nx. Exports are listed by name.
export type {
  Diagnostic,
  DiagnosticCode,
  EsmxDeclaration,
  BuildManifest,
  ManifestExport,
  ImportMap,
  Mount,
  Resolution,
  SupplyTable,
} from './src/protocol/types';
export type { RenderContext, ServerRenderHandle } from './src/runtime/types';
export {
  checkTargets,
  formatDiagnostic,
  formatReport,
  hasErrors,
  readModule,
  resolveModule,
  validateDeclaration,
} from './src/protocol/index';
export { initGenerator } from './src/generators/init/generator';
export { appGenerator } from './src/generators/app/generator';
export { linkGenerator } from './src/generators/link/generator';
export { linkModule } from './src/link/index';
export type { LinkFile, LinkModuleOptions, LinkModuleResult } from './src/link/index';
export { renderLinkGraphPage, writeLinkGraphPage } from './src/protocol/link-graph/index';
export type { EsmxPluginOptions } from './src/graph/index';
export { buildModule, SSR_FLAG } from './src/bundler/index';
export type { BuildModuleOptions, BuildModuleResult, RebuildResult } from './src/bundler/index';
