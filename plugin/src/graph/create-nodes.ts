import type { CreateNodesContext, CreateNodesResultArray, CreateNodesV2 } from '@nx/devkit';
import { readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { hashStrings, openJsonCache } from './lib/json-cache';
import { inferProject } from './lib/infer-project';
import { normalizeOptions, type EsmxPluginOptions } from './lib/normalize-options';
import { readModuleSummary } from './lib/read-module-summary';

export const PACKAGE_JSON_GLOB = '**/package.json';

/** Bump when inferProject's output changes, so that disk caches written by an older plugin are not reused. */
const INFERENCE_VERSION = '2';

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

  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(join(context.workspaceRoot, file), 'utf8');
    } catch {
      // Deleted between Nx's glob and this read: the next graph computation will not list it.
      continue;
    }
    // Most package.json files in a workspace are not modules: skip them before paying for a hash.
    if (!text.includes('"esmx"')) continue;
    const key = hashStrings(settingsKey, file, text);
    let serialized = cache.get(key);
    if (serialized === undefined) {
      serialized = JSON.stringify(inferFromText(file, text, context.workspaceRoot, { targetNames, sourceInput, frameworkFiles }) ?? null);
      cache.set(key, serialized);
    }
    const project = JSON.parse(serialized);
    if (project) results.push([file, { projects: { [project.root]: project } }]);
  }
  cache.flush();
  return results;
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

function inferFromText(
  file: string,
  text: string,
  workspaceRoot: string,
  context: Parameters<typeof inferProject>[3],
) {
  const summary = readModuleSummary(text);
  if (!summary) return undefined;
  const root = dirname(file);
  // A module without a usable name still needs a unique project name; its root path is unique by construction.
  const name = summary.name ?? (root === '.' ? basename(workspaceRoot) : root);
  return inferProject(root, name, summary, context);
}

/** The tuple Nx loads. Nx 23/24 read `createNodes ?? createNodesV2`; both names point at the same tuple. */
export const createNodesV2: CreateNodesV2<EsmxPluginOptions> = [PACKAGE_JSON_GLOB, createEsmxNodes];
/** Same tuple as {@link createNodesV2}, under the name newer Nx versions read first. */
export const createNodes = createNodesV2;
