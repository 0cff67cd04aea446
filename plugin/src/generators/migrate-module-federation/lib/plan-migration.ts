import { isBuiltin } from 'node:module';
import { posix } from 'node:path';
import { findPackageNameProblem } from '../../../protocol/package-name';
import { packageNameOf } from '../../../protocol/installed-version';
import { blankComments, scanImports } from '../../../protocol/scan-imports';
import { createGeneratorError } from '../../lib/generator-error';
import { sortKeys } from '../../lib/sort-keys';
import { renderClientEntry, renderServerEntry } from './render-entries';
import type { ManualStep, MfProjectInput, MigrationInput, MigrationPlan, PlannedModule } from './types';

/** Packages that only Module Federation needs: removed from the root package.json once no MF project is left. */
export const MF_PACKAGES = [
  '@module-federation/enhanced',
  '@module-federation/node',
  '@module-federation/runtime',
  '@module-federation/sdk',
  '@module-federation/utilities',
  '@nx/module-federation',
];
/**
 * Build and dev-server packages of the replaced bundler configs. Each is removed only when no remaining source imports
 * it and no remaining nx.json plugin comes from it. `@rspack/core` goes too: `@esmx/nx:init` then adds the version the
 * plugin is tested with (an older pinned one would stay otherwise).
 */
