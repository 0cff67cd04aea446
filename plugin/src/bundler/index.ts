export { buildModule, planEntries } from './build-module';
export { createExternalsPlan, matchExternal, listIdentifiers } from './externals';
export { createManifest, computeIntegrity, collectStaticClosure } from './create-manifest';
export { createRspackConfig, getFileNames, SSR_FLAG } from './create-rspack-config';
export { renderWrapper, readExportNames } from './provided-wrappers';
export { renderBootstrap, RUNTIME_SPECIFIER } from './write-bootstrap';
export { formatSizeTable } from './format-output';
export type { BuildModuleOptions, BuildModuleResult, RebuildResult, SizeRow } from './types';
