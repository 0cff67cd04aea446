export { linkModule } from './link-module';
export { keepPreviousDist, type KeptDist } from '../bundler/dist-generations';
export type { LinkFile, LinkModuleOptions, LinkModuleResult } from './link-module';
