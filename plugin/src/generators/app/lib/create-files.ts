import type { Tree } from '@nx/devkit';
import { generateFiles } from '@nx/devkit';
import { join } from 'node:path';
import { GENERATOR_MARKER } from '../../../constants';
import type { NormalizedAppOptions } from './normalize-options';

/**
 * Writes the sources, tsconfig and spec of the module: the shared templates in files/ (tsconfig, a host's islands
 * and remotes list, a provider's spec), then the framework adapter's `host/` or `remote/` templates.
 */
export function createFiles(tree: Tree, options: NormalizedAppOptions): void {
  const substitutions = {
    tmpl: '',
    name: options.name,
    role: options.role,
    framework: options.framework.name,
    compilerOptions: options.framework.compilerOptions ?? {},
    provides: options.provides,
    marker: GENERATOR_MARKER,
    escapeRegExp: (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'),
  };
  generateFiles(tree, join(__dirname, '..', 'files', 'common'), options.directory, substitutions);
  if (options.role === 'provider') {
    generateFiles(tree, join(__dirname, '..', 'files', 'provider'), options.directory, substitutions);
    return;
  }
  if (options.role === 'host') generateFiles(tree, join(__dirname, '..', 'files', 'host'), options.directory, substitutions);
  const extra = options.framework.templateValues?.({ name: options.name, role: options.role }) ?? {};
  generateFiles(tree, join(options.framework.templates, options.role), options.directory, { ...extra, ...substitutions });
}
