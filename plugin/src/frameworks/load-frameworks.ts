import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { parse, type ParseError } from 'jsonc-parser';
import { TAG } from '../constants';
import { isRecord } from '../utils/is-record';
import { importOrRequire, readDefaultExport } from '../utils/import-file';
import { findClosest } from '../utils/suggest';
import { BUILT_IN_FRAMEWORKS, DEFAULT_FRAMEWORK } from './registry';
import type { FrameworkAdapter } from './types';

/** The graph plugin's entry in nx.json `plugins`, whose `options.frameworks` names the workspace's own adapters. */
const PLUGIN_NAME = '@esmx/nx/plugin';

/** Every framework a workspace can use: the built-in ones, then its own (which may not reuse a built-in name). */
export interface FrameworkTable {
  adapters: Map<string, FrameworkAdapter>;
  /** Where the workspace's own adapters were loaded from, by name (for messages). */
  sources: Map<string, string>;
}

/** An error printed as its message alone (a diagnostic, not a stack into the plugin). */
export class FrameworkError extends Error {
  constructor(message: string) {
    super(message);
    this.stack = message;
  }
}

/** The workspace root above `dir`: the nearest folder with an nx.json, else undefined. */
export function findWorkspaceRoot(dir: string): string | undefined {
  for (let current = resolve(dir); ; current = dirname(current)) {
    if (existsSync(join(current, 'nx.json'))) return current;
    if (dirname(current) === current) return undefined;
  }
}

/** `options.frameworks` of the @esmx/nx/plugin entry of `<workspaceRoot>/nx.json`: name → adapter file. */
export function readFrameworkOption(workspaceRoot: string | undefined): Record<string, string> {
  if (!workspaceRoot || !existsSync(join(workspaceRoot, 'nx.json'))) return {};
  const errors: ParseError[] = [];
  const nxJson: unknown = parse(readFileSync(join(workspaceRoot, 'nx.json'), 'utf8'), errors, { allowTrailingComma: true });
  // A broken nx.json is Nx's to report: the workspace then has no adapters of its own here.
  return errors.length ? {} : readFrameworksOf(nxJson);
}

/** `options.frameworks` of the @esmx/nx/plugin entry of a parsed nx.json (`{}` when there is none). */
export function readFrameworksOf(nxJson: unknown): Record<string, string> {
  if (!isRecord(nxJson) || !Array.isArray(nxJson.plugins)) return {};
  const entry = nxJson.plugins.find((p: unknown) => isRecord(p) && p.plugin === PLUGIN_NAME);
  const option = isRecord(entry) && isRecord(entry.options) ? entry.options.frameworks : undefined;
  if (option === undefined) return {};
  if (!isRecord(option) || Object.values(option).some((file) => typeof file !== 'string')) {
    throw new FrameworkError(
      `${TAG.framework} expected the "frameworks" option of the ${PLUGIN_NAME} entry in nx.json to map names to adapter files, found ${JSON.stringify(option)}. ` +
        'Fix: write "frameworks": { "<name>": "tools/<name>-framework.mjs" } (paths relative to the workspace root).',
    );
  }
  return option as Record<string, string>;
}

/**
 * The built-in adapters plus the workspace's own: the files `option` names (default: the `frameworks` option read from
 * `<workspaceRoot>/nx.json`), relative to `workspaceRoot`.
 */
export async function loadFrameworks(
  workspaceRoot: string | undefined,
  option: Record<string, string> = readFrameworkOption(workspaceRoot),
): Promise<FrameworkTable> {
  const adapters = new Map(BUILT_IN_FRAMEWORKS.map((adapter) => [adapter.name, adapter]));
  const sources = new Map<string, string>();
  for (const [name, file] of Object.entries(option)) {
    if (adapters.has(name)) {
      throw new FrameworkError(
        `${TAG.framework} expected the "frameworks" option in nx.json to name new frameworks, found "${name}", which is built in. ` +
          `Fix: give the adapter in ${file} another name (e.g. "${name}-custom").`,
      );
    }
    const path = isAbsolute(file) ? file : resolve(workspaceRoot ?? '.', file);
    adapters.set(name, await loadAdapterFile(name, path));
    sources.set(name, path);
  }
  return { adapters, sources };
}

