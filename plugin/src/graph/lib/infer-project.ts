import type { ProjectConfiguration, TargetConfiguration } from '@nx/devkit';
import { DECLARATION_INPUT, DIST_DIR, EXECUTOR, IMPORT_MAP_FILE, INDEX_FILE, LINK_FILE, PROJECT_TAG, STANDALONE } from '../../constants';
import { LINKS_FILE } from '../../protocol/links-file';
import { inferRoles } from '../../protocol/module-roles';
import type { TargetNames } from './normalize-options';
import type { ModuleSummary } from './read-module-summary';

export interface InferContext {
  targetNames: TargetNames;
  /** `production` when nx.json defines that named input, else Nx's built-in `default`. */
  sourceInput: 'production' | 'default';
  /** Another module of the workspace lists this one in `esmx.uses`. */
  used: boolean;
  /** The module's own checks, read from its folder: its type-check command (when it has a tsconfig.json) and specs. */
  checks?: ModuleChecks;
  /** Environments of the module's esmx.links.json: each becomes a configuration of build, start, serve, standalone. */
  environments?: string[];
  /** Workspace-relative files of the workspace's own framework adapters (plugin option `frameworks`). */
  frameworkFiles?: string[];
}

const TECHNOLOGIES = ['esmx'];

/** What the `test` and `typecheck` targets run, when the module has specs and a Jest config, and a tsconfig.json. */
export interface ModuleChecks {
  typecheck?: string;
  /** The module's Jest configuration file (`jest.config.mjs` in generated modules), relative to its root. */
  jestConfig?: string;
  /** Spec files relative to the module root, sorted. */
  specFiles: string[];
}
/**
 * The package.json of every project this one depends on, transitively: the declarations of the used modules.
 * Written as a dependency fileset rather than `^esmxDeclaration` because Nx fails the whole hash ("Input
 * 'esmxDeclaration' is not defined") as soon as one dependency is not an esmx project (a plain npm workspace
 * package the module depends on). The `esmxDeclaration` named input is still defined on every module for users.
 */
const USED_DECLARATIONS = '^{projectRoot}/package.json';
/** Where the module's used modules live per environment: part of every cache key that links. */
const LINKS_INPUT = `{projectRoot}/${LINKS_FILE}`;
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
  const targets: Record<string, TargetConfiguration> = {
    [names.bundle]: bundleTarget(context),
    [names.build]: linkTarget(names, isApplication),
    ...(isApplication ? serverTargets(context) : {}),
    ...checkTargets(names, context.checks),
    [names.validate]: validateTarget(),
  };
  addConfigurations(targets, names, context.environments ?? []);
  return {
    name,
    root,
    projectType: isApplication ? 'application' : 'library',
    tags: inferTags(summary, context.used),
    namedInputs: { [DECLARATION_INPUT]: ['{projectRoot}/package.json'] },
    metadata: { technologies: TECHNOLOGIES },
    targets,
  };
}

