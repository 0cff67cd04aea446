import type { Tree } from '@nx/devkit';
import { readJson } from '@nx/devkit';
import type { EsmxDeclaration } from '../../protocol/types';

/** An npm-workspace package of the tree, with its `esmx` field when it has one. */
export interface WorkspacePackage {
  name: string;
  /** Tree path of the package root (posix, relative to the workspace root; `.` for the root). */
  root: string;
  packageJsonPath: string;
  esmx?: EsmxDeclaration;
}

/** A workspace package that declares an `esmx` field. */
export type WorkspaceModule = WorkspacePackage & { esmx: EsmxDeclaration };

/** Directories never holding workspace packages; skipping them keeps the walk cheap on a real disk. */
const SKIPPED_DIRS = new Set(['node_modules', 'dist', 'tmp', 'coverage']);
/** Deep enough for `apps/<team>/<group>/<app>`; a workspace package is never deeper in practice. */
const MAX_DEPTH = 6;

/**
 * Lists the npm-workspace packages of the tree: those the root package.json `workspaces` globs
 * cover (npm links only those into node_modules, where modules find each other), or every named
 * package when the root declares no workspaces. The walk goes through the Tree (not the disk) so
 * files written earlier in the same generator run, and `--dry-run` runs, count too.
 */
export function readWorkspacePackages(tree: Tree): WorkspacePackage[] {
  const globs = readWorkspaceGlobs(tree);
  const found: WorkspacePackage[] = [];
  const visit = (dir: string, depth: number): void => {
    for (const child of tree.children(dir)) {
      const path = dir ? `${dir}/${child}` : child;
      if (child === 'package.json' && dir) {
        const pkg = readPackageJson(tree, path);
        if (pkg && typeof pkg.name === 'string' && (!globs || isCoveredByGlobs(globs, dir))) {
          const esmx = isObject(pkg.esmx) ? (pkg.esmx as EsmxDeclaration) : undefined;
          found.push({ name: pkg.name, root: dir, packageJsonPath: path, ...(esmx ? { esmx } : {}) });
        }
      } else if (depth < MAX_DEPTH && !child.startsWith('.') && !SKIPPED_DIRS.has(child) && !tree.isFile(path)) {
        visit(path, depth + 1);
      }
    }
  };
  visit('', 0);
  return found.sort((a, b) => a.name.localeCompare(b.name));
}

/** The packages with an `esmx` field: the modules that can be linked. */
export function readWorkspaceModules(tree: Tree): WorkspaceModule[] {
  return readWorkspacePackages(tree).filter((pkg): pkg is WorkspaceModule => pkg.esmx !== undefined);
}

/** Finds a package by its name (the Nx project name) or by its directory. */
export function findWorkspacePackage<T extends WorkspacePackage>(packages: T[], nameOrRoot: string): T | undefined {
  const root = nameOrRoot.replace(/\\/g, '/').replace(/^\.\//, '').replace(/\/+$/, '');
  return packages.find((pkg) => pkg.name === nameOrRoot) ?? packages.find((pkg) => pkg.root === root);
}

/** A module has a page of its own (and can host remotes) when its `esmx.entry` declares a side. */
export function isHostModule(module: WorkspacePackage): boolean {
  const entry = module.esmx?.entry;
  return isObject(entry) && (typeof entry.client === 'string' || typeof entry.server === 'string');
}

/** Names of the modules that provide `specifier` (exactly, as `provides` lists specifiers explicitly). */
export function findProviders(modules: WorkspaceModule[], specifier: string): WorkspaceModule[] {
  return modules.filter((module) => Array.isArray(module.esmx.provides) && module.esmx.provides.includes(specifier));
}

/** The root's `workspaces` globs (array or `{ packages }` form), or undefined when it declares none. */
export function readWorkspaceGlobs(tree: Tree): string[] | undefined {
  const root = tree.exists('package.json') ? readPackageJson(tree, 'package.json') : undefined;
  const workspaces = root?.workspaces;
  const globs = Array.isArray(workspaces) ? workspaces : isObject(workspaces) ? workspaces.packages : undefined;
  return Array.isArray(globs) ? globs.filter((glob): glob is string => typeof glob === 'string') : undefined;
}

/** npm semantics: covered by a glob and not excluded by a later `!glob`. */
export function isCoveredByGlobs(globs: string[], directory: string): boolean {
  let covered = false;
  for (const glob of globs) {
    if (glob.startsWith('!')) {
      if (matchesWorkspaceGlob(glob.slice(1), directory)) covered = false;
    } else if (matchesWorkspaceGlob(glob, directory)) {
      covered = true;
    }
  }
  return covered;
}

/** npm's workspace globs: `*` within one segment, `**` across segments, `?` one character. */
export function matchesWorkspaceGlob(glob: string, directory: string): boolean {
  const normalized = glob.replace(/^\.\//, '').replace(/\/+$/, '');
  let pattern = '';
  for (let i = 0; i < normalized.length; i++) {
    const char = normalized[i];
    if (char === '*' && normalized[i + 1] === '*') {
      pattern += '.*';
      i++;
      if (normalized[i + 1] === '/') i++;
    } else if (char === '*') pattern += '[^/]*';
    else if (char === '?') pattern += '[^/]';
    else pattern += char.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${pattern}$`).test(directory);
}

function readPackageJson(tree: Tree, path: string): Record<string, unknown> | undefined {
  try {
    const value = readJson(tree, path);
    return isObject(value) ? value : undefined;
  } catch {
    // A malformed package.json is not ours to report here: `nx run <module>:validate` does that.
    return undefined;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
