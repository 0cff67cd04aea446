import { findClosest } from '../../utils/suggest';
import type { Tree } from '@nx/devkit';
import { logger, updateJson } from '@nx/devkit';
import { GENERATOR_MARKER, TAG } from '../../constants';
import { findCyclePath } from '../../protocol/find-cycles';
import { createGeneratorError } from './generator-error';
import { sortKeys } from './sort-keys';
import type { WorkspaceModule, WorkspacePackage } from './workspace-modules';
import { findWorkspacePackage } from './workspace-modules';

/**
 * Finds the module an option names, or throws a message naming the option, what it found and the
 * modules it could have named.
 */
export function findModuleOrThrow(
  packages: WorkspacePackage[],
  nameOrRoot: string,
  option: string,
): WorkspaceModule {
  const found = findWorkspacePackage(packages, nameOrRoot);
  const modules = packages.filter((pkg): pkg is WorkspaceModule => pkg.esmx !== undefined);
  const known = modules.length ? modules.map((module) => module.name).join(', ') : 'none yet';
  if (!found) {
    const closest = findClosest(nameOrRoot, modules.map((module) => module.name));
    throw createGeneratorError(
      `${option}=${nameOrRoot}: expected the name of an esmx module of this workspace, found no such project (esmx modules: ${known}).`,
      closest
        ? `did you mean ${option}=${closest}?`
        : `pass one of those names, or generate the module first: nx g @esmx/nx:app <directory> --name=${nameOrRoot}`,
    );
  }
  if (!found.esmx) {
    throw createGeneratorError(
      `${option}=${nameOrRoot}: expected an esmx module, found the package ${found.name} (${found.packageJsonPath}) without an "esmx" field (esmx modules: ${known}).`,
      `add an "esmx" field to ${found.packageJsonPath} (see the @esmx/nx README), or name one of the esmx modules`,
    );
  }
  return found as WorkspaceModule;
}

/** Throws `E_CYCLE` with the edge to remove when `from` using `to` would close a cycle. */
export function assertLinkIsAcyclic(modules: WorkspaceModule[], from: WorkspaceModule, to: WorkspaceModule): void {
  const usesOf = new Map(modules.map((module) => [module.name, Array.isArray(module.esmx.uses) ? module.esmx.uses : []]));
  // Only a cycle through the new edge is this link's doing, so from `from` the walk follows that edge alone.
  const cycle = findCyclePath(from.name, (name) => (name === from.name ? [to.name] : (usesOf.get(name) ?? [])));
  if (!cycle) return;
  if (cycle.length === 2) {
    throw createGeneratorError(
      `E_CYCLE: a module cannot use itself (${from.name} → ${to.name}).`,
      'link two different modules: --from=<consumer> --to=<module it uses>',
    );
  }
  const closing = modules.find((module) => module.name === cycle[cycle.length - 2]);
  throw createGeneratorError(
    `E_CYCLE: linking ${from.name} → ${to.name} would create the cycle ${cycle.join(' → ')}; esmx modules must form an acyclic "uses" graph.`,
    `remove "${from.name}" from esmx.uses in ${closing?.packageJsonPath ?? 'its package.json'} first, or move what both need into a third module that both use`,
  );
}

/**
 * Adds `to` to `from`'s `esmx.uses` and a workspace dependency `"<to>": "*"` (npm links workspace
 * packages, and Nx sees the edge). Returns false when both were already there.
 */
export function addModuleUse(tree: Tree, from: WorkspaceModule, to: string): boolean {
  let changed = false;
  updateJson(tree, from.packageJsonPath, (pkg) => {
    const esmx = (pkg.esmx ??= {});
    const uses: string[] = Array.isArray(esmx.uses) ? esmx.uses : [];
    if (!uses.includes(to)) {
      esmx.uses = [...uses, to];
      changed = true;
    }
    const declared = ['dependencies', 'devDependencies', 'peerDependencies'].some((field) => pkg[field]?.[to]);
    if (!declared) {
      pkg.dependencies = sortKeys({ ...(pkg.dependencies ?? {}), [to]: '*' });
      changed = true;
    }
    return pkg;
  });
  from.esmx.uses = [...new Set([...(from.esmx.uses ?? []), to])];
  return changed;
}

