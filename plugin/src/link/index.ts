export { linkModule, removeLinkOutputs } from './link-module';
export type { LinkFile, LinkModuleOptions, LinkModuleResult } from './link-module';
