import type { Tree } from '@nx/devkit';
import { generateFiles } from '@nx/devkit';
import { join } from 'node:path';
import { GENERATOR_MARKER } from '../../../constants';
import type { NormalizedAppOptions } from './normalize-options';

/** Writes the sources, tsconfig and spec of the module from the ejs templates in files/. */
export function createFiles(tree: Tree, options: NormalizedAppOptions): void {
  const substitutions = {
    tmpl: '',
    name: options.name,
    role: options.role,
    framework: options.framework,
    provides: options.provides,
    marker: GENERATOR_MARKER,
    escapeRegExp: (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'),
  };
  const templates = options.role === 'provider' ? 'provider' : `${options.role}-${options.framework}`;
  generateFiles(tree, join(__dirname, '..', 'files', 'common'), options.directory, substitutions);
  if (options.role === 'host') generateFiles(tree, join(__dirname, '..', 'files', 'host'), options.directory, substitutions);
  generateFiles(tree, join(__dirname, '..', 'files', templates), options.directory, substitutions);
}
