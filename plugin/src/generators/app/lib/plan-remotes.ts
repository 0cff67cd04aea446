import { posix } from 'node:path';
import { findPackageNameProblem } from '../../../protocol/package-name';
import { createGeneratorError } from '../../lib/generator-error';
import type { WorkspaceModule } from '../../lib/workspace-modules';
import { findWorkspacePackage } from '../../lib/workspace-modules';
import type { NormalizedAppOptions } from './normalize-options';

/** A remote of `--remotes`: an existing remote to link, or a new one to generate beside the host. */
export type RemotePlan = { kind: 'link'; module: WorkspaceModule } | { kind: 'create'; name: string; directory: string };

/**
 * What `--remotes=a,b` of a new host does, decided before anything is written: a name of an existing remote module is
 * linked (esmx.uses and its widget rendered); a new name becomes a remote generated beside the host
 * (`apps/shell` → `apps/a`) with the host's framework. An existing module that is not a remote, a package that is
 * not a module, or a directory in the way is refused, with the fix.
 */
export function planRemotes(options: NormalizedAppOptions, remotes: string[], isFree: (directory: string) => boolean): RemotePlan[] {
  if (remotes.length === 0) return [];
  if (options.role !== 'host') {
    throw createGeneratorError(
      `--remotes is for a host, found --role=${options.role}.`,
      `generate the host with --remotes (nx g @esmx/nx:host <directory> --remotes=${remotes.join(',')}), or link this module into a host with --host=<host>`,
    );
  }
  return remotes.map((name): RemotePlan => {
    if (name === options.name) {
      throw createGeneratorError(`--remotes lists the host itself ("${name}").`, `remove "${name}" from --remotes`);
    }
    const existing = findWorkspacePackage(options.packages, name);
    if (existing) {
      const module = options.modules.find((m) => m.name === existing.name);
      if (!module) {
        throw createGeneratorError(
          `--remotes=${name}: expected a remote module or a new name, found the package ${existing.name} (${existing.packageJsonPath}) without an "esmx" field.`,
          `pick another name for a new remote, or add an "esmx" field with an export to ${existing.packageJsonPath}`,
        );
      }
      if (!module.esmx.exports || !('./widget' in module.esmx.exports)) {
        throw createGeneratorError(
          `--remotes=${name}: expected a remote (a module exporting "./widget"), found ${describeModule(module)}.`,
          `leave "${name}" out of --remotes (link it with nx g @esmx/nx:link --from=${options.name} --to=${name} if the host should use it), or pick a new name`,
        );
      }
      return { kind: 'link', module };
    }
    const problem = findPackageNameProblem(name);
    if (problem) {
      throw createGeneratorError(`--remotes=${name}: expected a module name, found "${name}": ${problem}.`, 'use lowercase names such as cart,shop');
    }
    const directory = posix.join(posix.dirname(options.directory), name);
    if (!isFree(directory)) {
      throw createGeneratorError(
        `--remotes=${name}: expected ${directory} to be free for the new remote, found it in use.`,
        `remove ${directory}, or generate that remote yourself (nx g @esmx/nx:remote <directory> --name=${name} --host=${options.name})`,
      );
    }
    return { kind: 'create', name, directory };
  });
}

function describeModule(module: WorkspaceModule): string {
  if ((module.esmx.provides ?? []).length > 0) return `a provider (${module.packageJsonPath})`;
  if (module.esmx.entry) return `a host (${module.packageJsonPath})`;
  return `a module without a "./widget" export (${module.packageJsonPath})`;
}
