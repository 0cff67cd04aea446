/**
 * The dev server: holds its port first (a busy port fails before any build), builds the host and the workspace
 * modules it links in watch mode (development; with `devRemotes`, only the host and those: the others are served from
 * their last build, bundled once through Nx and linked when they have none), serves SSR through the production runtime, and after
 * each rebuild re-links and reloads the server's maps (no restart, no stale server module: a changed module is
 * re-imported at a new URL), then tells the pages over SSE: a hot update of that module's client build when only its
 * client code changed (the page applies it in place: hot-client.mjs, React Refresh), else a reload. An edit of `uses` (a package.json of the
 * closure) re-resolves the closure: modules added are built and watched, modules removed stop being watched, and the
 * host is re-linked, without a restart. Build errors are printed and shown as an overlay page; the server survives them.
 */
import { TAG } from '../../../constants';
import { formatDiagnostic } from '../../../protocol/index';
import { createDevRebuilds } from './dev-rebuilds';
import { createDevServing } from './dev-serving';
import type { DevServerDeps, DevServerOptions, DevState } from './dev-state';
import { createLiveReloadHub } from './live-reload';
import { createModuleWatchers } from './module-watchers';
import { checkDevRemotes, planModules } from './plan-modules';
import { watchUses } from './uses-watcher';

export type { DevServerDeps, DevServerOptions } from './dev-state';

export interface DevServer {
  url: string;
  /** Module names built in watch mode. */
  modules: string[];
  close(): Promise<void>;
  closed: Promise<void>;
}

export async function startDevServer(options: DevServerOptions, deps: DevServerDeps): Promise<DevServer> {
  const log = options.log ?? ((line: string) => console.log(line));
  const resolution = deps.resolve(options.root);
  const fatal = resolution.diagnostics.filter((d) => d.severity === 'error');
  if (fatal.length > 0) {
    throw new Error(`${TAG.serve} the module cannot be resolved:\n${fatal.map((d) => formatDiagnostic(d)).join('\n')}`);
  }
  checkDevRemotes(resolution, options.devRemotes);
  const mode = options.mode ?? 'development';
  const state: DevState = {
    options,
    deps,
    log,
    hub: createLiveReloadHub(options.base),
    mode,
    hot: options.hot !== false && mode === 'development',
    errors: new Map(),
    resolution,
    closing: false,
  };
  const serving = createDevServing(state);
  const rebuilds = createDevRebuilds(state, serving);
  const watchers = createModuleWatchers(state, rebuilds.onRebuild);

  // The port first: a busy port fails here, before any build starts.
  await serving.listenOverlay();
  try {
    const { watched, unbuilt } = planModules(resolution, options.devRemotes);
    for (const { name, root } of unbuilt) await watchers.buildOnce(name, root);
    for (const { name, root } of watched) await watchers.watch(name, root);
    await serving.loadPageScripts(watched);
    if (state.errors.size === 0 && rebuilds.relink()) await serving.goLive();
  } catch (error) {
    // Nothing serves: stop what was started, or the watchers keep the process alive after the failure.
    state.closing = true;
    state.hub.close();
    await watchers.stopAll();
    await serving.close();
    throw error;
  } finally {
    rebuilds.startupDone();
  }
  const uses = watchUses(state, { watchers, serving, rebuilds });

  let resolveClosed!: () => void;
  const closed = new Promise<void>((resolve) => (resolveClosed = resolve));
  let closePromise: Promise<void> | undefined;
  const close = () => {
    closePromise ??= (async () => {
      state.closing = true;
      uses.close();
      state.hub.close();
      await watchers.stopAll();
      await serving.close();
      for (const [signal, listener] of signals) process.off(signal, listener);
      resolveClosed();
    })();
    return closePromise;
  };
  const signals: [NodeJS.Signals, () => void][] =
    options.handleSignals === false
      ? []
      : (['SIGINT', 'SIGTERM'] as const).map((signal) => [signal, () => void close()] as [NodeJS.Signals, () => void]);
  for (const [signal, listener] of signals) process.on(signal, listener);

  const url = serving.url;
  const names = watchers.names();
  log(
    `${TAG.serve} ${resolution.module} dev server at ${url} (watching ${names.join(', ')})` +
      (state.errors.size > 0 ? ' — build errors, see the overlay' : ''),
  );
  return { url, modules: names, close, closed };
}
