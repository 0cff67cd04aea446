/**
 * The dev server: builds the host and every workspace module it links in watch mode (development), serves SSR
 * through the production runtime, and after each rebuild re-links and reloads the server's maps (no restart, no
 * stale server module: a changed module is re-imported at a new URL), then tells the pages to reload over SSE.
 * Build errors are printed and shown as an overlay page; the server survives them.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { TAG } from '../../../constants';
import { formatDiagnostic } from '../../../protocol/index';
import type { Diagnostic, Resolution } from '../../../protocol/types';
import { startServer, type ServerHandle } from '../../../runtime/index';
import type { ShimMode } from '../../../runtime/shim';
import type { BuildModuleOptions, BuildModuleResult, RebuildResult } from '../../../bundler/types';
import { createLiveReloadHub, injectBeforeBodyEnd, renderLiveReloadScript, renderOverlayPage } from './live-reload';

export interface DevServerDeps {
  resolve(root: string): Resolution;
  build(options: BuildModuleOptions): Promise<BuildModuleResult>;
  link(root: string, resolution: Resolution): { diagnostics: Diagnostic[] };
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
}

export interface DevServer {
  url: string;
  /** Module names built in watch mode. */
  modules: string[];
  close(): Promise<void>;
  closed: Promise<void>;
}

const LINK_KEY = '(link)';

/** Workspace modules of the closure: on disk and not an installed package (those are served as built). */
function listBuildable(resolution: Resolution): { name: string; root: string }[] {
  const out: { name: string; root: string }[] = [];
  for (const [name, mount] of Object.entries(resolution.mounts)) {
    if (mount.url !== undefined) continue;
    const root = mount.root ?? resolution.modules[name]?.root;
    if (!root || /[\\/]node_modules[\\/]/.test(root)) continue;
    out.push({ name, root });
  }
  // The host last: its first build is the one the server needs, and remotes it imports are ready by then.
  return out.sort((a, b) => (a.name === resolution.module ? 1 : b.name === resolution.module ? -1 : 0));
}

export async function startDevServer(options: DevServerOptions, deps: DevServerDeps): Promise<DevServer> {
  const log = options.log ?? ((line: string) => console.log(line));
  const base = options.base;
  const resolution = deps.resolve(options.root);
  const fatal = resolution.diagnostics.filter((d) => d.severity === 'error');
  if (fatal.length > 0) {
    throw new Error(`${TAG.serve} the module cannot be resolved:\n${fatal.map((d) => formatDiagnostic(d)).join('\n')}`);
  }
  const hub = createLiveReloadHub(base);
  const errors = new Map<string, string[]>();
  let handle: ServerHandle | undefined;
  let overlayServer: Server | undefined;
  let closing = false;

  const relink = (): boolean => {
    const linked = deps.link(options.root, resolution);
    const linkErrors = linked.diagnostics.filter((d) => d.severity === 'error');
    if (linkErrors.length > 0) {
      errors.set(LINK_KEY, linkErrors.map((d) => formatDiagnostic(d)));
      for (const d of linkErrors) log(formatDiagnostic(d));
      return false;
    }
    errors.delete(LINK_KEY);
    return true;
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
        log,
        intercept,
        transformHtml: (html) => injectBeforeBodyEnd(html, renderLiveReloadScript(base, hub.version)),
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
        if (handle) await handle.reload();
        else {
          const server = overlayServer!;
          overlayServer = undefined;
          const stopped = new Promise<void>((done) => server.close(() => done()));
          // SSE clients would hold the port forever; they reconnect to the SSR server (see the hub's hello).
          server.closeAllConnections();
          await stopped;
          errors.clear();
          if (!(await listen())) {
            // listen() recorded and printed why; the overlay holds the port again until the next good build.
            await listenOverlay();
            hub.broadcast();
            return;
          }
        }
        errors.delete(name);
        errors.delete(TAG.ssr);
      } catch (error) {
        errors.set(TAG.ssr, [(error as Error).message]);
        log((error as Error).message);
      }
      hub.broadcast();
      if (errors.size === 0) log(`${TAG.serve} ${name} rebuilt; SSR reloaded in ${Date.now() - started} ms`);
    }).catch((error) => {
      // A throw here (the link step failing to write, the overlay losing its port) must not reject the queue:
      // every later rebuild would be skipped and the rejection would end the process. Show it and carry on.
      const message = (error as Error)?.message ?? String(error);
      errors.set(TAG.ssr, [message]);
      log(message);
      hub.broadcast();
    });
  };

  const modules = listBuildable(resolution);
  const watchers: (() => Promise<void>)[] = [];
  try {
    for (const { name, root } of modules) {
      const moduleResolution = name === resolution.module ? resolution : deps.resolve(root);
      const result = await deps.build({
        root,
        mode: 'development',
        resolution: moduleResolution,
        watch: true,
        log,
        onRebuild: (rebuilt) => onRebuild(name, rebuilt),
      });
      if (result.close) watchers.push(result.close);
      if (!result.ok) errors.set(name, result.errors);
    }
    if (errors.size === 0) relink();
    if (errors.size === 0) await listen();
    if (!handle) await listenOverlay();
  } catch (error) {
    // Nothing listens: stop what was started, or the watchers keep the process alive after the failure.
    closing = true;
    hub.close();
    await Promise.all(watchers.map((stop) => stop()));
    throw error;
  } finally {
    startupDone();
  }

  const url = handle?.url ?? `http://${options.host}:${port}${base}`;
  let resolveClosed!: () => void;
  const closed = new Promise<void>((resolve) => (resolveClosed = resolve));
  let closePromise: Promise<void> | undefined;
  const close = () => {
    closePromise ??= (async () => {
      closing = true;
      hub.close();
      await Promise.all(watchers.map((stop) => stop()));
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

  log(
    `${TAG.serve} ${resolution.module} dev server at ${url} (watching ${modules.map((m) => m.name).join(', ')})` +
      (errors.size > 0 ? ' — build errors, see the overlay' : ''),
  );
  return { url, modules: modules.map((m) => m.name), close, closed };
}
