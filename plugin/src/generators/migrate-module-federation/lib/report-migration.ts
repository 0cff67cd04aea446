import { logger } from '@nx/devkit';
import { TAG } from '../../../constants';
import type { MigrationPlan } from './types';

/** Prints what changed, then every construct left as it was with what to do by hand. */
export function reportMigration(plan: MigrationPlan, backup: boolean, addedGlobs: string[]): void {
  logger.info(`${TAG.generator} migrated from Module Federation: ${plan.modules.map((m) => `${m.name} (${m.role})`).join(', ')}; shared packages → ${plan.provider.name}.`);
  for (const line of plan.changes) logger.info(`  - ${line}`);
  for (const glob of addedGlobs) logger.info(`  - root package.json: added "${glob}" to workspaces`);
  if (plan.removes.length) {
    logger.info(`  - ${backup ? `kept a copy of each replaced file as <file>.mf-backup (delete them once you are done)` : 'removed the replaced files without copies (--no-backup)'}`);
  }
  if (plan.manual.length) {
    logger.warn(`${TAG.generator} not migrated (${plan.manual.length}); do these by hand:`);
    for (const step of plan.manual) logger.warn(`  - ${step.where}: ${step.what}.\n    todo: ${step.todo}`);
  } else {
    logger.info(`${TAG.generator} nothing left to migrate by hand.`);
  }
  const host = plan.modules.find((m) => m.role === 'host');
  logger.info(`${TAG.generator} next: nx run-many -t build${host ? `, then nx serve ${host.name} or nx run ${host.name}:start` : ''}. import('<remote>/<exposed>') calls work unchanged: the import map resolves them.`);
}
