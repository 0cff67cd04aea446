import type { WorkspaceModule } from './workspace-modules';

/**
 * The cycle that `from` using `to` would close, as a list of module names starting and ending with
 * `from` (`[from, to, …, from]`), or undefined when the link keeps the `uses` graph acyclic.
 */
export function findLinkCycle(modules: WorkspaceModule[], from: string, to: string): string[] | undefined {
  if (from === to) return [from, to];
  const uses = new Map(modules.map((module) => [module.name, Array.isArray(module.esmx.uses) ? module.esmx.uses : []]));
  const seen = new Set<string>();
  const walk = (name: string, path: string[]): string[] | undefined => {
    if (name === from) return path;
    if (seen.has(name)) return undefined;
    seen.add(name);
    for (const next of uses.get(name) ?? []) {
      const cycle = walk(next, [...path, next]);
      if (cycle) return cycle;
    }
    return undefined;
  };
  return walk(to, [from, to]);
}