export const BUNDLER_PACKAGES = [
  '@nx/rspack',
  '@nx/webpack',
  '@rspack/cli',
  '@rspack/core',
  '@rspack/dev-server',
  '@rspack/plugin-react-refresh',
  '@pmmmwh/react-refresh-webpack-plugin',
  // Not `react-refresh`: the esmx dev server's React Fast Refresh runtime is that package.
  'webpack',
  'webpack-cli',
  'webpack-dev-server',
];
/** Frameworks the migration cannot write entries for (React is migrated; a project with no framework is html). */
const UNSUPPORTED_FRAMEWORKS = ['@angular/core', 'vue', 'svelte', 'solid-js', 'preact', 'lit'];
/** Traces of remotes resolved at run time from a manifest (Nx's "dynamic federation"). */
const DYNAMIC_REMOTES = /\bloadRemote\s*\(|\bsetRemoteDefinitions\s*\(|@module-federation\/(enhanced\/)?runtime|@nx\/(react|angular)\/mf|module-federation\.manifest\.json/;
/** Files of an MF app that the esmx entries and the esmx build replace. */
const REPLACED_FILE = /^(module-federation(\.server)?\.config|(rspack|webpack)\.config(\.[\w-]+)?)\.(ts|mts|cts|js|mjs|cjs)$|^server\.(ts|js)$|^tsconfig\.server\.json$|^src\/(main\.(ts|tsx|js|jsx)|bootstrap\.(ts|tsx|js|jsx)|main\.server\.(ts|tsx)|index\.html)$/;
/** Targets of the replaced bundler (inferred by @nx/rspack or @nx/webpack, or configured in project.json). */
const REPLACED_TARGETS = new Set(['build', 'serve', 'serve-static', 'server', 'preview', 'build-deps', 'watch-deps', 'serve-server', 'serve-browser']);
const REPLACED_EXECUTOR = /^@nx\/(rspack|webpack|module-federation)[:/]|^@nx\/react:module-federation/;
const SCRIPT = /\.(ts|tsx|js|jsx|mjs|cjs|mts|cts)$/;

/** The provider module of the shared packages: an existing one (extended), or a new one under libs/. */
interface Provider {
  name: string;
  root: string;
  existed: boolean;
  existingProvides: string[];
  packageJson?: Record<string, any>;
}

/** What every step of the plan reads, and where each adds its part (in the order the report prints them). */
interface PlanContext {
  input: MigrationInput;
  /** The root package.json's dependencies and devDependencies, by package. */
  rootDeps: Record<string, string>;
  provider: Provider;
  /** An import of an npm dependency of the workspace (not a file, a Node built-in or another app). */
  isNpmSpecifier(specifier: string): boolean;
  writes: Record<string, string>;
  removes: string[];
  manual: ManualStep[];
  changes: string[];
}

/**
 * Turns what was read from the workspace into the whole migration: every file to write or remove and every JSON
 * change, or a generator error when the input cannot be migrated. Pure: the generator checks everything here before
 * its first write, so a refused run leaves the workspace as it was.
 */
export function planMigration(input: MigrationInput): MigrationPlan {
  if (input.mfProjects.length === 0) {
    throw createGeneratorError(
      'expected at least one Nx project with a module-federation.config.ts (or .js) at its root, found none in this workspace.',
      'run this generator in the workspace that holds the Module Federation apps (made by nx g @nx/react:host / :remote)',
    );
  }
  const byName = new Map(input.mfProjects.map((project) => [project.config.name, project]));
  for (const project of input.mfProjects) assertNameIsValid(project);
  const manual: ManualStep[] = [];
  const migrated = selectMigrated(selectProjects(input, byName), manual);
  const rootDeps: Record<string, string> = { ...(input.rootPackageJson.devDependencies ?? {}), ...(input.rootPackageJson.dependencies ?? {}) };
  const context: PlanContext = {
    input,
    rootDeps,
    provider: chooseProvider(input),
    isNpmSpecifier: (specifier) =>
      !specifier.startsWith('.') && !specifier.startsWith('/') && !isBuiltin(specifier) && !byName.has(specifier.split('/')[0]) && rootDeps[packageNameOf(specifier)] !== undefined,
    writes: {},
    removes: [],
    manual,
    changes: [],
  };
  const migratedNames = new Set(migrated.map((project) => project.config.name));
  // Entries first: their imports count among what each module uses and what the provider shares.
  const imported = new Map(migrated.map((project) => [project.config.name, planEntries(context, project)]));
  const providerPackageJson = planProvider(context, migrated, imported);
  const modules = migrated.map((project) => planModulePackage(context, project, imported.get(project.config.name)!, migratedNames));
  reportProdRemotes(migrated, manual);
  for (const project of migrated) {
    for (const key of [...project.config.ignoredKeys, ...(project.serverConfig?.ignoredKeys ?? [])]) {
      manual.push({ where: project.config.file, what: `the key \`${key}\` has no esmx counterpart and was dropped`, todo: 'check whether your app still needs it' });
    }
  }
  const { removes, changes, provider } = context;
  if (removes.length) changes.push(`replaced ${removes.length} Module Federation, bundler and server files (${removes.map((path) => posix.basename(path)).filter((v, i, a) => a.indexOf(v) === i).join(', ')})`);
  const cleanup = planRootCleanup(context, migrated, migratedNames);
  return {
    provider: { name: provider.name, root: provider.root, packageJson: providerPackageJson, existed: provider.existed },
    modules,
    writes: context.writes,
    removes: removes.sort(),
    ...cleanup,
    manual,
    changes,
  };
}

/** The selected projects whose framework the migration writes entries for; the others become manual steps. */
function selectMigrated(selected: MfProjectInput[], manual: ManualStep[]): MfProjectInput[] {
  return selected.filter((project) => {
    const framework = detectFramework(project);
    if (framework === 'react' || framework === 'html') return true;
    manual.push({
      where: `${project.root} (${framework})`,
      what: `${project.config.name} uses ${framework}; this generator writes React and plain-HTML entries only`,
      todo: `move it to an esmx module by hand: nx g @esmx/nx:app <dir> --role=${isHost(project) ? 'host' : 'remote'} shows the shape, then export its exposes under esmx.exports`,
    });
    return false;
  });
}

/** An app's entries (from its bootstrap), the MF files they replace, and every specifier its remaining code and entries import. */
function planEntries({ rootDeps, writes, removes, manual }: PlanContext, project: MfProjectInput): Set<string> {
  const remaining = Object.entries(project.sources).filter(([path]) => !REPLACED_FILE.test(relativeTo(project.root, path)));
  for (const path of project.files) if (REPLACED_FILE.test(relativeTo(project.root, path))) removes.push(path);
  const entrySources: string[] = [];
  if (project.bootstrap) {
    const routerVersion = rootDeps['react-router-dom'] ?? rootDeps['react-router'];
    const entryInput = {
      name: project.config.name,
      title: project.title ?? project.config.name,
      bootstrap: project.bootstrap,
      staticRouterFrom: /^[~^]?6\./.test(routerVersion ?? '') && project.bootstrap.browserRouter?.from === 'react-router-dom' ? 'react-router-dom/server' : 'react-router',
    };
    writes[`${project.root}/src/entry.client.tsx`] = renderClientEntry(entryInput);
    writes[`${project.root}/src/entry.server.tsx`] = renderServerEntry(entryInput);
    entrySources.push(writes[`${project.root}/src/entry.client.tsx`], writes[`${project.root}/src/entry.server.tsx`]);
  } else {
    manual.push({
      where: `${project.root}/src/bootstrap`,
      what: 'no `root.render(<jsx>)` call to hydrate was found, so no entry.client / entry.server was written',
      todo: 'write src/entry.server.tsx (default-export render(rc)) and src/entry.client.tsx yourself and add them to esmx.entry (see the @esmx/nx README, "Server entries")',
    });
  }
  const specifiers = new Set<string>();
  for (const source of [...remaining.map(([, text]) => text), ...entrySources]) {
    for (const found of scanImports(source)) specifiers.add(found.specifier);
  }
  if (remaining.some(([path]) => /\.(tsx|jsx)$/.test(path)) || entrySources.length) specifiers.add('react/jsx-runtime');
  reportRunTimeConstructs(project, remaining, manual);
  return specifiers;
}

/** The provider's package.json: Nx's default shares every npm dependency the apps import, each as a singleton. */
function planProvider(context: PlanContext, migrated: MfProjectInput[], imported: Map<string, Set<string>>): Record<string, any> {
  const { provider, rootDeps, manual } = context;
  const runtimeDeps = new Set(Object.keys(context.input.rootPackageJson.dependencies ?? {}));
  const provides = new Set<string>(provider.existingProvides);
  const singletons = new Set<string>();
  for (const project of migrated) {
    const specifiers = [...imported.get(project.config.name)!].filter(context.isNpmSpecifier);
    const shared = project.config.shared;
    if (shared.kind === 'function' && !shared.eagerOnly) {
      manual.push({
        where: `${project.config.file}:${shared.line}`,
        what: 'a `shared` function decides per package what to share; it was not run',
        todo: `every npm dependency the app imports is provided by ${provider.name} (Nx's default); edit esmx.provides in ${provider.root}/package.json to change that`,
      });
    }
    if (shared.kind === 'list') {
      const listed = new Map(shared.packages.map((pkg) => [pkg.name, pkg.singleton]));
      for (const extra of project.config.additionalShared) listed.set(extra, true);
      for (const specifier of specifiers) if (listed.has(packageNameOf(specifier))) provides.add(specifier);
      for (const [pkg, singleton] of listed) {
        if (!specifiers.some((specifier) => packageNameOf(specifier) === pkg) && rootDeps[pkg]) provides.add(pkg);
        if (singleton) singletons.add(pkg);
      }
    } else {
      for (const specifier of specifiers) {
        // Type packages and build tools are devDependencies; Nx shares the runtime dependencies.
        if (runtimeDeps.has(packageNameOf(specifier)) || project.config.additionalShared.includes(packageNameOf(specifier))) {
          provides.add(specifier);
          singletons.add(packageNameOf(specifier));
        }
      }
    }
  }
  // react-dom/client and react-dom/server run on react-dom's internals: one copy of those for every module too.
  if ([...provides].some((specifier) => specifier.startsWith('react-dom/'))) provides.add('react-dom');
  if (provides.has('react/jsx-runtime')) provides.add('react');
  const providerPackages = [...new Set([...provides].map(packageNameOf))].sort();
  // react, react-dom, vue and preact are always single; esmx.singletons lists the others, each provided here.
  const extraSingletons = [...singletons].filter((pkg) => !['react', 'react-dom', 'vue', 'preact'].includes(pkg) && providerPackages.includes(pkg)).sort();
  const packageJson = {
    ...(provider.packageJson ?? { name: provider.name, version: '0.0.0', private: true, type: 'module' }),
    dependencies: sortKeys({
      ...(provider.packageJson?.dependencies ?? {}),
      ...Object.fromEntries(providerPackages.map((pkg) => [pkg, rootDeps[pkg]])),
    }),
    esmx: {
      ...(provider.packageJson?.esmx ?? {}),
      provides: [...provides].sort(),
      ...(extraSingletons.length ? { singletons: [...new Set([...(provider.packageJson?.esmx?.singletons ?? []), ...extraSingletons])].sort() } : {}),
    },
  };
  context.writes[`${provider.root}/package.json`] = json(packageJson);
  context.changes.push(`${provider.existed ? 'extended' : 'created'} the provider ${provider.name} (${provider.root}): provides ${[...provides].sort().join(', ')}`);
  return packageJson;
}

/** One app as an npm-workspace package: its package.json (esmx field, dependencies, port), and its project.json without the bundler targets. */
function planModulePackage(context: PlanContext, project: MfProjectInput, specifiers: Set<string>, migratedNames: Set<string>): PlannedModule {
  const { provider, rootDeps, writes, manual, changes } = context;
  const name = project.config.name;
  const uses = [provider.name];
  for (const remote of project.config.remotes) {
    if (remote.url) {
      manual.push({
        where: project.config.file,
        what: `the remote ${remote.name} is loaded from ${remote.url} at run time and is not an app of this workspace`,
        todo: `build ${remote.name} as an esmx module, then link it: nx run ${name}:build --links.${remote.name}=<its deployed URL>/client/ (and add it to esmx.uses of ${project.root}/package.json)`,
      });
    } else if (migratedNames.has(remote.name)) {
      uses.push(remote.name);
    }
  }
  const dependencies: Record<string, string> = {};
  for (const specifier of specifiers) {
    if (!context.isNpmSpecifier(specifier)) continue;
    const pkg = packageNameOf(specifier);
    dependencies[pkg] = rootDeps[pkg];
  }
  for (const used of uses) dependencies[used] = '*';
  const role = isHost(project) ? 'host' : 'remote';
  const esmx: Record<string, unknown> = {};
  if (project.bootstrap) esmx.entry = { client: './src/entry.client.tsx', server: './src/entry.server.tsx' };
  if (Object.keys(project.config.exposes).length) esmx.exports = { ...project.config.exposes };
  esmx.uses = uses;
  const port = readServePort(project);
  const existing = project.packageJson ?? {};
  const packageJson: Record<string, any> = {
    name,
    version: existing.version ?? '0.0.0',
    private: existing.private ?? true,
    type: 'module',
    ...existing,
    dependencies: sortKeys({ ...(existing.dependencies ?? {}), ...dependencies }),
    esmx,
  };
  packageJson.name = name;
  if (port !== undefined) {
    packageJson.nx = { ...(existing.nx ?? {}), targets: { serve: { options: { port } }, start: { options: { port } } } };
  }
  writes[`${project.root}/package.json`] = json(packageJson);
  changes.push(
    `${project.root}/package.json: npm-workspace package ${name} (${role})` +
      (esmx.exports ? `, exports ${Object.keys(esmx.exports as object).join(', ')}` : '') +
      `, uses ${uses.join(', ')}`,
  );
  if (project.bootstrap) changes.push(`${project.root}/src/entry.client.tsx, entry.server.tsx: written from src/bootstrap and src/main.server (SSR waits for lazy remotes)`);
  if (project.projectJson) {
    const projectJson = removeReplacedTargets(project.projectJson);
    if (JSON.stringify(projectJson) !== JSON.stringify(project.projectJson)) {
      writes[`${project.root}/project.json`] = json(projectJson);
      changes.push(`${project.root}/project.json: removed the bundler targets (${Object.keys(project.projectJson.targets ?? {}).filter((t) => !(t in (projectJson.targets ?? {}))).join(', ')}); esmx infers build, serve, start`);
    }
  }
  if (project.files.some((path) => /\/src\/(assets\/|favicon\.ico$)/.test(path) && !path.endsWith('.gitkeep'))) {
    manual.push({
      where: `${project.root}/src/assets, favicon.ico`,
      what: 'static assets were copied by the MF build; the esmx build emits only what the code imports',
      todo: 'import assets from code (Rspack emits them with a hash) or serve them from your reverse proxy',
    });
  }
  return { name, project: project.project, root: project.root, role, packageJson };
}

/** Root dependencies and nx.json plugins that nothing needs any more (none while an MF project is left). */
function planRootCleanup(
  { input, rootDeps, writes, changes }: PlanContext,
  migrated: MfProjectInput[],
  migratedNames: Set<string>,
): Pick<MigrationPlan, 'rootPackageJson' | 'nxJson' | 'removedDependencies'> {
  const leftMf = input.mfProjects.some((project) => !migratedNames.has(project.config.name));
  const stillImported = new Set<string>();
  const keep = (source: string) => scanImports(source).forEach((found) => stillImported.add(packageNameOf(found.specifier)));
  Object.values(input.otherSources).forEach(keep);
  for (const project of migrated) {
    for (const [path, source] of Object.entries(project.sources)) if (!REPLACED_FILE.test(relativeTo(project.root, path))) keep(source);
    for (const path of Object.keys(writes)) if (path.startsWith(`${project.root}/`) && SCRIPT.test(path)) keep(writes[path]);
  }
  const removedImports = new Set<string>();
  for (const project of migrated) {
    for (const [path, source] of Object.entries(project.sources)) {
      if (REPLACED_FILE.test(relativeTo(project.root, path))) scanImports(source).forEach((found) => removedImports.add(packageNameOf(found.specifier)));
    }
  }
  const candidates = leftMf ? [] : [...MF_PACKAGES, ...BUNDLER_PACKAGES, ...removedImports];
  const removedDependencies = [
    ...new Set(candidates.filter((pkg) => rootDeps[pkg] !== undefined && !stillImported.has(pkg) && pkg !== 'react' && pkg !== 'react-dom' && pkg !== '@nx/devkit' && pkg !== 'nx')),
  ];
  for (const pkg of Object.keys(rootDeps)) {
    // @types/express goes with express.
    const typed = pkg.startsWith('@types/') ? pkg.slice('@types/'.length).replace(/^(.+)__/, '@$1/') : undefined;
    if (typed && removedDependencies.includes(typed) && !stillImported.has(typed)) removedDependencies.push(pkg);
  }
  removedDependencies.sort();
  const rootPackageJson = structuredClone(input.rootPackageJson);
  for (const field of ['dependencies', 'devDependencies']) {
    for (const pkg of removedDependencies) delete rootPackageJson[field]?.[pkg];
  }
  if (removedDependencies.length) changes.push(`root package.json: removed ${removedDependencies.join(', ')}`);
  const nxJson = structuredClone(input.nxJson);
  const removedPlugin = (plugin: string) => removedDependencies.some((pkg) => plugin === pkg || plugin.startsWith(`${pkg}/`));
  if (Array.isArray(nxJson.plugins)) {
    const before = nxJson.plugins.length;
    nxJson.plugins = nxJson.plugins.filter((entry: string | { plugin: string }) => !removedPlugin(typeof entry === 'string' ? entry : entry.plugin));
    if (nxJson.plugins.length !== before) changes.push('nx.json: removed the graph plugins of the removed bundler packages');
  }
  for (const executor of Object.keys(nxJson.targetDefaults ?? {})) {
    if (removedPlugin(executor.split(':')[0])) delete nxJson.targetDefaults[executor];
  }
  return { rootPackageJson, nxJson, removedDependencies };
}

function assertNameIsValid(project: MfProjectInput): void {
  const problem = findPackageNameProblem(project.config.name);
  if (!problem) return;
  const suggestion = project.config.name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase().replace(/[^a-z0-9._-]+/g, '-');
  throw createGeneratorError(
    `expected each Module Federation name to be a valid npm package name (it becomes the module's package name and its import prefix), found "${project.config.name}" in ${project.config.file}: ${problem}.`,
    `rename it first, e.g. to "${suggestion}": the \`name\` in ${project.config.file}, the hosts' \`remotes\` and their import('${project.config.name}/…') calls, then re-run`,
  );
}

function selectProjects(input: MigrationInput, byName: Map<string, MfProjectInput>): MfProjectInput[] {
  for (const project of input.mfProjects) {
    for (const remote of project.config.remotes) {
      if (!remote.url && !byName.has(remote.name)) {
        throw createGeneratorError(
          `expected every remote of ${project.config.name} to be a Module Federation app of this workspace, found "${remote.name}" in ${project.config.file} without a module-federation.config of its own.`,
          `remove "${remote.name}" from remotes, write it as a [name, url] tuple if it is deployed elsewhere, or add its project, then re-run`,
        );
      }
    }
  }
  if (!input.project) return input.mfProjects;
  const start = input.mfProjects.find((project) => project.project === input.project || project.config.name === input.project);
  if (!start) {
    throw createGeneratorError(
      `--project=${input.project}: expected a project with a module-federation.config, found ${input.projectNames.includes(input.project) ? 'a project without one' : 'no such project'} (Module Federation projects: ${input.mfProjects.map((p) => p.project).join(', ')}).`,
      'pass one of those projects, or leave --project out to migrate them all',
    );
  }
  const seen = new Map<string, MfProjectInput>();
  const visit = (project: MfProjectInput) => {
    if (seen.has(project.config.name)) return;
    seen.set(project.config.name, project);
    for (const remote of project.config.remotes) if (!remote.url) visit(byName.get(remote.name) as MfProjectInput);
  };
  visit(start);
  return [...seen.values()];
}

function chooseProvider(input: MigrationInput): Provider {
  const mfNames = new Set(input.mfProjects.map((project) => project.config.name));
  for (const name of ['shared', 'mf-shared', 'esmx-shared']) {
    const existing = input.packages.find((pkg) => pkg.name === name);
    if (existing?.provides) return { name, root: existing.root, existed: true, existingProvides: existing.provides };
    if (existing || mfNames.has(name) || input.projectNames.includes(name)) continue;
    if (input.packages.some((pkg) => pkg.root === `libs/${name}`)) continue;
    return { name, root: `libs/${name}`, existed: false, existingProvides: [] };
  }
  throw createGeneratorError(
    'expected a free name for the provider of the shared packages, found shared, mf-shared and esmx-shared all taken by projects that provide nothing.',
    'rename one of those projects, or turn one of them into a provider (an esmx.provides list), then re-run',
  );
}

function detectFramework(project: MfProjectInput): string {
  const specifiers = Object.values(project.sources).flatMap((source) => scanImports(source).map((found) => packageNameOf(found.specifier)));
  const other = UNSUPPORTED_FRAMEWORKS.find((framework) => specifiers.includes(framework));
  if (other) return other;
  return specifiers.includes('react') || specifiers.includes('react-dom') ? 'react' : 'html';
}

function isHost(project: MfProjectInput): boolean {
  return project.config.remotes.length > 0 || Object.keys(project.config.exposes).length === 0;
}

function reportRunTimeConstructs(project: MfProjectInput, sources: Array<[string, string]>, manual: ManualStep[]): void {
  for (const [path, source] of sources) {
    if (DYNAMIC_REMOTES.test(blankComments(source))) {
      manual.push({
        where: path,
        what: 'remotes are resolved at run time (loadRemote / a module-federation manifest), which a build cannot see',
        todo: "list those remotes in esmx.uses, import them as import('<remote>/<export>'), and map deployed URLs with --links.<remote>=<url>/client/ at build time",
      });
    }
  }
}

/** Production remote URLs in `rspack.config.prod.ts` / `webpack.config.prod.ts` (`['shop', 'http://…']` tuples). */
function reportProdRemotes(projects: MfProjectInput[], manual: ManualStep[]): void {
  for (const project of projects) {
    for (const [path, source] of Object.entries(project.sources)) {
      if (!/(rspack|webpack)\.config\.[\w-]+\.(ts|js|mjs|cjs)$/.test(path)) continue;
      const tuples = [...blankComments(source).matchAll(/\[\s*(['"`])([^'"`]+)\1\s*,\s*(['"`])(https?:[^'"`]+)\3\s*\]/g)].map((m) => `${m[2]} → ${m[4]}`);
      if (tuples.length) {
        manual.push({
          where: path,
          what: `production remote URLs (${tuples.join(', ')}) are not carried over`,
          todo: `by default the host serves its remotes itself (nx run ${project.config.name}:start); to load a remote from its own URL, deploy its dist/ there and build the host with --links.<remote>=<url>/client/`,
        });
      }
    }
  }
}

function readServePort(project: MfProjectInput): number | undefined {
  const port = project.projectJson?.targets?.serve?.options?.port;
  return typeof port === 'number' && Number.isInteger(port) ? port : undefined;
}

function removeReplacedTargets(projectJson: Record<string, any>): Record<string, any> {
  const targets = Object.fromEntries(
    Object.entries(projectJson.targets ?? {}).filter(([name, target]: [string, any]) => {
      if (REPLACED_EXECUTOR.test(target?.executor ?? '')) return false;
      if (!REPLACED_TARGETS.has(name)) return true;
      // An options-only entry configured the inferred bundler target; a run-commands one ran the MF server.
      return !(target?.executor === undefined || target?.executor === 'nx:run-commands');
    }),
  );
  return { ...projectJson, targets };
}

function relativeTo(root: string, path: string): string {
  return path.startsWith(`${root}/`) ? path.slice(root.length + 1) : path;
}

function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}
