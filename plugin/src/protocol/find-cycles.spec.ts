import { findCyclePath, findCycles } from './find-cycles';
import type { ModuleInfo } from './types';

/** A graph as `{ a: ['b'], b: [] }`; names it does not list have no edges. */
const edgesIn =
  (graph: Record<string, string[]>) =>
  (name: string): string[] =>
    graph[name] ?? [];

function moduleSet(graph: Record<string, string[]>): Record<string, ModuleInfo> {
  const modules: Record<string, ModuleInfo> = {};
  for (const [name, uses] of Object.entries(graph)) {
    modules[name] = {
      name,
      version: '1.0.0',
      root: `/ws/${name}`,
      packageJsonPath: `/ws/${name}/package.json`,
      entry: { client: false, server: false },
      exports: [],
      provides: [],
      uses,
      ranges: {},
    };
  }
  return modules;
}

/** A chain m0 → m1 → … → m(n-1), closed back to m0 when `closed`. */
function chain(length: number, closed: boolean): Record<string, string[]> {
  const graph: Record<string, string[]> = {};
  for (let i = 0; i < length; i++) graph[`m${i}`] = i + 1 < length ? [`m${i + 1}`] : closed ? ['m0'] : [];
  return graph;
}

describe('findCyclePath', () => {
  it('returns the first cycle through the start, from the start back to it', () => {
    expect(findCyclePath('a', edgesIn({ a: ['b'], b: ['c'], c: ['a'] }))).toEqual(['a', 'b', 'c', 'a']);
  });

  it('follows the edges in their order and returns the first cycle met', () => {
    const graph = { a: ['b', 'c'], b: ['a'], c: ['a'] };
    expect(findCyclePath('a', edgesIn(graph))).toEqual(['a', 'b', 'a']);
    expect(findCyclePath('a', edgesIn({ ...graph, a: ['c', 'b'] }))).toEqual(['a', 'c', 'a']);
  });

  it('reports a self edge as [start, start]', () => {
    expect(findCyclePath('a', edgesIn({ a: ['a'] }))).toEqual(['a', 'a']);
  });

  it('ignores cycles that do not pass through the start', () => {
    expect(findCyclePath('a', edgesIn({ a: ['b'], b: ['c'], c: ['b'] }))).toBeUndefined();
  });

  it('returns undefined on an acyclic graph, including names without edges', () => {
    expect(findCyclePath('a', edgesIn({ a: ['b', 'ghost'], b: ['c'], c: [] }))).toBeUndefined();
  });

  it('finds a cycle behind a node already finished through another path', () => {
    // d is reached first through b (no cycle there), then again through c, whose other edge closes the cycle.
    expect(findCyclePath('a', edgesIn({ a: ['b', 'c'], b: ['d'], c: ['d', 'a'], d: [] }))).toEqual(['a', 'c', 'a']);
  });

  it('walks a 100,000-module chain without exhausting the call stack', () => {
    const graph = chain(100_000, true);
    const cycle = findCyclePath('m0', edgesIn(graph));
    expect(cycle).toHaveLength(100_001);
    expect(cycle?.slice(-2)).toEqual(['m99999', 'm0']);
    expect(findCyclePath('m0', edgesIn(chain(100_000, false)))).toBeUndefined();
  });
});

describe('findCycles', () => {
  it('reports each cycle once, whatever module the walk entered it from', () => {
    const diagnostics = findCycles('host', moduleSet({ host: ['a', 'b'], a: ['b'], b: ['a'] }));
    expect(diagnostics.map((d) => d.found)).toEqual(['a → b → a']);
  });

  it('reports distinct cycles apart, with the module, the path and the edge to remove', () => {
    const diagnostics = findCycles('host', moduleSet({ host: ['a', 'x'], a: ['b'], b: ['a'], x: ['x'] }));
    expect(diagnostics.map((d) => [d.module, d.found])).toEqual([
      ['a', 'a → b → a'],
      ['x', 'x → x'],
    ]);
    expect(diagnostics[0].fix).toBe('remove "a" from esmx.uses of b, or move what both need into a module they both use');
  });

  it('skips uses naming modules that are not in the set (E_NOT_LINKED is reported elsewhere)', () => {
    expect(findCycles('host', moduleSet({ host: ['ghost', 'a'], a: [] }))).toEqual([]);
  });

  it('walks a 100,000-module cycle without exhausting the call stack', () => {
    const diagnostics = findCycles('m0', moduleSet(chain(100_000, true)));
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0].module).toBe('m0');
  });
});
