import type { Tree } from '@nx/devkit';
import { writeJson } from '@nx/devkit';
import type { MigrationPlan } from './types';

/** Suffix of the copy each replaced file keeps (not a source extension, so no build or test picks it up). */
export const BACKUP_SUFFIX = '.mf-backup';

/** Writes the root package.json and nx.json of the plan. */
export function applyRootChanges(tree: Tree, plan: MigrationPlan): void {
  writeJson(tree, 'package.json', plan.rootPackageJson);
  writeJson(tree, 'nx.json', plan.nxJson);
}

/** Writes the files of the plan: backups and removals first, then the new and changed files. */
export function applyFileChanges(tree: Tree, plan: MigrationPlan, backup: boolean): void {
  for (const path of plan.removes) {
    if (backup) tree.write(`${path}${BACKUP_SUFFIX}`, tree.read(path) as Buffer);
    tree.delete(path);
  }
  for (const [path, content] of Object.entries(plan.writes)) tree.write(path, content);
}