function bundleTarget(context: InferContext): TargetConfiguration {
  return {
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
}

/** The `build` target: the link step, after this module's bundle and the builds of the modules it uses. */
function linkTarget(names: TargetNames, isApplication: boolean): TargetConfiguration {
  return {
    executor: EXECUTOR.link,
    cache: true,
    // The link output is machine-independent (import map under base '/', link.json with relative dirs), so it is
    // cacheable; its inputs are the manifests of everything it links, which is what changes when a remote rebuilds.
    inputs: [
      '{projectRoot}/package.json',
      LINKS_INPUT,
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
}

/** A host's servers (development and production) and its standalone copy. */
function serverTargets({ targetNames: names, sourceInput }: InferContext): Record<string, TargetConfiguration> {
  return {
    [names.serve]: {
      executor: EXECUTOR.serve,
      continuous: true,
      cache: false,
      inputs: [sourceInput, USED_DECLARATIONS],
      outputs: [],
      dependsOn: [],
      metadata: {
        description:
          'Start the development SSR server on 127.0.0.1: builds this module and the modules it uses, and rebuilds them on change.',
        technologies: TECHNOLOGIES,
      },
    },
    [names.start]: {
      executor: EXECUTOR.start,
      continuous: true,
      cache: false,
      inputs: [sourceInput, USED_DECLARATIONS],
      outputs: [],
      dependsOn: [names.build],
      metadata: {
        description: 'Start the production SSR server over the built dist/ of this module and the modules it links.',
        technologies: TECHNOLOGIES,
      },
    },
    [names.standalone]: {
      executor: EXECUTOR.standalone,
      cache: true,
      // What it copies is exactly the outputs of the build tasks it depends on (this module's link file and the
      // client and server files of every module it links), plus the runtime it bundles, which comes with @esmx/nx.
      inputs: [LINKS_INPUT, { dependentTasksOutputFiles: '**/*', transitive: true }, { externalDependencies: ['@esmx/nx'] }],
      outputs: [dist(STANDALONE.dir)],
      dependsOn: [names.build],
      metadata: {
        description:
          'Write dist/standalone/: this host, every module it links from the workspace and the SSR runtime bundled, with an ' +
          'index.mjs and a package.json without dependencies. Copied alone to a server, `node index.mjs` serves it with Node only.',
        technologies: [...TECHNOLOGIES, 'rspack'],
      },
    },
  };
}

/** `test` when the module has specs and a Jest config, `typecheck` when it has a tsconfig.json. */
function checkTargets(names: TargetNames, checks: ModuleChecks | undefined): Record<string, TargetConfiguration> {
  const targets: Record<string, TargetConfiguration> = {};
  if (checks?.jestConfig && checks.specFiles.length) {
    targets[names.test] = {
      executor: 'nx:run-commands',
      options: { command: `jest --config ${checks.jestConfig}`, cwd: '{projectRoot}' },
      cache: true,
      // Sources, specs and the Jest config are the module's files; the transformer comes with @esmx/nx and @swc/jest.
      inputs: ['default', '^default', { externalDependencies: ['jest', '@swc/jest', '@esmx/nx'] }],
      outputs: [],
      metadata: {
        description: `Run this module's specs with Jest (${checks.jestConfig}: the @esmx/nx preset compiles the sources as the server build does).`,
        technologies: [...TECHNOLOGIES, 'jest'],
      },
    };
  }
  if (checks?.typecheck) {
    targets[names.typecheck] = {
      executor: 'nx:run-commands',
      options: { command: checks.typecheck, cwd: '{projectRoot}' },
      cache: true,
      // The types of used modules come from their sources (their package.json `exports`), so their files count too.
      inputs: ['default', '^default'],
      outputs: [],
      metadata: { description: `Type-check this module: ${checks.typecheck}.`, technologies: TECHNOLOGIES },
    };
  }
  return targets;
}

// A new object per project, like every target here: Nx merges into what a plugin returns.
const validateTarget = (): TargetConfiguration => ({
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
});

/**
 * Modes as configurations, part of the cache key: `nx build shell -c development` bundles unminified with source
 * maps (Nx hands a task's configuration to the tasks it depends on that have it). `serve` defaults to development.
 * The environments of esmx.links.json are configurations of every target that links (one named like a mode adds to it).
 */
function addConfigurations(targets: Record<string, TargetConfiguration>, names: TargetNames, environments: string[]): void {
  targets[names.bundle].configurations = { production: { mode: 'production' }, development: { mode: 'development' } };
  targets[names.bundle].defaultConfiguration = 'production';
  if (targets[names.serve]) {
    targets[names.serve].configurations = { development: { mode: 'development' }, production: { mode: 'production' } };
    targets[names.serve].defaultConfiguration = 'development';
  }
  for (const target of [names.build, names.start, names.standalone]) {
    if (!targets[target]) continue;
    targets[target].configurations = { production: {}, development: {} };
    targets[target].defaultConfiguration = 'production';
  }
  for (const environment of environments) {
    for (const target of [names.build, names.start, names.serve, names.standalone]) {
      if (!targets[target]) continue;
      const configurations = (targets[target].configurations ??= {});
      configurations[environment] = { ...configurations[environment], environment };
    }
  }
}

/**
 * Roles from protocol/module-roles.ts (a host is a root of the link graph, a remote is used by another module, a
 * provider serves packages), as tags. Every esmx project also carries `esmx:module`, which createDependencies uses to
 * find the projects to read.
 */
export function inferTags(summary: ModuleSummary, used: boolean): string[] {
  const roles = inferRoles({ hasEntry: summary.hasEntry, exportCount: summary.exportCount, provideCount: summary.provideCount, used });
  return [PROJECT_TAG.module, ...roles.map((role) => PROJECT_TAG[role])];
}
