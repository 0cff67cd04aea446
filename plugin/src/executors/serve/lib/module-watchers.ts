/** The dev server's builds: a watch per watched module, and a one-off Nx bundle for an unwatched module with no build. */
import type { RebuildResult } from '../../../bundler/types';
import { TAG } from '../../../constants';
import { formatDiagnostic } from '../../../protocol/index';
import type { DevState } from './dev-state';

export interface ModuleWatchers {
  /** Builds `name` in watch mode; its first result goes on the overlay (or off it), later ones to `onRebuild`. */
  watch(name: string, root: string): Promise<void>;
  /** Bundles `name` once through Nx and links it: an unwatched module the host uses that has no build yet. */
  buildOnce(name: string, root: string): Promise<void>;
  /** Stops the watch of `name`, if there is one. */
  stop(name: string): Promise<void>;
  stopAll(): Promise<void>;
  /** The names of the modules watched, in the order their watches started. */
  names(): string[];
}

export function createModuleWatchers(state: DevState, onRebuild: (name: string, result: RebuildResult) => void): ModuleWatchers {
  const { deps, errors, log } = state;
  const watchers = new Map<string, () => Promise<void>>();
  return {
    async watch(name, root) {
      const result = await deps.build({
        root,
        mode: state.mode,
        resolution: name === state.resolution.module ? state.resolution : deps.resolve(root),
        watch: true,
        hot: state.hot,
        log,
        onRebuild: (rebuilt) => onRebuild(name, rebuilt),
      });
      if (result.close) watchers.set(name, result.close);
      if (result.ok) errors.delete(name);
      else errors.set(name, result.errors);
    },
    async buildOnce(name, root) {
      if (!deps.bundleOnce) return;
      log(`${TAG.serve} ${name} has no build and is not in --devRemotes: building it once (nx run ${name}:bundle), not watched`);
      const built = await deps.bundleOnce(name);
      if (!built.ok) {
        errors.set(name, [built.output]);
        return;
      }
      const linked = deps.link(root, deps.resolve(root));
      const linkErrors = linked.diagnostics.filter((d) => d.severity === 'error').map((d) => formatDiagnostic(d));
      if (linkErrors.length > 0) errors.set(name, linkErrors);
    },
    async stop(name) {
      const stop = watchers.get(name);
      watchers.delete(name);
      await stop?.();
    },
    async stopAll() {
      await Promise.all([...watchers.values()].map((stop) => stop()));
      watchers.clear();
    },
    names: () => [...watchers.keys()],
  };
}
