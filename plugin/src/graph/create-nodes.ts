import type { CreateNodesContext, CreateNodesResultArray, CreateNodesV2 } from '@nx/devkit';
import { existsSync, readdirSync, readFileSync, type Dirent } from 'node:fs';
import { TAG } from '../constants';
import { LINKS_FILE, parseLinksFile } from '../protocol/links-file';
import { basename, dirname, join } from 'node:path';
import { hashStrings, openJsonCache } from './lib/json-cache';
import { inferProject, type ModuleChecks } from './lib/infer-project';
import { BUILT_IN_FRAMEWORKS } from '../frameworks/registry';
import { SPEC_EXTENSIONS } from '../jest/preset';
import { normalizeOptions, type EsmxPluginOptions } from './lib/normalize-options';
import { readModuleSummary, type ModuleSummary } from './lib/read-module-summary';

export const PACKAGE_JSON_GLOB = '**/package.json';

/** Bump when inferProject's output changes, so that disk caches written by an older plugin are not reused. */
const INFERENCE_VERSION = '4';

/**
 * Infers one Nx project per package.json that carries an `esmx` field. The whole batch is handled at once; each
 * file's project is cached by a hash of the options, the relevant nx.json settings, its path and its content.
 */
export async function createEsmxNodes(
  files: readonly string[],
  options: EsmxPluginOptions | undefined,
  context: CreateNodesContext,
): Promise<CreateNodesResultArray> {
  const targetNames = normalizeOptions(options);
  const sourceInput = context.nxJsonConfiguration?.namedInputs?.production ? 'production' : 'default';
  const frameworkFiles = listFrameworkFiles(options);
  const settingsKey = JSON.stringify([INFERENCE_VERSION, targetNames, sourceInput, frameworkFiles]);
  const cache = openJsonCache(context.workspaceRoot, 'nodes');
  const results: CreateNodesResultArray = [];

  // Two passes: a module's tags depend on whether another module uses it (a host is a root of the link graph).
  const modules: Array<{ file: string; text: string; summary: ModuleSummary }> = [];
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(join(context.workspaceRoot, file), 'utf8');
    } catch {
      // Deleted between Nx's glob and this read: the next graph computation will not list it.
      continue;
    }
    // Most package.json files in a workspace are not modules: skip them before parsing.
    const summary = readModuleSummary(text);
    if (summary) modules.push({ file, text, summary });
  }
  const usedNames = new Set(modules.flatMap((m) => m.summary.uses));
  for (const { file, text, summary } of modules) {
    const root = dirname(file);
    // A module without a usable name still needs a unique project name; its root path is unique by construction.
    const name = summary.name ?? (root === '.' ? basename(context.workspaceRoot) : root);
    const used = usedNames.has(name);
    const linksPath = join(context.workspaceRoot, root, LINKS_FILE);
    const linksText = existsSync(linksPath) ? readFileSync(linksPath, 'utf8') : '';
    const checks = readModuleChecks(join(context.workspaceRoot, root), summary.framework);
    const key = hashStrings(settingsKey, file, text, String(used), linksText, JSON.stringify(checks));
    let serialized = cache.get(key);
    if (serialized === undefined) {
      const environments = readEnvironmentNames(linksText, linksPath);
      serialized = JSON.stringify(inferProject(root, name, summary, { targetNames, sourceInput, used, environments, frameworkFiles, checks }));
      cache.set(key, serialized);
    }
    const project = JSON.parse(serialized);
    results.push([file, { projects: { [project.root]: project } }]);
  }
  cache.flush();
  return results;
}

/**
 * The environments of a module's esmx.links.json, which become configurations of its targets. A file that is not
 * valid gives none and a warning, never a thrown error: the graph of the whole workspace must still compute, and the
 * module's `build` then fails on the same file with the same message.
 */
function readEnvironmentNames(text: string, path: string): string[] {
  if (text === '') return [];
  try {
    return Object.keys(parseLinksFile(text, path, TAG.graph));
  } catch (error) {
    console.warn(`${(error as Error).message} (its environments are not offered as configurations until then)`);
    return [];
  }
}

const SPEC_FILE = new RegExp(`\\.spec\\.(?:${SPEC_EXTENSIONS.join('|')})$`);
const DEFAULT_TYPECHECK = 'tsc --noEmit -p tsconfig.json';
/** The names Jest looks for in a folder, in its own order of preference. */
const JEST_CONFIG_FILES = ['jest.config.js', 'jest.config.ts', 'jest.config.mjs', 'jest.config.cjs', 'jest.config.mts', 'jest.config.cts', 'jest.config.json'];

/**
 * The module's checks: its specs under src/ (what the generated modules have), its Jest configuration and, when it
 * has a tsconfig.json, the type-check command of its framework (a built-in adapter's checker, else tsc).
 */
function readModuleChecks(moduleDir: string, framework: string | undefined): ModuleChecks {
  const specFiles: string[] = [];
  const walk = (dir: string, depth: number) => {
    let entries: Dirent[];
    try {
      entries = readdirSync(join(moduleDir, dir), { withFileTypes: true });
    } catch {
      // No src/ folder: a module without specs.
      return;
    }
    for (const entry of entries) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory() && depth < 4 && entry.name !== 'node_modules') walk(path, depth + 1);
      else if (entry.isFile() && SPEC_FILE.test(entry.name)) specFiles.push(path);
    }
  };
  walk('src', 0);
  const adapter = BUILT_IN_FRAMEWORKS.find((f) => f.name === framework);
  const typecheck = existsSync(join(moduleDir, 'tsconfig.json')) ? (adapter?.typecheck ?? DEFAULT_TYPECHECK) : undefined;
  const jestConfig = JEST_CONFIG_FILES.find((file) => existsSync(join(moduleDir, file)));
  return { typecheck, jestConfig, specFiles: specFiles.sort() };
}

/** The adapter files of the `frameworks` option: inputs of every bundle, since they decide how sources compile. */
function listFrameworkFiles(options: EsmxPluginOptions | undefined): string[] {
  const frameworks = options?.frameworks;
  if (typeof frameworks !== 'object' || frameworks === null) return [];
  return Object.values(frameworks)
    .filter((file): file is string => typeof file === 'string')
    .map((file) => file.replace(/^\.\//, ''))
    .sort();
}

/** The tuple Nx loads. Nx 23/24 read `createNodes ?? createNodesV2`; both names point at the same tuple. */
export const createNodesV2: CreateNodesV2<EsmxPluginOptions> = [PACKAGE_JSON_GLOB, createEsmxNodes];
/** Same tuple as {@link createNodesV2}, under the name newer Nx versions read first. */
export const createNodes = createNodesV2;
