// Nx graph entry (`@esmx/nx/plugin` in nx.json): inferred targets and link edges.
export { createNodes, createNodesV2, createDependencies } from './src/graph/index';
export type { EsmxPluginOptions } from './src/graph/index';
