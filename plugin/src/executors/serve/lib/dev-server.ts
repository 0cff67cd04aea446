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
import { readFileSync, watch, type FSWatcher } from 'node:fs';
import { join } from 'node:path';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { DIST_DIR, IMPORT_MAP_FILE, TAG } from '../../../constants';
import { formatDiagnostic } from '../../../protocol/index';
import type { Diagnostic, Resolution } from '../../../protocol/types';
import { startServer, type ServerHandle } from '../../../runtime/index';
import type { ShimMode } from '../../../runtime/shim';
import type { BuildModuleOptions, BuildModuleResult, RebuildResult } from '../../../bundler/types';
import { checkDevRemotes, listBuildable, planModules, type DevModule } from './plan-modules';
import { createLiveReloadHub, injectAfterHeadStart, injectBeforeBodyEnd, renderLiveReloadScript, renderOverlayPage } from './live-reload';

export interface DevServerDeps {
  resolve(root: string): Resolution;
  build(options: BuildModuleOptions): Promise<BuildModuleResult>;
  link(root: string, resolution: Resolution): { diagnostics: Diagnostic[] };
  /**
   * Bundles a module that is not watched and has no build yet, once, through Nx so that its cache applies (its bundle
   * only: `build` would also rebuild the providers it uses in production, under the dev server's feet).
   */
  bundleOnce?(name: string): Promise<{ ok: boolean; output: string }>;
  /**
   * Hot updates: the scripts the frameworks of these watched modules run first on every page (React Refresh's
   * runtime), one per framework, and the problems that turn one off (a package not installed: edits then reload).
   */
  devPageScripts?(modules: DevModule[]): Promise<{ scripts: string[]; problems: string[] }>;
}

export interface DevServerOptions {
  root: string;
  port: number;
  host: string;
  base: string;
  shim: ShimMode;
  log?: (line: string) => void;
  /** Stop on SIGINT/SIGTERM. Default true. */
  handleSignals?: boolean;
  /** Modules to watch-build beside the host; the others are served from their last build. Default: every workspace module. */
  devRemotes?: string[];
  /** Milliseconds between an edit of a package.json of the closure and the re-resolution. Default 150. */
  usesDebounceMs?: number;
  /** How the watched modules are built. Default development. */
  mode?: 'development' | 'production';
  /** Apply client edits in place (hot updates, React Fast Refresh) instead of reloading the page. Development only; default true. */
  hot?: boolean;
}

export interface DevServer {
  url: string;
  /** Module names built in watch mode. */
  modules: string[];
  close(): Promise<void>;
  closed: Promise<void>;
}

const LINK_KEY = '(link)';

