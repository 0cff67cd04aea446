import type { Tree } from '@nx/devkit';
import { getProjects } from '@nx/devkit';
import { findPackageNameProblem } from '../../../protocol/package-name';
import { createGeneratorError } from '../../lib/generator-error';
import { assertLinkIsAcyclic, findModuleOrThrow } from '../../lib/link-modules';
import type { WorkspaceModule } from '../../lib/workspace-modules';
import { findProviders, findWorkspacePackage, isHostModule } from '../../lib/workspace-modules';
import type { NormalizedAppOptions } from './normalize-options';

/**
 * Every check of the app generator, run before it writes anything: a refused run leaves the
 * workspace untouched. Each message names the problem and the fix.
 */
export function assertCanGenerate(tree: Tree, options: NormalizedAppOptions): void {
  assertDirectoryIsFree(tree, options.directory);
  assertNameIsValid(options);
  assertNameIsNotAProject(tree, options.name);
  assertOptionsFitRole(options);
  const used = options.uses.map((name) => findModuleOrThrow(options.packages, name, '--uses'));
  if (options.framework.runtimePackage && options.role !== 'provider') assertRuntimeIsProvided(options, used, options.framework.runtimePackage);
  if (options.host) assertHostCanLink(options);
}

function assertDirectoryIsFree(tree: Tree, directory: string): void {
  if (directory === '.' || directory === '' || directory === '..' || directory.startsWith('../')) {
    throw createGeneratorError(
      `expected a directory inside the workspace for the new module, found "${directory || '.'}".`,
      'pass a relative directory such as apps/shell: nx g @esmx/nx:app apps/shell',
    );
  }
  if (tree.isFile(directory)) {
    throw createGeneratorError(`expected ${directory} to be a new directory, found a file there.`, 'choose another directory');
  }
  if (tree.exists(directory) && tree.children(directory).length > 0) {
    throw createGeneratorError(
      `expected ${directory} to be new or empty, found it holds ${tree.children(directory).length} entries (${tree.children(directory).slice(0, 3).join(', ')}${tree.children(directory).length > 3 ? ', …' : ''}).`,
      'choose a directory that does not exist yet, or remove the existing one first',
    );
  }
}

function assertNameIsValid(options: NormalizedAppOptions): void {
  const problem = findPackageNameProblem(options.name);
  if (problem) {
    throw createGeneratorError(
      `expected a valid npm package name for the module, found "${options.name}": ${problem}.`,
      `pass --name=<lowercase-name> (letters a-z, digits, "-", "." or "_"; @scope/name allowed), e.g. --name=${suggestName(options.name)}`,
    );
  }
  const taken = findWorkspacePackage(options.packages, options.name);
  if (taken && taken.name === options.name) {
    throw createGeneratorError(
      `expected a new module name, found "${options.name}" already used by ${taken.packageJsonPath}.`,
      'pass another --name (the module name is the package name and must be unique in the workspace)',
    );
  }
  const shadowed = options.modules.find((module) =>
    (module.esmx.provides ?? []).some((specifier) => specifier === options.name || specifier.startsWith(`${options.name}/`)),
  );
  const ownCollision = options.provides.find((specifier) => specifier === options.name || specifier.startsWith(`${options.name}/`));
  if (ownCollision) {
    throw createGeneratorError(
      `expected a module name that differs from the packages it provides, found "${options.name}", which it would also provide as ${ownCollision}: its imports would collide in the import map.`,
      `pass another --name or directory, e.g. --name=shared-${options.name.replace(/^@[^/]+\//, '')}`,
    );
  }
  if (shadowed) {
    throw createGeneratorError(
      `expected a module name that no provided package uses, found "${options.name}" provided by ${shadowed.name}: its imports would collide in the import map.`,
      'pass another --name',
    );
  }
}

/** Nx project names are unique too; a project.json project is not an npm package, so check it apart. */
function assertNameIsNotAProject(tree: Tree, name: string): void {
  const project = getProjects(tree).get(name);
  if (project) {
    throw createGeneratorError(
      `expected a new module name, found the Nx project "${name}" in ${project.root}.`,
      'pass another --name (the module name is also its Nx project name)',
    );
  }
}

