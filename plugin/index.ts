// Public API of @esmx/nx: what a workspace script or another Nx plugin calls. Exports are listed by name, and
// index.spec.ts lists them too, so that an accidental export fails a test. Server-side types (RenderContext, …) are
// in `@esmx/nx/runtime`; the graph plugin is `@esmx/nx/plugin`.
import type * as AppGenerator from './src/generators/app/generator';
import type * as InitGenerator from './src/generators/init/generator';
import type * as LinkGenerator from './src/generators/link/generator';

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
export type { FrameworkAdapter, FrameworkBuildContext } from './src/frameworks/index';
export type { LinkModuleOptions, LinkModuleResult } from './src/link/index';

// The generators load @nx/devkit (about 300 ms); a script that only builds or links must not pay for it, so each
// generator module is required on first call.

/** Scaffolds a host, remote or provider module (`nx g @esmx/nx:app`). */
export const appGenerator: typeof AppGenerator.appGenerator = (...args) =>
  (require('./src/generators/app/generator') as typeof AppGenerator).appGenerator(...args);

/** Registers the plugin in a workspace (`nx g @esmx/nx:init`). */
export const initGenerator: typeof InitGenerator.initGenerator = (...args) =>
  (require('./src/generators/init/generator') as typeof InitGenerator).initGenerator(...args);

/** Adds a module to another's `esmx.uses` and wires the import (`nx g @esmx/nx:link`). */
export const linkGenerator: typeof LinkGenerator.linkGenerator = (...args) =>
  (require('./src/generators/link/generator') as typeof LinkGenerator).linkGenerator(...args);
