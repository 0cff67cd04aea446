import type { Tree } from '@nx/devkit';
import { isAbsolute, posix, relative } from 'node:path';
import type { WorkspaceModule, WorkspacePackage } from '../../lib/workspace-modules';
import { findProviders, readWorkspacePackages } from '../../lib/workspace-modules';
import type { AppGeneratorSchema, ModuleFramework, ModuleRole } from '../schema';

/** Specifiers a React provider shares by default: `provides` lists subpaths explicitly. */
export const REACT_PROVIDES = ['react', 'react-dom', 'react-dom/client', 'react-dom/server', 'react/jsx-runtime'];

export interface NormalizedAppOptions {
  /** Posix path relative to the workspace root, without `./` or a trailing slash. */
  directory: string;
  name: string;
  role: ModuleRole;
  framework: ModuleFramework;
  /** The host to link a remote into. */
  host?: string;
  /** Provider only: the specifiers it shares. */
  provides: string[];
  /** Modules used, explicit or (React) the workspace's single React provider. */
  uses: string[];
  /** True when `uses` was filled in with the workspace's React provider. */
  usesInferred: boolean;
  port?: number;
  skipInstall: boolean;
  /** `tsx` for React, `ts` otherwise. */
  ext: 'ts' | 'tsx';
  /** The workspace packages before this run. */
  packages: WorkspacePackage[];
  modules: WorkspaceModule[];
}

export function normalizeOptions(tree: Tree, schema: AppGeneratorSchema): NormalizedAppOptions {
  const directory = normalizeDirectory(tree, schema.directory ?? '');
  const packages = readWorkspacePackages(tree);
  const modules = packages.filter((pkg): pkg is WorkspaceModule => pkg.esmx !== undefined);
  const framework = schema.framework;
  const role = schema.role;
  const explicitUses = toList(schema.uses);
  const reactProviders = findProviders(modules, 'react');
  const inferUses = framework === 'react' && role !== 'provider' && explicitUses.length === 0 && reactProviders.length === 1;
  return {
    directory,
    name: schema.name?.trim() || posix.basename(directory),
    role,
    framework,
    host: schema.host?.trim() || undefined,
    provides: role === 'provider' ? (toList(schema.provides).length ? toList(schema.provides) : defaultProvides(framework)) : toList(schema.provides),
    uses: inferUses ? [reactProviders[0].name] : explicitUses,
    usesInferred: inferUses,
    port: schema.port,
    skipInstall: schema.skipInstall ?? false,
    ext: framework === 'react' ? 'tsx' : 'ts',
    packages,
    modules,
  };
}

function defaultProvides(framework: ModuleFramework): string[] {
  return framework === 'react' ? [...REACT_PROVIDES] : [];
}

/** Accepts `a,b`, `['a', 'b']` and `['a,b']` (what different Nx versions pass for an array option). */
function toList(value: string[] | string | undefined): string[] {
  const items = (Array.isArray(value) ? value : value === undefined ? [] : [value]).flatMap((item) => String(item).split(','));
  return [...new Set(items.map((item) => item.trim()).filter(Boolean))];
}

function normalizeDirectory(tree: Tree, directory: string): string {
  const slashed = directory.trim().replace(/\\/g, '/');
  const relativePath = isAbsolute(slashed) ? relative(tree.root, slashed).replace(/\\/g, '/') : slashed;
  return posix.normalize(relativePath).replace(/^\.\/+/, '').replace(/\/+$/, '');
}