/** Loads and checks the adapter a workspace defines in `path` (default export, `FrameworkAdapter` shape). */
export async function loadAdapterFile(name: string, path: string): Promise<FrameworkAdapter> {
  if (!existsSync(path)) {
    throw new FrameworkError(
      `${TAG.framework} expected the adapter of framework "${name}" at ${path} (the "frameworks" option in nx.json), found no file. ` +
        'Fix: create it or correct the path (relative to the workspace root).',
    );
  }
  let loaded: unknown;
  try {
    loaded = /\.[cm]?ts$/.test(path) ? require(path) : await importOrRequire(path);
  } catch (error) {
    throw new FrameworkError(
      `${TAG.framework} could not load the adapter of framework "${name}" from ${path}: ${(error as Error).message.split('\n')[0]}. ` +
        'Fix: correct the file (a .ts adapter needs a TypeScript loader, which Nx provides; otherwise use .mjs or .cjs).',
    );
  }
  const exported = readDefaultExport(loaded);
  const adapter = isRecord(exported) && !('name' in exported) ? readDefaultExport(exported) : exported;
  const problem = findAdapterProblem(adapter, name);
  if (problem) {
    throw new FrameworkError(
      `${TAG.framework} expected ${path} to default-export a framework adapter named "${name}", but ${problem}. ` +
        'Fix: export default { name, description, templates, sourceExtension, provides, dependencies, rules? } (see "Framework adapters" in the @esmx/nx README).',
    );
  }
  const checked = adapter as FrameworkAdapter;
  return { ...checked, templates: isAbsolute(checked.templates) ? checked.templates : resolve(dirname(path), checked.templates) };
}

function findAdapterProblem(adapter: unknown, name: string): string | undefined {
  if (!isRecord(adapter)) return `found ${adapter === null ? 'null' : typeof adapter}`;
  if (adapter.name !== name) return `its name is ${JSON.stringify(adapter.name)}`;
  for (const key of ['description', 'templates'] as const) {
    if (typeof adapter[key] !== 'string') return `its "${key}" is ${JSON.stringify(adapter[key])} (expected a string)`;
  }
  if (adapter.sourceExtension !== 'ts' && adapter.sourceExtension !== 'tsx') {
    return `its "sourceExtension" is ${JSON.stringify(adapter.sourceExtension)} (expected "ts" or "tsx")`;
  }
  if (!Array.isArray(adapter.provides)) return `its "provides" is ${JSON.stringify(adapter.provides)} (expected an array)`;
  if (!isRecord(adapter.dependencies)) return `its "dependencies" is ${JSON.stringify(adapter.dependencies)} (expected an object)`;
  for (const key of ['rules', 'plugins'] as const) {
    if (adapter[key] !== undefined && typeof adapter[key] !== 'function') return `its "${key}" is not a function`;
  }
  return undefined;
}

/**
 * The adapter named `name` (the default framework when undefined). `where` says who named it (`--framework`,
 * `esmx.framework of cart`); an unknown name lists the known ones.
 */
export function findFramework(table: FrameworkTable, name: string | undefined, where: string): FrameworkAdapter {
  const adapter = table.adapters.get(name ?? DEFAULT_FRAMEWORK);
  if (adapter) return adapter;
  const known = [...table.adapters.keys()];
  const closest = findClosest(String(name), known);
  throw new FrameworkError(
    `${TAG.framework} expected ${where} to be one of ${known.join(', ')}, found "${name}". ` +
      `Fix: ${closest ? `use "${closest}"` : `use one of ${known.join(', ')}`}, or register your own adapter under "frameworks" in the options of the ${PLUGIN_NAME} entry of nx.json.`,
  );
}
