/** Which workspace modules of a host's closure the dev server watch-builds, builds once, or refuses in --devRemotes. */
import { TAG } from '../../../constants';
import type { Resolution } from '../../../protocol/types';
import { findClosest } from '../../../utils/suggest';

/** A workspace module of the closure the dev server builds. */
export interface DevModule {
  name: string;
  root: string;
}

/** Workspace modules of the closure: on disk and not an installed package (those are served as built). */
export function listBuildable(resolution: Resolution): DevModule[] {
  const out: DevModule[] = [];
  for (const [name, mount] of Object.entries(resolution.mounts)) {
    if (mount.url !== undefined) continue;
    const root = mount.root ?? resolution.modules[name]?.root;
    if (!root || /[\\/]node_modules[\\/]/.test(root)) continue;
    out.push({ name, root });
  }
  // The host last: its first build is the one the server needs, and remotes it imports are ready by then.
  return out.sort((a, b) => (a.name === resolution.module ? 1 : b.name === resolution.module ? -1 : 0));
}

/**
 * The workspace modules to watch-build and those to build once when unbuilt. Watched: the host, the `devRemotes` (or
 * every module without the option) and every provider: a provider's packages must be built in the host's mode (the
 * host's development JSX runtime does not work against a production React).
 */
export function planModules(resolution: Resolution, devRemotes: string[] | undefined) {
  const buildable = listBuildable(resolution);
  const isWatched = (name: string) =>
    name === resolution.module || devRemotes === undefined || devRemotes.includes(name) || (resolution.modules[name]?.provides.length ?? 0) > 0;
  return {
    watched: buildable.filter((m) => isWatched(m.name)),
    unbuilt: buildable.filter((m) => !isWatched(m.name) && !resolution.mounts[m.name]?.built),
  };
}

/** A `--devRemotes` entry must be a workspace module of the host's closure; anything else is a tagged error. */
export function checkDevRemotes(resolution: Resolution, devRemotes: string[] | undefined): void {
  if (!devRemotes) return;
  const buildable = new Set(listBuildable(resolution).map((m) => m.name));
  const closure = Object.keys(resolution.modules).filter((name) => name !== resolution.module);
  for (const name of devRemotes) {
    if (buildable.has(name) && name !== resolution.module) continue;
    const installed = name in resolution.modules;
    const closest = installed ? undefined : findClosest(name, closure);
    throw new Error(
      `${TAG.serve} --devRemotes names "${name}", ` +
        (name === resolution.module
          ? 'the host itself, which is always watched'
          : installed
            ? 'an installed package, not a workspace module: there are no sources to watch'
            : `which ${resolution.module} does not use (its uses closure: ${closure.join(', ') || 'none'})`) +
        `. Fix: ${closest ? `did you mean "${closest}"? ` : ''}list workspace modules that ${resolution.module} uses, e.g. --devRemotes=${[...buildable].filter((n) => n !== resolution.module).join(',') || '<module>'}`,
    );
  }
}
