import type { Tree } from '@nx/devkit';
import { posix } from 'node:path';
import { updateJson } from '@nx/devkit';
import { createWorkspaceFilter, listWorkspaceGlobs } from '../../lib/workspace-modules';

/**
 * Makes the new package an npm workspace: npm links workspaces into node_modules, which is where
 * a module finds the modules it uses. When no existing glob covers the directory, adds `<parent>/*`,
 * or the directory itself at the top level or when `<parent>/*` would also make an existing package
 * a workspace (one a `!glob` keeps out, or one the user never listed). Returns the glob added, if any.
 */
export function addToWorkspaces(tree: Tree, directory: string): string | undefined {
  if (!tree.exists('package.json')) return undefined;
  let added: string | undefined;
  updateJson(tree, 'package.json', (pkg) => {
    const usesObjectForm = pkg.workspaces && !Array.isArray(pkg.workspaces);
    const entries: unknown[] = (usesObjectForm ? pkg.workspaces.packages : pkg.workspaces) ?? [];
    const globs = listWorkspaceGlobs(pkg) ?? [];
    const isWorkspace = createWorkspaceFilter(globs);
    if (isWorkspace(directory)) return pkg;
    const parent = posix.dirname(directory);
    const parentGlob = `${parent}/*`;
    const widens = parent !== '.' && bringsInSibling(tree, parent, directory, isWorkspace, createWorkspaceFilter([...globs, parentGlob]));
    added = parent === '.' || widens ? directory : parentGlob;
    if (usesObjectForm) pkg.workspaces.packages = [...entries, added];
    else pkg.workspaces = [...entries, added];
    return pkg;
  });
  return added;
}

/** True when a sibling package of `directory` that is not a workspace now would become one after. */
function bringsInSibling(
  tree: Tree,
  parent: string,
  directory: string,
  isWorkspaceNow: (directory: string) => boolean,
  isWorkspaceAfter: (directory: string) => boolean,
): boolean {
  return tree.children(parent).some((child) => {
    const sibling = `${parent}/${child}`;
    return sibling !== directory && tree.exists(`${sibling}/package.json`) && !isWorkspaceNow(sibling) && isWorkspaceAfter(sibling);
  });
}
