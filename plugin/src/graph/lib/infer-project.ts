import type { ProjectConfiguration, TargetConfiguration } from '@nx/devkit';
import { DECLARATION_INPUT, DIST_DIR, EXECUTOR, IMPORT_MAP_FILE, INDEX_FILE, LINK_FILE, PROJECT_TAG } from '../../constants';
import type { TargetNames } from './normalize-options';
import type { ModuleSummary } from './read-module-summary';

export interface InferContext {
  targetNames: TargetNames;
  /** `production` when nx.json defines that named input, else Nx's built-in `default`. */
  sourceInput: 'production' | 'default';
  /** Workspace-relative files of the workspace's own framework adapters (plugin option `frameworks`). */
  frameworkFiles?: string[];
}

const TECHNOLOGIES = ['esmx'];
/**
 * The package.json of every project this one depends on, transitively: the declarations of the used modules.
 * Written as a dependency fileset rather than `^esmxDeclaration` because Nx fails the whole hash ("Input
 * 'esmxDeclaration' is not defined") as soon as one dependency is not an esmx project (a plain npm workspace
 * package the module depends on). The `esmxDeclaration` named input is still defined on every module for users.
 */
const USED_DECLARATIONS = '^{projectRoot}/package.json';
const dist = (file: string) => `{projectRoot}/${DIST_DIR}/${file}`;

/**
 * Builds the Nx project of one esmx module. The split between `bundle` and `build` is what makes import maps
 * "affected" without rebuilding hosts: `bundle` depends only on the module's own files and on the *declarations* of
 * the modules it uses (their exports and provides decide what is externalized), so a remote's code change leaves a
 * host's bundle a cache hit; `build` is the cheap link step whose inputs are the built manifests of the whole `uses`
 * closure, so it reruns and rewrites the host's import map.
 */
export function inferProject(
  root: string,
  name: string,
  summary: ModuleSummary,
  context: InferContext,
): ProjectConfiguration {
  const names = context.targetNames;
  const isApplication = summary.hasEntry;
  const targets: Record<string, TargetConfiguration> = {};

  targets[names.bundle] = {
    executor: EXECUTOR.bundle,
    options: { link: false },
    cache: true,
    inputs: [
      context.sourceInput,
      '{projectRoot}/package.json',
      `!{projectRoot}/${DIST_DIR}/**`,
      USED_DECLARATIONS,
      ...(context.frameworkFiles ?? []).map((file) => `{workspaceRoot}/${file}`),
    ],
    outputs: [dist('client'), dist('server'), dist(INDEX_FILE)],
    dependsOn: [],
    metadata: {
      description:
        'Bundle this module with Rspack into native ES modules for the browser and Node, with build manifests. ' +
        'Cached on its own sources and on the declarations (not the code) of the modules it uses.',
      technologies: [...TECHNOLOGIES, 'rspack'],
    },
  };

  targets[names.build] = {
    executor: EXECUTOR.link,
    cache: true,
    // The link output is machine-independent (import map under base '/', link.json with relative dirs), so it is
    // cacheable; its inputs are the manifests of everything it links, which is what changes when a remote rebuilds.
    inputs: [
      '{projectRoot}/package.json',
      USED_DECLARATIONS,
      { dependentTasksOutputFiles: `**/${'manifest.json'}`, transitive: true },
    ],
    outputs: isApplication ? [dist(IMPORT_MAP_FILE), dist(LINK_FILE)] : [dist(LINK_FILE)],
    dependsOn: [names.bundle, `^${names.build}`],
    metadata: {
      description: isApplication
        ? 'Link this module: write dist/importmap.json and dist/link.json from the built manifests of the modules it uses. ' +
          'Reruns when a used module is rebuilt; its own bundle stays cached.'
        : 'Link this library module: write dist/link.json from the built manifests of the modules it uses.',
      technologies: TECHNOLOGIES,
    },
  };

  if (isApplication) {
    targets[names.serve] = {
      executor: EXECUTOR.serve,
      continuous: true,
      cache: false,
      inputs: [context.sourceInput, USED_DECLARATIONS],
      outputs: [],
      dependsOn: [],
      metadata: {
        description:
          'Start the development SSR server on 127.0.0.1: builds this module and the modules it uses, and rebuilds them on change.',
        technologies: TECHNOLOGIES,
      },
    };
    targets[names.start] = {
      executor: EXECUTOR.start,
      continuous: true,
      cache: false,
      inputs: [context.sourceInput, USED_DECLARATIONS],
      outputs: [],
      dependsOn: [names.build],
      metadata: {
        description: 'Start the production SSR server over the built dist/ of this module and the modules it links.',
        technologies: TECHNOLOGIES,
      },
    };
  }

  targets[names.validate] = {
    executor: EXECUTOR.validate,
    // Validation looks at other modules' package.json and build state and may write a --graph page, so it always runs.
    cache: false,
    inputs: ['{projectRoot}/package.json', USED_DECLARATIONS],
    outputs: [],
    dependsOn: [],
    metadata: {
      description:
        'Check the esmx declaration and the whole uses closure (schema, mounts, providers and versions, cycles) and print ' +
        'every problem with its fix. --graph=<file.html> writes the module-link graph as a page.',
      technologies: TECHNOLOGIES,
    },
  };

  return {
    name,
    root,
    projectType: isApplication ? 'application' : 'library',
    tags: inferTags(summary),
    namedInputs: { [DECLARATION_INPUT]: ['{projectRoot}/package.json'] },
    metadata: { technologies: TECHNOLOGIES },
    targets,
  };
}

/**
 * Roles, not exclusive: a host renders pages and links other modules (an entry and at least one `uses`); a remote can
 * be imported by others (at least one export); a provider serves third-party packages (at least one `provides`).
 * Every esmx project also carries `esmx:module`, which createDependencies uses to find the projects to read.
 */
export function inferTags(summary: ModuleSummary): string[] {
  const tags: string[] = [PROJECT_TAG.module];
  if (summary.hasEntry && summary.uses.length > 0) tags.push(PROJECT_TAG.host);
  if (summary.exportCount > 0) tags.push(PROJECT_TAG.remote);
  if (summary.provideCount > 0) tags.push(PROJECT_TAG.provider);
  return tags;
}
