// Public API of `@esmx/nx/import-map` (pure: no Nx import). Exports are listed by name.
export { parseImportMap } from './parse-import-map';
export type { ParsedImportMap, ParseImportMapOptions, SpecifierMap } from './parse-import-map';
export { resolveSpecifier } from './resolve-specifier';
export { composeImportMap, getFileUrl, getModuleBaseUrl, normalizeBase } from './compose-import-map';
export type { ComposeOptions } from './compose-import-map';
export { locateJsonError } from '../protocol/json-position';
export type { JsonErrorLocation } from '../protocol/json-position';
