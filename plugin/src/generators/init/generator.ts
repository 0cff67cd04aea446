import type { GeneratorCallback, Tree } from '@nx/devkit';
import { addDevDependencies } from './lib/add-dev-dependencies';
import { addNamedInputs } from './lib/add-named-inputs';
import { addPluginToNxJson } from './lib/add-plugin-to-nx-json';
import { ignoreBuildOutput } from './lib/ignore-build-output';
import { normalizeOptions } from './lib/normalize-options';
import type { InitGeneratorSchema } from './schema';

/** `nx add @esmx/nx` / `nx g @esmx/nx:init`: idempotent workspace set-up. */
export async function initGenerator(tree: Tree, schema: InitGeneratorSchema): Promise<GeneratorCallback> {
  const options = normalizeOptions(schema);
  addPluginToNxJson(tree);
  addNamedInputs(tree);
  ignoreBuildOutput(tree);
  if (options.skipPackageJson) return () => undefined;
  return addDevDependencies(tree, options.keepExistingVersions);
}

export default initGenerator;
