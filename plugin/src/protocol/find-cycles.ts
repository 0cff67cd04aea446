import { createDiagnostic } from './diagnostics';
import type { Diagnostic, ModuleInfo } from './types';

/** The names a node points at; a name without an entry is a node without edges. */
export type EdgesOf = (name: string) => readonly string[];

/**
 * Every elementary cycle met by a depth-first walk of `uses` from the root, each reported once
 * (whatever module the walk entered it from) as E_CYCLE with its path `a → b → a`.
 */
export function findCycles(rootName: string, modules: Record<string, ModuleInfo>): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const reported = new Set<string>();
  const edgesOf: EdgesOf = (name) => (modules[name]?.uses ?? []).filter((used) => modules[used] !== undefined);
  walkBackEdges(rootName, edgesOf, (cycle) => {
    const key = canonicalKey(cycle);
    if (!reported.has(key)) {
      reported.add(key);
      diagnostics.push(describeCycle(cycle));
    }
    return false;
  });
  return diagnostics;
}

/**
 * The first cycle through `start` met by a depth-first walk, as `[start, …, start]`, or undefined
 * when `start` cannot reach itself. Cycles elsewhere in the graph are not its concern.
 */
export function findCyclePath(start: string, edgesOf: EdgesOf): string[] | undefined {
  let found: string[] | undefined;
  walkBackEdges(start, edgesOf, (cycle) => {
    if (cycle[0] !== start) return false;
    found = [...cycle, start];
    return true;
  });
  return found;
}

/**
 * Depth-first walk from `start` that calls `onCycle` with `[a, …, z]` for each edge z → a back
 * into the current path, in the order the edges list them; stops when `onCycle` returns true.
 * A node finished once is not entered again, so each edge is followed at most once.
 */
function walkBackEdges(start: string, edgesOf: EdgesOf, onCycle: (cycle: string[]) => boolean): void {
  const state = new Map<string, 'active' | 'done'>();
  const path: string[] = [];
  // Iterative walk: generated or hostile module sets may be deep, and recursion depth is not ours to spend.
  const frames: Array<{ edges: readonly string[]; next: number }> = [];
  const enter = (name: string) => {
    state.set(name, 'active');
    path.push(name);
    frames.push({ edges: edgesOf(name), next: 0 });
  };
  enter(start);
  while (frames.length > 0) {
    const frame = frames[frames.length - 1];
    if (frame.next >= frame.edges.length) {
      frames.pop();
      state.set(path.pop() as string, 'done');
      continue;
    }
    const target = frame.edges[frame.next++];
    const seen = state.get(target);
    if (seen === 'active') {
      if (onCycle(path.slice(path.indexOf(target)))) return;
    } else if (seen === undefined) {
      enter(target);
    }
  }
}

/** Rotation-independent key, so a cycle entered at b is the same as one entered at a. */
function canonicalKey(cycle: string[]): string {
  let best = 0;
  for (let i = 1; i < cycle.length; i++) if (cycle[i] < cycle[best]) best = i;
  return [...cycle.slice(best), ...cycle.slice(0, best)].join('\u0000');
}

function describeCycle(cycle: string[]): Diagnostic {
  const pathText = [...cycle, cycle[0]].join(' → ');
  const last = cycle[cycle.length - 1];
  return createDiagnostic({
    code: 'E_CYCLE',
    module: cycle[0],
    text: `modules use each other in a cycle: ${pathText}`,
    found: pathText,
    required: 'an acyclic uses graph (a module cannot reach itself through uses)',
    fix: `remove "${cycle[0]}" from esmx.uses of ${last}, or move what both need into a module they both use`,
  });
}
