import type { Tree } from '@nx/devkit';
import { isAbsolute, posix, relative } from 'node:path';
import type { WorkspaceModule, WorkspacePackage } from '../../lib/workspace-modules';
import { findProviders, readWorkspacePackages } from '../../lib/workspace-modules';
import type { FrameworkAdapter } from '../../../frameworks/index';
import type { AppGeneratorSchema, ModuleRole } from '../schema';

export interface NormalizedAppOptions {
  /** Posix path relative to the workspace root, without `./` or a trailing slash. */
  directory: string;
  name: string;
  role: ModuleRole;
  /** The adapter `--framework` names (built in, or the workspace's own). */
  framework: FrameworkAdapter;
  /** The host to link a remote into. */
  host?: string;
  /** Provider only: the specifiers it shares. */
  provides: string[];
  /** Modules used, explicit or the workspace's single provider of the framework's runtime package. */
  uses: string[];
  /** True when `uses` was filled in with the workspace's provider of the framework's runtime package. */
  usesInferred: boolean;
  port?: number;
  skipInstall: boolean;
  /** The framework's source extension: `tsx` for JSX frameworks, `ts` otherwise. */
  ext: 'ts' | 'tsx';
  /** The workspace packages before this run. */
  packages: WorkspacePackage[];
  modules: WorkspaceModule[];
}

/** `framework` is the adapter `schema.framework` names (the caller looks it up, listing the known ones on a typo). */
export function normalizeOptions(tree: Tree, schema: AppGeneratorSchema, framework: FrameworkAdapter): NormalizedAppOptions {
  const directory = normalizeDirectory(tree, schema.directory ?? '');
  const packages = readWorkspacePackages(tree);
  const modules = packages.filter((pkg): pkg is WorkspaceModule => pkg.esmx !== undefined);
  const role = schema.role;
  const explicitUses = toList(schema.uses);
  const runtime = framework.runtimePackage;
  const runtimeProviders = runtime ? findProviders(modules, runtime) : [];
  const inferUses = role !== 'provider' && explicitUses.length === 0 && runtimeProviders.length === 1;
  return {
    directory,
    name: schema.name?.trim() || posix.basename(directory),
    role,
    framework,
    host: schema.host?.trim() || undefined,
    provides: role === 'provider' ? (toList(schema.provides).length ? toList(schema.provides) : [...framework.provides]) : toList(schema.provides),
    uses: inferUses ? [runtimeProviders[0].name] : explicitUses,
    usesInferred: inferUses,
    port: schema.port,
    skipInstall: schema.skipInstall ?? false,
    ext: framework.sourceExtension,
    packages,
    modules,
  };
}

/** Accepts `a,b`, `['a', 'b']` and `['a,b']` (what different Nx versions pass for an array option). */
export function toList(value: string[] | string | undefined): string[] {
  const items = (Array.isArray(value) ? value : value === undefined ? [] : [value]).flatMap((item) => String(item).split(','));
  return [...new Set(items.map((item) => item.trim()).filter(Boolean))];
}

function normalizeDirectory(tree: Tree, directory: string): string {
  const slashed = directory.trim().replace(/\\/g, '/');
  const relativePath = isAbsolute(slashed) ? relative(tree.root, slashed).replace(/\\/g, '/') : slashed;
  return posix.normalize(relativePath).replace(/^\.\/+/, '').replace(/\/+$/, '');
}
