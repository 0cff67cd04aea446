import type { Tree } from '@nx/devkit';
import { addDependenciesToPackageJson, logger, readJson, readNxJson, writeJson } from '@nx/devkit';
import { TAG } from '../../../constants';
import { normalizeOptions as normalizePluginOptions, type EsmxPluginOptions } from '../../../graph/lib/normalize-options';
import { ESMX_GRAPH_PLUGIN } from '../../init/lib/add-plugin-to-nx-json';
import { packageNameOf } from '../../../protocol/index';
import type { EsmxDeclaration } from '../../../protocol/types';
import { BUILT_IN_FRAMEWORKS } from '../../../frameworks/index';
import { sortKeys } from '../../lib/sort-keys';
import type { NormalizedAppOptions } from './normalize-options';

/**
 * The versions the generator knows: the packages of the module's framework and of every built-in one (a Preact
 * provider generated with --framework=html --provides=preact still gets Preact's tested version); other provided
 * packages are the user's to install.
 */
function listKnownVersions(options: NormalizedAppOptions): Record<string, string> {
  return Object.assign({}, ...BUILT_IN_FRAMEWORKS.map((adapter) => adapter.dependencies), options.framework.dependencies);
}

/** The framework's build and type-check tools (loaders, checkers, types) in the root package.json, kept if declared. */
export function addFrameworkDevDependencies(tree: Tree, options: NormalizedAppOptions): void {
  const devDependencies = options.framework.devDependencies ?? {};
  if (options.role === 'provider' || Object.keys(devDependencies).length === 0 || !tree.exists('package.json')) return;
  addDependenciesToPackageJson(tree, {}, devDependencies, 'package.json', true);
}

/**
 * Writes the module's package.json: its name, the `esmx` field for its role, the dependencies its
 * code imports (its framework's packages at the workspace's range, so npm installs one copy) and the used modules.
 */
export function createPackageJson(tree: Tree, options: NormalizedAppOptions): void {
  const ext = options.ext;
  const esmx: EsmxDeclaration = {};
  if (options.role !== 'provider') {
    esmx.entry = { client: `./src/entry.client.${ext}`, server: `./src/entry.server.${ext}` };
  }
  if (options.role !== 'provider') esmx.framework = options.framework.name;
  if (options.role === 'remote') esmx.exports = { './widget': `./src/widget.${ext}` };
  if (options.role === 'provider') esmx.provides = options.provides;
  if (options.uses.length) esmx.uses = options.uses;

  const dependencies: Record<string, string> = {};
  const thirdParty = options.role === 'provider' ? options.provides.map(packageNameOf) : Object.keys(options.framework.dependencies);
  const known = listKnownVersions(options);
  const unknown: string[] = [];
  const root = tree.exists('package.json') ? readJson(tree, 'package.json') : {};
  for (const pkg of new Set(thirdParty)) {
    const version = root.dependencies?.[pkg] ?? root.devDependencies?.[pkg] ?? known[pkg];
    if (version) dependencies[pkg] = version;
    else unknown.push(pkg);
  }
  for (const name of options.uses) dependencies[name] = '*';

  const packageJson: Record<string, unknown> = {
    name: options.name,
    version: '0.0.0',
    private: true,
    type: 'module',
  };
  if (options.role === 'remote') {
    // Lets TypeScript, test runners and editors resolve `<name>/widget` to its source; builds never
    // do (they keep it bare for the import map).
    packageJson.exports = { './widget': `./src/widget.${ext}`, './package.json': './package.json' };
  }
  if (Object.keys(dependencies).length) packageJson.dependencies = sortKeys(dependencies);
  packageJson.esmx = esmx;
  if (options.port !== undefined) {
    // Under the names the graph plugin gives the targets: an options-only entry under another name would be a
    // target without an executor.
    const names = readTargetNames(tree);
    packageJson.nx = {
      targets: { [names.serve]: { options: { port: options.port } }, [names.start]: { options: { port: options.port } } },
    };
  }
  writeJson(tree, `${options.directory}/package.json`, packageJson);
  if (unknown.length) {
    logger.warn(
      `${TAG.generator} ${options.name} provides ${unknown.join(', ')}, which the workspace does not declare yet; install ${unknown.length > 1 ? 'them' : 'it'} for the provider: npm install ${unknown.join(' ')} -w ${options.directory}`,
    );
  }
}

function readTargetNames(tree: Tree) {
  const entry = readNxJson(tree)?.plugins?.find((p) => typeof p !== 'string' && p.plugin === ESMX_GRAPH_PLUGIN);
  return normalizePluginOptions(typeof entry === 'object' ? (entry.options as EsmxPluginOptions | undefined) : undefined);
}