function assertOptionsFitRole(options: NormalizedAppOptions): void {
  if (options.host && options.role !== 'remote') {
    throw createGeneratorError(
      `--host links a remote into a host, but this module's role is ${options.role}.`,
      `pass --role=remote, or link modules later with: nx g @esmx/nx:link --from=${options.host} --to=${options.name}`,
    );
  }
  if (options.role !== 'provider' && options.provides.length) {
    throw createGeneratorError(
      `--provides lists the packages of a provider, but this module's role is ${options.role}.`,
      'drop --provides, or pass --role=provider',
    );
  }
  if (options.role === 'provider' && options.provides.length === 0) {
    throw createGeneratorError(
      `expected --provides to list at least one package for ${options.framework.name === 'html' ? 'an' : 'a'} ${options.framework.name} provider, found none.`,
      'pass the specifiers to share, e.g. --provides=lit,lit/decorators.js (or --framework=react, --framework=preact… for that framework\'s defaults)',
    );
  }
  if (options.role === 'provider' && options.port !== undefined) {
    throw createGeneratorError('--port sets where a page is served, but a provider has no page.', 'drop --port');
  }
  if (options.port !== undefined && !(Number.isInteger(options.port) && options.port > 0 && options.port < 65536)) {
    throw createGeneratorError(`expected --port to be a TCP port (1-65535), found ${options.port}.`, 'pass e.g. --port=4300');
  }
  const unknown = options.provides.filter((specifier) => /^[./]|^node:|\s/.test(specifier));
  if (unknown.length) {
    throw createGeneratorError(
      `expected --provides to list bare package specifiers, found ${unknown.join(', ')}.`,
      'list packages or package subpaths such as react or react-dom/client',
    );
  }
}

function assertRuntimeIsProvided(options: NormalizedAppOptions, used: WorkspaceModule[], runtime: string): void {
  const closure = collectUsesClosure(options.modules, used);
  if (closure.some((module) => (module.esmx.provides ?? []).includes(runtime))) return;
  const providers = findProviders(options.modules, runtime);
  const framework = options.framework.name;
  if (providers.length === 0) {
    throw createGeneratorError(
      `expected an esmx module that provides ${runtime} (every ${framework} module must share one copy), found none in this workspace.`,
      `generate one first: nx g @esmx/nx:app libs/shared --role=provider --framework=${framework}, then re-run this command`,
    );
  }
  const defaults = options.framework.provides;
  throw createGeneratorError(
    `expected to know which module provides ${runtime} to ${options.name}, found ${providers.length} providers (${providers.map((p) => p.name).join(', ')}) and no --uses naming one.`,
    `pass --uses=<provider>, e.g. --uses=${providers[0].name} (it provides ${defaults.filter((s) => (providers[0].esmx.provides ?? []).includes(s)).join(', ')})`,
  );
}

function assertHostCanLink(options: NormalizedAppOptions): void {
  const host = findModuleOrThrow(options.packages, options.host as string, '--host');
  if (!isHostModule(host)) {
    throw createGeneratorError(
      `--host=${options.host}: expected an esmx host (a module whose esmx.entry declares a client or server entry), found ${host.name} without an entry (${host.packageJsonPath}).`,
      `name a host module (${options.modules.filter(isHostModule).map((m) => m.name).join(', ') || 'none yet: generate one with --role=host'})`,
    );
  }
  const remote: WorkspaceModule = {
    name: options.name,
    root: options.directory,
    packageJsonPath: `${options.directory}/package.json`,
    esmx: { uses: options.uses },
  };
  assertLinkIsAcyclic([...options.modules, remote], host, remote);
}

function collectUsesClosure(modules: WorkspaceModule[], roots: WorkspaceModule[]): WorkspaceModule[] {
  const byName = new Map(modules.map((module) => [module.name, module]));
  const seen = new Map<string, WorkspaceModule>();
  const visit = (module: WorkspaceModule): void => {
    if (seen.has(module.name)) return;
    seen.set(module.name, module);
    for (const name of module.esmx.uses ?? []) {
      const next = byName.get(name);
      if (next) visit(next);
    }
  };
  roots.forEach(visit);
  return [...seen.values()];
}

function suggestName(name: string): string {
  const suggestion = name.toLowerCase().replace(/^node:/, '').replace(/[^a-z0-9._@/-]+/g, '-').replace(/^[._]+/, '');
  // `-module` turns a Node built-in name (`http`) into a valid one that still says what the user meant.
  return [suggestion, `${suggestion}-module`].find((candidate) => !findPackageNameProblem(candidate)) ?? 'my-module';
}
