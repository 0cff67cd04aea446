import type { GeneratorCallback, Tree } from '@nx/devkit';
import { installPackagesTask } from '@nx/devkit';
import { initGenerator } from '../init/generator';
import { addToWorkspaces } from './lib/add-to-workspaces';
import { assertCanGenerate } from './lib/assert-can-generate';
import { createFiles } from './lib/create-files';
import { addFrameworkDevDependencies, createPackageJson } from './lib/create-package-json';
import { linkRemote, linkToHost } from './lib/link-to-host';
import { loadFramework } from './lib/load-framework';
import { logNextSteps } from './lib/log-next-steps';
import { normalizeOptions, toList } from './lib/normalize-options';
import { planRemotes } from './lib/plan-remotes';
import type { AppGeneratorSchema } from './schema';

/** `nx g @esmx/nx:app <directory>`: a host, remote or provider module that builds and serves as generated. */
export async function appGenerator(tree: Tree, schema: AppGeneratorSchema): Promise<GeneratorCallback> {
  const framework = await loadFramework(tree, schema.framework);
  const options = normalizeOptions(tree, schema, framework);
  assertCanGenerate(tree, options);
  const remotes = planRemotes(options, toList(schema.remotes), (directory) => !tree.exists(directory) || tree.children(directory).length === 0);
  await initGenerator(tree, { keepExistingVersions: true });
  addFrameworkDevDependencies(tree, options);
  createPackageJson(tree, options);
  createFiles(tree, options);
  const addedGlob = addToWorkspaces(tree, options.directory);
  linkToHost(tree, options);
  // `--remotes`: each new remote is generated beside the host and linked into it; an existing one is linked.
  const remoteCallbacks: GeneratorCallback[] = [];
  for (const remote of remotes) {
    if (remote.kind === 'link') linkRemote(tree, options.name, remote.module);
    else {
      const base = { framework: schema.framework, host: options.name, skipInstall: true, name: remote.name };
      remoteCallbacks.push(await appGenerator(tree, { ...base, directory: remote.directory, role: 'remote' }));
    }
  }
  // Nx runs the callback only when it writes the files: under --dry-run nothing claims to have been added.
  return () => {
    logNextSteps(options, addedGlob);
    for (const callback of remoteCallbacks) callback();
    // Forced: even when the root package.json is unchanged, npm must link the new packages into node_modules.
    if (!options.skipInstall) installPackagesTask(tree, true);
  };
}

export default appGenerator;
