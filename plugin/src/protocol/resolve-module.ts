import * as path from 'node:path';
import { checkTargets } from './check-targets';
import { findCycles } from './find-cycles';
import { mountModules } from './mount-modules';
import { readModule } from './read-module';
import { resolveSupply } from './resolve-supply';
import type { Resolution, ResolveOptions } from './types';

/**
 * The whole module-link resolution of the module at `root`: mounts of its `uses` closure, cycles, the supply
 * table and (unless `checkFiles: false`) the root's entry/export files. Never throws for user input.
 */
export function resolveModule(root: string, options: ResolveOptions = {}): Resolution {
  const read = readModule(root);
  if (!read.module) {
    return {
      module: read.diagnostics[0]?.module ?? path.resolve(root),
      diagnostics: read.diagnostics,
      supply: { groups: [], wiring: {} },
      mounts: {},
      modules: {},
    };
  }
  const rootModule = read.module;
  const mounted = mountModules(rootModule, options);
  const supply = resolveSupply(rootModule.name, mounted.modules);
  const diagnostics = [
    ...read.diagnostics,
    ...(options.checkFiles === false ? [] : checkTargets(rootModule)),
    ...mounted.diagnostics,
    ...findCycles(rootModule.name, mounted.modules),
    ...supply.diagnostics,
  ];
  return {
    module: rootModule.name,
    diagnostics,
    supply: supply.supply,
    mounts: mounted.mounts,
    modules: mounted.modules,
  };
}
