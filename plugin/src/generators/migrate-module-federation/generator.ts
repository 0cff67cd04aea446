import type { GeneratorCallback, Tree } from '@nx/devkit';
import { installPackagesTask } from '@nx/devkit';
import { addToWorkspaces } from '../app/lib/add-to-workspaces';
import { initGenerator } from '../init/generator';
import { applyFileChanges, applyRootChanges } from './lib/apply-plan';
import { loadTypeScript } from './lib/load-typescript';
import { planMigration } from './lib/plan-migration';
import { readWorkspace } from './lib/read-workspace';
import { reportMigration } from './lib/report-migration';
import type { MigrateModuleFederationGeneratorSchema } from './schema';

/**
 * `nx g @esmx/nx:migrate-module-federation [project]`: every Module Federation host and remote becomes an esmx module.
 * Everything is read and checked (planMigration) before the first write, so a refused run changes nothing.
 */
export async function migrateModuleFederationGenerator(tree: Tree, schema: MigrateModuleFederationGeneratorSchema): Promise<GeneratorCallback> {
  const backup = schema.backup ?? true;
  const input = readWorkspace(tree, loadTypeScript(tree.root), schema.project?.trim() || undefined);
  const plan = planMigration(input);
  applyRootChanges(tree, plan);
  // Before the packages exist: with no sibling package.json yet, each parent gets one `<parent>/*` glob.
  const addedGlobs = [plan.provider.root, ...plan.modules.map((module) => module.root)]
    .map((root) => addToWorkspaces(tree, root))
    .filter((glob): glob is string => glob !== undefined);
  applyFileChanges(tree, plan, backup);
  await initGenerator(tree, { keepExistingVersions: true });
  reportMigration(plan, backup, addedGlobs);
  // Forced: npm must link the new workspace packages into node_modules even if the root's dependencies look unchanged.
  return schema.skipInstall ? () => undefined : () => installPackagesTask(tree, true);
}

export default migrateModuleFederationGenerator;
