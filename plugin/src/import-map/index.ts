// Public API of `@esmx/nx/import-map` (pure: no Nx import). Exports are listed by name; index.spec.ts pins them.
export { parseImportMap } from './parse-import-map';
export type { ParsedImportMap, ParseImportMapOptions, SpecifierMap } from './parse-import-map';
export { resolveSpecifier } from './resolve-specifier';
export { composeImportMap, getFileUrl, getModuleBaseUrl } from './compose-import-map';
export type { ComposeOptions } from './compose-import-map';
export type { BuildManifest, BuildTarget, ImportMap } from '../protocol/types';
