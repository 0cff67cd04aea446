/**
 * `uses` edits: every package.json of the closure's workspace modules is watched (its folder, so that an editor's
 * rename-on-save is seen too); a change re-resolves the closure and reconciles the watched modules, without a restart.
 */
import { watch, type FSWatcher } from 'node:fs';
import { TAG } from '../../../constants';
import { formatDiagnostic } from '../../../protocol/index';
import type { DevRebuilds } from './dev-rebuilds';
import type { DevServing } from './dev-serving';
import { LINK_KEY, type DevState } from './dev-state';
import type { ModuleWatchers } from './module-watchers';
import { listBuildable, planModules } from './plan-modules';

export interface UsesWatcher {
  close(): void;
}

interface Parts {
  watchers: ModuleWatchers;
  serving: DevServing;
  rebuilds: DevRebuilds;
}

function describeChange(host: string, added: string[], removed: string[]): string {
  const parts = [added.length > 0 ? `added ${added.join(', ')}` : '', removed.length > 0 ? `removed ${removed.join(', ')}` : ''];
  return `${TAG.serve} ${host}'s uses changed: ${parts.filter(Boolean).join('; ')}; re-linked without a restart`;
}

export function watchUses(state: DevState, { watchers, serving, rebuilds }: Parts): UsesWatcher {
  const { options, deps, errors, log } = state;
  const declarationWatchers = new Map<string, FSWatcher>();
  let reconcileTimer: NodeJS.Timeout | undefined;

  const scheduleReconcile = (delayMs = options.usesDebounceMs ?? 150) => {
    if (state.closing) return;
    clearTimeout(reconcileTimer);
    reconcileTimer = setTimeout(() => rebuilds.enqueue(reconcile, (error) => log((error as Error)?.message ?? String(error))), delayMs);
  };

  const watchDeclarations = () => {
    const dirs = new Set(listBuildable(state.resolution).map((m) => m.root));
    for (const [dir, watcher] of declarationWatchers) {
      if (!dirs.has(dir)) {
        watcher.close();
        declarationWatchers.delete(dir);
      }
    }
    for (const dir of dirs) {
      if (declarationWatchers.has(dir)) continue;
      try {
        declarationWatchers.set(dir, watch(dir, (_event, file) => file === 'package.json' && scheduleReconcile()));
      } catch {
        // A module folder that vanished between resolving and watching: the next re-resolution drops it.
      }
    }
  };

  const reconcile = async () => {
    if (state.closing) return;
    const next = deps.resolve(options.root);
    const problems = next.diagnostics.filter((d) => d.severity === 'error');
    if (problems.length > 0) {
      // A module just generated is not installed yet (npm install still running), or a typo: keep serving what
      // works, say why, and look again shortly (an install changes no package.json of the closure).
      log(
        `${TAG.serve} ${state.resolution.module}'s uses changed but cannot be resolved yet; the dev server keeps serving the previous modules ` +
          `and tries again:\n${problems.map((d) => formatDiagnostic(d)).join('\n')}`,
      );
      scheduleReconcile(1000);
      return;
    }
    const before = new Set(Object.keys(state.resolution.modules));
    state.resolution = next;
    watchDeclarations();
    const { watched, unbuilt } = planModules(next, options.devRemotes);
    const removed = [...before].filter((name) => !(name in next.modules));
    const added = Object.keys(next.modules).filter((name) => !before.has(name));
    for (const name of watchers.names()) {
      if (watched.some((m) => m.name === name)) continue;
      await watchers.stop(name);
      errors.delete(name);
    }
    for (const { name, root } of unbuilt) if (added.includes(name)) await watchers.buildOnce(name, root);
    // The host's watcher decided what stays external from the old closure (an import of a new remote would not
    // resolve): it starts again from the new one.
    if (added.length > 0 || removed.length > 0) await watchers.stop(next.module);
    const running = new Set(watchers.names());
    for (const { name, root } of watched) if (!running.has(name)) await watchers.watch(name, root);
    if (added.length > 0) await serving.loadPageScripts(watched);
    const othersBroken = [...errors.keys()].some((key) => key !== TAG.ssr && key !== LINK_KEY);
    if (!othersBroken && rebuilds.relink()) await serving.goLive();
    state.hub.broadcast();
    if (added.length > 0 || removed.length > 0) log(describeChange(next.module, added, removed));
  };

  watchDeclarations();
  return {
    close() {
      clearTimeout(reconcileTimer);
      for (const watcher of declarationWatchers.values()) watcher.close();
    },
  };
}
