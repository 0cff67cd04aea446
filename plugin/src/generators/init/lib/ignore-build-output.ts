import type { Tree } from '@nx/devkit';

/**
 * Adds `dist` to an existing .gitignore that does not ignore `dist` at every depth: every module
 * builds into its own `<module>/dist/`, which a root-anchored `/dist` does not cover. A workspace
 * without a .gitignore is left as it is.
 */
export function ignoreBuildOutput(tree: Tree): void {
  const content = tree.read('.gitignore', 'utf-8');
  if (content === null) return;
  const lines = content.split(/\r?\n/).map((line) => line.trim());
  if (lines.some((line) => /^(\*\*\/)?dist\/?$/.test(line))) return;
  tree.write('.gitignore', `${content}${content.endsWith('\n') || content === '' ? '' : '\n'}dist\n`);
}
