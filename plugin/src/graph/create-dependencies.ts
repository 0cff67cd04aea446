import {
  DependencyType,
  type CreateDependencies,
  type CreateDependenciesContext,
  type FileData,
  type RawProjectGraphDependency,
} from '@nx/devkit';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_TAG, TAG } from '../constants';
import { openJsonCache } from './lib/json-cache';
import type { EsmxPluginOptions } from './lib/normalize-options';
import { readModuleSummary } from './lib/read-module-summary';

/** Warnings already printed by this process: the daemon recomputes the graph often and one line per name is enough. */
const warned = new Set<string>();

/**
 * One `static` edge consumer → used module for every name in `esmx.uses` that is a workspace project, with the
 * declaring package.json as the source file. Each package.json is read only when its content hash (from Nx's file
 * map) is not in the cache, so a warm run reads nothing and a daemon run reads only what changed. Never throws:
 * a module whose package.json cannot be read or parsed contributes no edges and is reported by `validate`.
 */
export function createEsmxDependencies(
  _options: EsmxPluginOptions | undefined,
  context: CreateDependenciesContext,
): RawProjectGraphDependency[] {
  const cache = openJsonCache(context.workspaceRoot, 'uses');
  const dependencies: RawProjectGraphDependency[] = [];
  for (const [name, project] of Object.entries(context.projects)) {
    if (!project.tags?.includes(PROJECT_TAG.module)) continue;
    const sourceFile = project.root === '.' || project.root === '' ? 'package.json' : `${project.root}/package.json`;
    const uses = readUses(context, name, sourceFile, cache);
    for (const used of uses) {
      if (used === name) continue; // a module using itself is an E_CYCLE for validate, not a graph edge
      if (!context.projects[used]) {
        warnOnce(
          `${TAG.graph} ${sourceFile}: "${name}" uses "${used}", which is not a project in this workspace, so no graph ` +
            `edge was added; it will be mounted from node_modules or an explicit link at build time. ` +
            `If it should be a workspace module, add its package.json (with an "esmx" field) to the workspace.`,
        );
        continue;
      }
      dependencies.push({ source: name, target: used, type: DependencyType.static, sourceFile });
    }
  }
  cache.flush();
  return dependencies;
}

function readUses(
  context: CreateDependenciesContext,
  projectName: string,
  sourceFile: string,
  cache: ReturnType<typeof openJsonCache>,
): string[] {
  const hash = findFileData(context, projectName, sourceFile)?.hash;
  if (hash) {
    const cached = cache.get(`${sourceFile}\0${hash}`);
    if (cached !== undefined) return JSON.parse(cached) as string[];
  }
  let uses: string[] = [];
  try {
    uses = readModuleSummary(readFileSync(join(context.workspaceRoot, sourceFile), 'utf8'))?.uses ?? [];
  } catch {
    // Unreadable (deleted mid-run): no edges; createNodes drops the project on the next computation.
  }
  if (hash) cache.set(`${sourceFile}\0${hash}`, JSON.stringify(uses));
  return uses;
}

function findFileData(context: CreateDependenciesContext, projectName: string, file: string): FileData | undefined {
  // Changed files first: on a daemon run these carry the fresh hash, and the list is short.
  return (
    context.filesToProcess?.projectFileMap?.[projectName]?.find((f) => f.file === file) ??
    context.fileMap?.projectFileMap?.[projectName]?.find((f) => f.file === file)
  );
}

function warnOnce(line: string): void {
  if (warned.has(line)) return;
  warned.add(line);
  console.warn(line);
}

/** Link edges for the Nx graph: see {@link createEsmxDependencies}. */
export const createDependencies: CreateDependencies<EsmxPluginOptions> = createEsmxDependencies;
