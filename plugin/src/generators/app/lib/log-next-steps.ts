import { logger } from '@nx/devkit';
import { TAG } from '../../../constants';
import type { NormalizedAppOptions } from './normalize-options';

/** Tells the user what was inferred and how to run the module. */
export function logNextSteps(options: NormalizedAppOptions, addedGlob: string | undefined): void {
  if (options.usesInferred) {
    logger.info(`${TAG.generator} ${options.name} uses ${options.uses[0]}, the workspace's ${options.framework.runtimePackage} provider.`);
  }
  if (addedGlob) logger.info(`${TAG.generator} added "${addedGlob}" to the workspaces of the root package.json.`);
  if (options.skipInstall) {
    logger.info(`${TAG.generator} run npm install before building: it links ${options.name} into node_modules.`);
  }
  if (options.role === 'host' || (options.role === 'remote' && !options.host)) {
    logger.info(`${TAG.generator} next: nx serve ${options.name} (development) or nx run ${options.name}:start after nx run-many -t build.`);
  }
}
