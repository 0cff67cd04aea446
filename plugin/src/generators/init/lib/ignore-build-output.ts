import type { Tree } from '@nx/devkit';

/**
 * Adds `dist` to an existing .gitignore that ignores neither `dist` nor `dist/`: every module builds
 * into its own `dist/`. A workspace without a .gitignore is left as it is.
 */
export function ignoreBuildOutput(tree: Tree): void {
  const content = tree.read('.gitignore', 'utf-8');
  if (content === null) return;
  const lines = content.split(/\r?\n/).map((line) => line.trim());
  if (lines.some((line) => /^\/?(\*\*\/)?dist\/?$/.test(line))) return;
  tree.write('.gitignore', `${content}${content.endsWith('\n') || content === '' ? '' : '\n'}dist\n`);
}
