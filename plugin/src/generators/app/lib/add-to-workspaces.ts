import type { Tree } from '@nx/devkit';
import { posix } from 'node:path';
import { updateJson } from '@nx/devkit';
import { isCoveredByGlobs } from '../../lib/workspace-modules';

/**
 * Makes the new package an npm workspace: npm links workspaces into node_modules, which is where
 * a module finds the modules it uses. Adds `<parent>/*` (or the directory itself at the top level)
 * when no existing glob covers the directory. Returns the glob added, if any.
 */
export function addToWorkspaces(tree: Tree, directory: string): string | undefined {
  if (!tree.exists('package.json')) return undefined;
  let added: string | undefined;
  updateJson(tree, 'package.json', (pkg) => {
    const usesObjectForm = pkg.workspaces && !Array.isArray(pkg.workspaces);
    const globs: string[] = (usesObjectForm ? pkg.workspaces.packages : pkg.workspaces) ?? [];
    if (isCoveredByGlobs(globs, directory)) return pkg;
    const parent = posix.dirname(directory);
    added = parent === '.' ? directory : `${parent}/*`;
    if (usesObjectForm) pkg.workspaces.packages = [...globs, added];
    else pkg.workspaces = [...globs, added];
    return pkg;
  });
  return added;
}