export type WidgetImportResult = { status: 'added' | 'present' } | { status: 'skipped'; reason: string };

/** The host file that lists the remotes its page renders, each as an island of its own. */
export const REMOTES_FILE = 'src/remotes.ts';

/**
 * Adds the remote's `./widget` export to the host's `src/remotes.ts` (read by its server and client entries, which
 * render and hydrate each remote in isolation), at the marker the app generator wrote. Never fails: a host or remote
 * that does not have the generated shape gets a warning with what to add by hand.
 */
export function addWidgetImport(tree: Tree, host: WorkspaceModule, remote: WorkspaceModule): WidgetImportResult {
  const specifier = `${remote.name}/widget`;
  const entry = `{ name: '${remote.name}', load: () => import('${specifier}') },`;
  const problem = describeWidgetProblem(tree, remote);
  if (problem) return { status: 'skipped', reason: problem };
  const remotesFile = `${host.root}/${REMOTES_FILE}`;
  const source = tree.exists(remotesFile) ? readText(tree, remotesFile) : '';
  if (!source.includes(GENERATOR_MARKER.widgets)) {
    return {
      status: 'skipped',
      reason: `${remotesFile} with the "// ${GENERATOR_MARKER.widgets}" marker was not found (hosts generated by @esmx/nx:app have it); render '${specifier}' in the host yourself, in isolation: rc.renderPart on the server, a dynamic import with a fallback in the browser`,
    };
  }
  if (source.includes(`'${specifier}'`)) return { status: 'present' };
  tree.write(remotesFile, insertBefore(source, GENERATOR_MARKER.widgets, entry));
  return { status: 'added' };
}

/** Logs the outcome of `addWidgetImport` for a user who asked for a sample import. */
export function reportWidgetImport(result: WidgetImportResult, host: WorkspaceModule, remote: WorkspaceModule): void {
  if (result.status === 'skipped') {
    logger.warn(`${TAG.generator} sample import of ${remote.name}/widget into ${host.name} skipped: ${result.reason}.`);
  }
}

/**
 * Why the remote's `./widget` export cannot be listed in a host, or undefined when it offers the widget contract:
 * `render`, `hydrate` and `mount` (see the README, "Remote widgets").
 */
function describeWidgetProblem(tree: Tree, remote: WorkspaceModule): string | undefined {
  const declared = remote.esmx.exports?.['./widget'];
  const path = typeof declared === 'string' ? declared : declared?.client || declared?.server;
  if (typeof path !== 'string') return `${remote.name} has no "./widget" export written by @esmx/nx:app to import`;
  const file = `${remote.root}/${path.replace(/^\.\//, '')}`;
  if (!tree.exists(file)) return `${remote.name}'s "./widget" export points at ${file}, which does not exist`;
  const source = readText(tree, file);
  const missing = WIDGET_FUNCTIONS.filter((fn) => !new RegExp(`export (?:async )?(?:function|const) ${fn}\\b`).test(source));
  if (missing.length === 0) return undefined;
  return `${file} does not export ${missing.join(', ')}; a remote widget exports render(), hydrate(element) and mount(element) (see the @esmx/nx README, "Remote widgets")`;
}

const WIDGET_FUNCTIONS = ['render', 'hydrate', 'mount'];

/** Inserts `line` above the line holding `marker`, with the marker line's indentation (the caller checked it is there). */
function insertBefore(source: string, marker: string, line: string): string {
  const lines = source.split('\n');
  const index = lines.findIndex((text) => text.includes(marker));
  const indent = /^\s*/.exec(lines[index])?.[0] ?? '';
  lines.splice(index, 0, `${indent}${line}`);
  return lines.join('\n');
}

function readText(tree: Tree, path: string): string {
  return tree.read(path, 'utf-8') ?? '';
}
