export { createNodes, createNodesV2, createEsmxNodes, PACKAGE_JSON_GLOB } from './create-nodes';
export { createDependencies, createEsmxDependencies } from './create-dependencies';
export type { EsmxPluginOptions } from './lib/normalize-options';
