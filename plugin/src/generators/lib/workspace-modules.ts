import type { Tree } from '@nx/devkit';
import { readJson } from '@nx/devkit';
import picomatch from 'picomatch';
import type { EsmxDeclaration } from '../../protocol/types';
import { isRecord } from '../../utils/is-record';

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
  const isWorkspace = globs ? createWorkspaceFilter(globs) : () => true;
  const found: WorkspacePackage[] = [];
  const visit = (dir: string, depth: number): void => {
    for (const child of tree.children(dir)) {
      const path = dir ? `${dir}/${child}` : child;
      if (child === 'package.json' && dir) {
        const pkg = readPackageJson(tree, path);
        if (pkg && typeof pkg.name === 'string' && isWorkspace(dir)) {
          const esmx = isRecord(pkg.esmx) ? (pkg.esmx as EsmxDeclaration) : undefined;
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

/** Finds a package by its name (the Nx project name) or by its directory. */
export function findWorkspacePackage<T extends WorkspacePackage>(packages: T[], nameOrRoot: string): T | undefined {
  const root = nameOrRoot.replace(/\\/g, '/').replace(/^\.\//, '').replace(/\/+$/, '');
  return packages.find((pkg) => pkg.name === nameOrRoot) ?? packages.find((pkg) => pkg.root === root);
}

/** A module has a page of its own (and can host remotes) when its `esmx.entry` declares a side. */
export function isHostModule(module: WorkspacePackage): boolean {
  const entry = module.esmx?.entry;
  return isRecord(entry) && (typeof entry.client === 'string' || typeof entry.server === 'string');
}

/** Names of the modules that provide `specifier` (exactly, as `provides` lists specifiers explicitly). */
export function findProviders(modules: WorkspaceModule[], specifier: string): WorkspaceModule[] {
  return modules.filter((module) => Array.isArray(module.esmx.provides) && module.esmx.provides.includes(specifier));
}

/** The root's `workspaces` globs (array or `{ packages }` form), or undefined when it declares none. */
export function readWorkspaceGlobs(tree: Tree): string[] | undefined {
  const root = tree.exists('package.json') ? readPackageJson(tree, 'package.json') : undefined;
  return root ? listWorkspaceGlobs(root) : undefined;
}

/** The `workspaces` globs of a root package.json (array or `{ packages }` form), or undefined. */
export function listWorkspaceGlobs(rootPackageJson: Record<string, unknown>): string[] | undefined {
  const workspaces = rootPackageJson.workspaces;
  const globs = Array.isArray(workspaces) ? workspaces : isRecord(workspaces) ? workspaces.packages : undefined;
  return Array.isArray(globs) ? globs.filter((glob): glob is string => typeof glob === 'string') : undefined;
}

/** Whether npm makes `directory` a workspace under these globs (see `createWorkspaceFilter`). */
export function isCoveredByGlobs(globs: string[], directory: string): boolean {
  return createWorkspaceFilter(globs)(directory);
}

/**
 * Compiles `workspaces` globs into a test of a package directory (posix, relative to the root), read
 * as npm reads them: entries apply in order, one starting with an odd number of `!` removes what the
 * entries before it added (a later entry can add it back), a leading `/` or `./` and a trailing `/`
 * are dropped, and matching follows glob rules (`**` spans directories, braces, classes, no dotfiles).
 */
export function createWorkspaceFilter(globs: string[]): (directory: string) => boolean {
  const rules = globs.map((glob) => {
    const bangs = /^!*/.exec(glob)?.[0].length ?? 0;
    const pattern = glob.slice(bangs).replace(/\\/g, '/').replace(/^\.?\/+/, '').replace(/\/+$/, '');
    // An empty entry names the workspace root itself, which is never one of its own workspaces.
    return { negate: bangs % 2 === 1, matches: pattern ? picomatch(pattern) : () => false };
  });
  return (directory) => rules.reduce((covered, rule) => (rule.matches(directory) ? !rule.negate : covered), false);
}

function readPackageJson(tree: Tree, path: string): Record<string, unknown> | undefined {
  try {
    const value = readJson(tree, path);
    return isRecord(value) ? value : undefined;
  } catch {
    // A malformed package.json is not ours to report here: `nx run <module>:validate` does that.
    return undefined;
  }
}