export async function startDevServer(options: DevServerOptions, deps: DevServerDeps): Promise<DevServer> {
  const log = options.log ?? ((line: string) => console.log(line));
  const base = options.base;
  let resolution = deps.resolve(options.root);
  const fatal = resolution.diagnostics.filter((d) => d.severity === 'error');
  if (fatal.length > 0) {
    throw new Error(`${TAG.serve} the module cannot be resolved:\n${fatal.map((d) => formatDiagnostic(d)).join('\n')}`);
  }
  checkDevRemotes(resolution, options.devRemotes);
  const hub = createLiveReloadHub(base);
  const errors = new Map<string, string[]>();
  let handle: ServerHandle | undefined;
  let overlayServer: Server | undefined;
  let closing = false;

  const mode = options.mode ?? 'development';
  const hot = options.hot !== false && mode === 'development';
  // The host's import map as last linked: a rebuild that changes it (an export added or removed) reloads the pages,
  // whose import map cannot change in place; any other client rebuild is a hot update.
  const readImportMap = () => {
    try {
      return readFileSync(join(options.root, DIST_DIR, IMPORT_MAP_FILE), 'utf8');
    } catch {
      return '';
    }
  };
  let importMap = readImportMap();
  let importMapChanged = false;
  const relink = (): boolean => {
    const linked = deps.link(options.root, resolution);
    const linkErrors = linked.diagnostics.filter((d) => d.severity === 'error');
    if (linkErrors.length > 0) {
      errors.set(LINK_KEY, linkErrors.map((d) => formatDiagnostic(d)));
      for (const d of linkErrors) log(formatDiagnostic(d));
      return false;
    }
    errors.delete(LINK_KEY);
    const next = readImportMap();
    importMapChanged = next !== importMap;
    importMap = next;
    return true;
  };

  // Hot updates: what the frameworks of the watched modules run first on every page (React Refresh's runtime).
  let pageScripts = '';
  const loadPageScripts = async (modules: DevModule[]) => {
    if (!hot || !deps.devPageScripts) return;
    const { scripts, problems } = await deps.devPageScripts(modules);
    for (const problem of problems) log(problem);
    // Inline: nothing in them may close the script element early.
    pageScripts = scripts.map((script) => `<script>${script.replace(/<\/script/gi, '<\\/script')}</script>`).join('');
  };

  // Serves SSE, and while a build is broken the overlay instead of pages (static files keep being served).
  const intercept = (req: IncomingMessage, res: ServerResponse): boolean => {
    if (hub.handle(req, res)) return true;
    if (errors.size === 0) return false;
    const accept = String(req.headers.accept ?? '');
    const isPage = accept.includes('text/html') || !/\.[a-z0-9]+(\?|$)/i.test(req.url ?? '');
    if (!isPage) return false;
    const page = renderOverlayPage(errors, base, hub.version);
    res.writeHead(500, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(page), 'cache-control': 'no-store' });
    res.end(req.method === 'HEAD' ? undefined : page);
    return true;
  };

  // The port actually bound (options.port may be 0): kept when the overlay-only server hands over to SSR.
  let port = options.port;
  const listen = async () => {
    try {
      handle = await startServer({
        root: options.root,
        port,
        host: options.host,
        base,
        shim: options.shim,
        handleSignals: false,
        // Development wants every fault named with its request more than 1 µs per page.
        traceFaults: 'always',
        log,
        intercept,
        transformHtml: (html) => injectBeforeBodyEnd(injectAfterHeadStart(html, pageScripts), renderLiveReloadScript(base, hub.version)),
        // An SSR error shows its stack (source-mapped: the dev server enables source maps) instead of a blank 500.
        renderErrorPage: (error) =>
          renderOverlayPage(
            new Map([[TAG.ssr, [error instanceof Error ? (error.stack ?? error.message) : String(error)]]]),
            base,
            hub.version,
            'rendering this page threw; fix the error and save: this page reloads by itself.',
          ),
      });
      return true;
    } catch (error) {
      errors.set(TAG.ssr, [(error as Error).message]);
      log((error as Error).message);
      return false;
    }
  };

  // Until the first successful build of everything, an overlay-only server holds the port.
  const listenOverlay = () =>
    new Promise<void>((resolve, reject) => {
      overlayServer = createServer((req, res) => {
        if (!intercept(req, res)) {
          res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' });
          res.end(`${TAG.serve} not built yet\n`);
        }
      });
      const server = overlayServer;
      server.once('error', (error: NodeJS.ErrnoException) => {
        overlayServer = undefined;
        reject(
          new Error(
            `${TAG.serve} expected to listen on ${options.host}:${port}, found ${error.code ?? error.message}. ` +
              (error.code === 'EADDRINUSE' ? 'Fix: pick another port (--port) or stop the other server.' : 'Fix: check host and port.'),
          ),
        );
      });
      server.listen(port, options.host, () => {
        port = (server.address() as { port: number }).port;
        resolve();
      });
    });

  /**
   * Serves the linked generation: reloads the SSR server's maps, or hands the port from the overlay to a new SSR
   * server. False when SSR could not start (listen() recorded and printed why; the overlay holds the port again).
   */
  const goLive = async (): Promise<boolean> => {
    if (handle) {
      await handle.reload();
      return true;
    }
    const server = overlayServer!;
    overlayServer = undefined;
    const stopped = new Promise<void>((done) => server.close(() => done()));
    // SSE clients would hold the port forever; they reconnect to the SSR server (see the hub's hello).
    server.closeAllConnections();
    await stopped;
    errors.clear();
    if (await listen()) return true;
    await listenOverlay();
    return false;
  };

  // Rebuilds can fire while the first builds are still starting (a watcher's second compile): they wait until
  // start-up has settled on a server (SSR or the overlay) to hand over to.
  let startupDone!: () => void;
  let queue = new Promise<void>((resolve) => (startupDone = resolve));
  const onRebuild = (name: string, result: RebuildResult) => {
    queue = queue.then(async () => {
      if (closing) return;
      const started = Date.now();
      if (!result.ok) {
        errors.set(name, result.errors);
        log(`${TAG.serve} ${name} failed to build; the overlay shows the error and the server keeps running.`);
        hub.broadcast();
        return;
      }
      // The module's error stays on the overlay until the new generation is live: never a page from the old one.
      const othersBroken = [...errors.keys()].some((key) => key !== name && key !== TAG.ssr && key !== LINK_KEY);
      if (othersBroken || !relink()) {
        errors.delete(name);
        hub.broadcast();
        return;
      }
      try {
        if (!(await goLive())) {
          hub.broadcast();
          return;
        }
        errors.delete(name);
        errors.delete(TAG.ssr);
      } catch (error) {
        errors.set(TAG.ssr, [(error as Error).message]);
        log((error as Error).message);
      }
      // A client edit updates the open pages in place (a page that cannot apply it reloads); anything else reloads them.
      const inPlace = hot && errors.size === 0 && result.clientHash !== undefined && !importMapChanged;
      if (inPlace) hub.hotUpdate(name, result.clientHash!);
      else hub.broadcast();
      if (errors.size === 0) {
        log(`${TAG.serve} ${name} rebuilt; SSR reloaded in ${Date.now() - started} ms${inPlace ? ', hot update sent to the pages' : ''}`);
      }
    }).catch((error) => {
      // A throw here (the link step failing to write, the overlay losing its port) must not reject the queue:
      // every later rebuild would be skipped and the rejection would end the process. Show it and carry on.
      const message = (error as Error)?.message ?? String(error);
      errors.set(TAG.ssr, [message]);
      log(message);
      hub.broadcast();
    });
  };

  const watchers = new Map<string, () => Promise<void>>();
  const watchModule = async (name: string, root: string) => {
    const result = await deps.build({
      root,
      mode,
      resolution: name === resolution.module ? resolution : deps.resolve(root),
      watch: true,
      hot,
      log,
      onRebuild: (rebuilt) => onRebuild(name, rebuilt),
    });
    if (result.close) watchers.set(name, result.close);
    if (result.ok) errors.delete(name);
    else errors.set(name, result.errors);
  };
  const buildOnce = async (name: string, root: string) => {
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
  };
  const stopWatchers = async () => {
    await Promise.all([...watchers.values()].map((stop) => stop()));
    watchers.clear();
  };

  // The port first: a busy port fails here, before any build starts.
  await listenOverlay();
  try {
    const { watched, unbuilt } = planModules(resolution, options.devRemotes);
    for (const { name, root } of unbuilt) await buildOnce(name, root);
    for (const { name, root } of watched) await watchModule(name, root);
    await loadPageScripts(watched);
    if (errors.size === 0 && relink()) await goLive();
  } catch (error) {
    // Nothing serves: stop what was started, or the watchers keep the process alive after the failure.
    closing = true;
    hub.close();
    await stopWatchers();
    if (overlayServer) await new Promise<void>((done) => overlayServer!.close(() => done()));
    throw error;
  } finally {
    startupDone();
  }

  // `uses` edits: every package.json of the closure's workspace modules is watched (its folder, so that an editor's
  // rename-on-save is seen too); a change re-resolves the closure and reconciles the watchers, without a restart.
  const declarationWatchers = new Map<string, FSWatcher>();
  let reconcileTimer: NodeJS.Timeout | undefined;
  const scheduleReconcile = (delayMs = options.usesDebounceMs ?? 150) => {
    if (closing) return;
    clearTimeout(reconcileTimer);
    reconcileTimer = setTimeout(() => {
      queue = queue.then(reconcile).catch((error) => log((error as Error)?.message ?? String(error)));
    }, delayMs);
  };
  const watchDeclarations = () => {
    const dirs = new Set(listBuildable(resolution).map((m) => m.root));
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
    if (closing) return;
    const next = deps.resolve(options.root);
    const problems = next.diagnostics.filter((d) => d.severity === 'error');
    if (problems.length > 0) {
      // A module just generated is not installed yet (npm install still running), or a typo: keep serving what
      // works, say why, and look again shortly (an install changes no package.json of the closure).
      log(
        `${TAG.serve} ${resolution.module}'s uses changed but cannot be resolved yet; the dev server keeps serving the previous modules ` +
          `and tries again:\n${problems.map((d) => formatDiagnostic(d)).join('\n')}`,
      );
      scheduleReconcile(1000);
      return;
    }
    const before = new Set(Object.keys(resolution.modules));
    resolution = next;
    watchDeclarations();
    const { watched, unbuilt } = planModules(resolution, options.devRemotes);
    const removed = [...before].filter((name) => !(name in resolution.modules));
    const added = Object.keys(resolution.modules).filter((name) => !before.has(name));
    for (const name of [...watchers.keys()]) {
      if (watched.some((m) => m.name === name)) continue;
      await watchers.get(name)!();
      watchers.delete(name);
      errors.delete(name);
    }
    for (const { name, root } of unbuilt) if (added.includes(name)) await buildOnce(name, root);
    if (added.length > 0 || removed.length > 0) {
      // The host's watcher decided what stays external from the old closure (an import of a new remote would not
      // resolve): it starts again from the new one.
      await watchers.get(resolution.module)?.();
      watchers.delete(resolution.module);
    }
    for (const { name, root } of watched) if (!watchers.has(name)) await watchModule(name, root);
    if (added.length > 0) await loadPageScripts(watched);
    const othersBroken = [...errors.keys()].some((key) => key !== TAG.ssr && key !== LINK_KEY);
    if (!othersBroken && relink()) await goLive();
    hub.broadcast();
    if (added.length > 0 || removed.length > 0) {
      log(
        `${TAG.serve} ${resolution.module}'s uses changed` +
          `${added.length > 0 ? `: added ${added.join(', ')}` : ''}${removed.length > 0 ? `${added.length > 0 ? ';' : ':'} removed ${removed.join(', ')}` : ''}` +
          '; re-linked without a restart',
      );
    }
  };
  watchDeclarations();

  const url = handle?.url ?? `http://${options.host}:${port}${base}`;
  let resolveClosed!: () => void;
  const closed = new Promise<void>((resolve) => (resolveClosed = resolve));
  let closePromise: Promise<void> | undefined;
  const close = () => {
    closePromise ??= (async () => {
      closing = true;
      clearTimeout(reconcileTimer);
      for (const watcher of declarationWatchers.values()) watcher.close();
      hub.close();
      await stopWatchers();
      if (handle) await handle.close();
      if (overlayServer) {
        const server = overlayServer;
        const stopped = new Promise<void>((done) => server.close(() => done()));
        server.closeAllConnections();
        await stopped;
      }
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

  const names = [...watchers.keys()];
  log(
    `${TAG.serve} ${resolution.module} dev server at ${url} (watching ${names.join(', ')})` +
      (errors.size > 0 ? ' — build errors, see the overlay' : ''),
  );
  return { url, modules: names, close, closed };
}
