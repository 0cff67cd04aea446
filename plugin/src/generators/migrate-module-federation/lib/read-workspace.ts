import type { Tree } from '@nx/devkit';
import { getProjects, readJson, readNxJson } from '@nx/devkit';
import type * as TS from 'typescript';
import { readWorkspacePackages } from '../../lib/workspace-modules';
import { createGeneratorError } from '../../lib/generator-error';
import { MfConfigParseError, parseMfConfig, type MfConfig } from './parse-mf-config';
import { readBootstrap } from './read-bootstrap';
import { readTitle } from './render-entries';
import type { MfProjectInput, MigrationInput } from './types';

const CONFIG_NAMES = ['ts', 'mts', 'js', 'mjs', 'cjs'].map((ext) => `module-federation.config.${ext}`);
const SERVER_CONFIG_NAMES = ['ts', 'mts', 'js', 'mjs', 'cjs'].map((ext) => `module-federation.server.config.${ext}`);
const SKIPPED = new Set(['node_modules', 'dist', '.nx', 'tmp', 'coverage', '.git']);
const SCRIPT = /\.(ts|tsx|js|jsx|mjs|cjs|mts|cts)$/;

/**
 * Reads everything the migration plan needs from the tree: each Nx project with a module-federation config (parsed
 * statically), its files and script sources, the root package.json and nx.json. Throws a generator error naming the
 * file and line of a config that is not a literal.
 */
export function readWorkspace(tree: Tree, ts: typeof TS, project: string | undefined): MigrationInput {
  const projects = getProjects(tree);
  const mfProjects: MfProjectInput[] = [];
  const mfRoots: string[] = [];
  for (const [name, configuration] of projects) {
    const root = configuration.root;
    const configFile = CONFIG_NAMES.map((file) => join(root, file)).find((path) => tree.exists(path));
    if (!configFile) continue;
    mfRoots.push(root);
    const serverFile = SERVER_CONFIG_NAMES.map((file) => join(root, file)).find((path) => tree.exists(path));
    const files = listFiles(tree, root);
    const sources = Object.fromEntries(files.filter((path) => SCRIPT.test(path)).map((path) => [path, tree.read(path, 'utf-8') ?? '']));
    const bootstrapFile = ['tsx', 'jsx', 'ts', 'js'].map((ext) => join(root, `src/bootstrap.${ext}`)).find((path) => tree.exists(path));
    mfProjects.push({
      project: name,
      root,
      config: parseOrThrow(ts, configFile, tree.read(configFile, 'utf-8') ?? ''),
      ...(serverFile ? { serverConfig: parseOrThrow(ts, serverFile, tree.read(serverFile, 'utf-8') ?? '') } : {}),
      files,
      sources,
      ...(bootstrapFile ? { bootstrap: readBootstrap(ts, bootstrapFile, tree.read(bootstrapFile, 'utf-8') ?? '') } : {}),
      title: readTitle(tree.read(join(root, 'src/index.html'), 'utf-8') ?? undefined),
      ...(tree.exists(join(root, 'project.json')) ? { projectJson: readJson(tree, join(root, 'project.json')) } : {}),
      ...(tree.exists(join(root, 'package.json')) ? { packageJson: readJson(tree, join(root, 'package.json')) } : {}),
    });
  }
  const otherSources: Record<string, string> = {};
  const otherRoots = [...projects.values()].map((p) => p.root).filter((root) => !mfRoots.includes(root) && root !== '.' && root !== '');
  for (const root of otherRoots) {
    for (const path of listFiles(tree, root)) if (SCRIPT.test(path)) otherSources[path] = tree.read(path, 'utf-8') ?? '';
  }
  for (const child of tree.children('')) if (SCRIPT.test(child) && tree.isFile(child)) otherSources[child] = tree.read(child, 'utf-8') ?? '';
  return {
    rootPackageJson: tree.exists('package.json') ? readJson(tree, 'package.json') : {},
    nxJson: (readNxJson(tree) as Record<string, any>) ?? {},
    mfProjects,
    projectNames: [...projects.keys()],
    packages: readWorkspacePackages(tree).map((pkg) => ({
      name: pkg.name,
      root: pkg.root,
      ...(Array.isArray(pkg.esmx?.provides) ? { provides: pkg.esmx.provides } : {}),
    })),
    otherSources,
    ...(project ? { project } : {}),
  };
}

function parseOrThrow(ts: typeof TS, file: string, source: string): MfConfig {
  try {
    return parseMfConfig(ts, file, source);
  } catch (error) {
    if (!(error instanceof MfConfigParseError)) throw error;
    throw createGeneratorError(
      `cannot read ${error.file} without running it (line ${error.line}): expected ${error.expected}, found ${error.found}. The migration reads Module Federation configs statically and never executes them.`,
      `write that value as a literal in ${error.file} (a string, an array or an object, or a const of one in the same file), then re-run; or migrate this app by hand (README, "Coming from Nx Module Federation")`,
    );
  }
}

function listFiles(tree: Tree, dir: string): string[] {
  const out: string[] = [];
  const visit = (current: string) => {
    for (const child of tree.children(current)) {
      const path = current ? `${current}/${child}` : child;
      if (tree.isFile(path)) out.push(path);
      else if (!SKIPPED.has(child)) visit(path);
    }
  };
  visit(dir);
  return out.sort();
}

function join(root: string, file: string): string {
  return root && root !== '.' ? `${root}/${file}` : file;
}
