import { createDiagnostic } from './diagnostics';
import type { Diagnostic, ModuleInfo } from './types';

/**
 * Every elementary cycle met by a depth-first walk of `uses` from the root, each reported once
 * (whatever module the walk entered it from) as E_CYCLE with its path `a → b → a`.
 */
export function findCycles(rootName: string, modules: Record<string, ModuleInfo>): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const reported = new Set<string>();
  const state = new Map<string, 'active' | 'done'>();
  const stack: string[] = [];

  // Iterative walk: generated or hostile module sets may be deep, and recursion depth is not ours to spend.
  const frames: Array<{ name: string; next: number }> = [];
  const enter = (name: string) => {
    state.set(name, 'active');
    stack.push(name);
    frames.push({ name, next: 0 });
  };
  enter(rootName);
  while (frames.length > 0) {
    const frame = frames[frames.length - 1];
    const uses = modules[frame.name]?.uses ?? [];
    if (frame.next >= uses.length) {
      frames.pop();
      stack.pop();
      state.set(frame.name, 'done');
      continue;
    }
    const used = uses[frame.next++];
    if (!modules[used]) continue;
    const seen = state.get(used);
    if (seen === 'active') {
      const cycle = stack.slice(stack.indexOf(used));
      const key = canonicalKey(cycle);
      if (!reported.has(key)) {
        reported.add(key);
        diagnostics.push(describeCycle(cycle));
      }
    } else if (seen === undefined) {
      enter(used);
    }
  }
  return diagnostics;
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
