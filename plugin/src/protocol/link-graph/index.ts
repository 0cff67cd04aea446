export { renderLinkGraphPage, writeLinkGraphPage } from './write-link-graph-page';
export { buildLinkGraph } from './build-link-graph';
export type { LinkGraph, LinkGraphEdge, LinkGraphNode, SupplyRow } from './build-link-graph';
