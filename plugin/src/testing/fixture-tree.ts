import type { Tree } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/** A tree holding a fixture workspace (a directory of files; its top-level README.md is left out), for generator specs. */
export function createFixtureTree(root: string): Tree {
  const tree = createTreeWithEmptyWorkspace();
  const visit = (dir: string) => {
    for (const entry of readdirSync(dir)) {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) visit(path);
      else if (entry !== 'README.md' || dir !== root) tree.write(relative(root, path).split('\\').join('/'), readFileSync(path));
    }
  };
  visit(root);
  return tree;
}

/** Every change of the tree so far, as path → content, to show that a refused run wrote nothing. */
export function snapshotChanges(tree: Tree): Record<string, string> {
  return Object.fromEntries(tree.listChanges().map((change) => [change.path, `${change.type}:${change.content?.toString('utf8') ?? ''}`]));
}
