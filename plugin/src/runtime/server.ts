/** The production SSR server of a linked host: `startServer()`. */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEFAULT_HOST, DEFAULT_PORT, ENTRY_EXPORT, TAG } from '../constants';
import type { BuildManifest } from '../protocol/types';
import { collectPageAssets, composeImportMap, getModuleBaseUrl, toDirectoryUrl } from './compose';
import { loadLinkedHost, type LinkedHost } from './link';
import { computeVersionKeys, createLoaderTable, importNative, setLoaderTable, type LoaderTable } from './loader';
import { createPagePieces, createRenderContext, describeLinkedModules, type PagePieces } from './render-context';
import { loadShim, RUNTIME_PATH, type Shim, type ShimMode } from './shim';
import { decodeStaticPath, indexDirectory, sendStatus, serveFile, type StaticIndex } from './static-files';
import type { RenderContext, RenderParams, ServerRenderHandle } from './types';

export interface StartServerOptions {
  /** Package root of the host module (the folder holding `dist/link.json`). */
  root: string;
  /** Default: `$PORT`, else 4300. `0` picks a free port. */
  port?: number;
  /** Default: `$HOST`, else 127.0.0.1. */
  host?: string;
  /** Public base path, default `$BASE` or `/`; normalized to start and end with `/`. */
  base?: string;
  /** es-module-shims for browsers without import maps: `auto` (feature test, default), `always`, `never`. */
  shim?: ShimMode;
  /** CSP nonce on every inline script: `true` for a random one per request, or a function returning it. */
  nonce?: boolean | ((params: RenderParams) => string);
  /** Stop gracefully on SIGTERM/SIGINT and reload on SIGHUP. Default true. */
  handleSignals?: boolean;
  /** After a signal-triggered stop, exit the process (code 0). Default true; executors pass false and await `closed`. */
  exitOnSignal?: boolean;
  /** How long a graceful stop waits for requests in flight before closing their sockets. Default 10 s. */
  drainTimeoutMs?: number;
  /** Download cache of URL-linked modules' server files. Default `<root>/dist/.esmx-remote-cache`. */
  cacheDir?: string;
  log?: (line: string) => void;
  /** Dev server hooks: answer a request first (return true when handled), rewrite every SSR page. */
  intercept?: (req: IncomingMessage, res: ServerResponse) => boolean;
  transformHtml?: (html: string) => string;
}

export interface ServerHandle {
  url: string;
  port: number;
  host: string;
  base: string;
  /** Map generation currently served (1 after start, +1 per successful reload). */
  readonly generation: number;
  /**
   * Re-reads link.json and every manifest, swaps the loader map and imports the host's server entry again
   * (at a new URL when it or anything it uses changed). Requests in flight finish on the previous generation.
   * On failure the previous generation keeps serving and the promise rejects.
   */
  reload(): Promise<void>;
  /** Stops accepting, lets requests in flight finish (bounded by `drainTimeoutMs`), then resolves. */
  close(): Promise<void>;
  /** Resolves once the server has closed. */
  readonly closed: Promise<void>;
}

interface Generation {
  id: number;
  linked: LinkedHost;
  /** The resolve hook's table of this generation (restored when a later reload fails half-way). */
  table: LoaderTable;
  handler: ServerRenderHandle;
  statics: Map<string, StaticIndex>;
  /** Modules whose client files the browser loads from their own URL: nothing of theirs is served here. */
  remoteNames: Set<string>;
  clientManifests: Record<string, BuildManifest>;
  publicUrls: Record<string, string>;
  pieces: Map<string, PagePieces>;
}

export function normalizeBase(base: string | undefined): string {
  let value = base || '/';
  if (!value.startsWith('/')) value = `/${value}`;
  if (!value.endsWith('/')) value = `${value}/`;
  return value;
}

/** Returned by a request step that settles the request itself. */
const OWNED = Symbol('owned');

const ERROR_PAGE =
  '<!doctype html><html><head><meta charset="utf-8"><title>500 Internal Server Error</title></head>' +
  '<body><h1>500 Internal Server Error</h1><p>The page could not be rendered.</p></body></html>';

function describeError(error: unknown): string {
  return (error as Error)?.stack ?? String(error);
}

/** Port, interface and base path: the options given, else `PORT` / `HOST` / `BASE` from the environment, else the defaults. */
export function resolveListenOptions(
  options: { port?: number; host?: string; base?: string },
  env: NodeJS.ProcessEnv = process.env,
): { port: number; host: string; base: string } {
  const envPort = env.PORT ? Number(env.PORT) : undefined;
  return {
    port: options.port ?? (Number.isInteger(envPort) ? envPort! : DEFAULT_PORT),
    host: options.host ?? env.HOST ?? DEFAULT_HOST,
    base: normalizeBase(options.base ?? env.BASE),
  };
}

export async function startServer(options: StartServerOptions): Promise<ServerHandle> {
  const log = options.log ?? ((line: string) => console.log(line));
  const logError = options.log ?? ((line: string) => console.error(line));
  const { port, host, base } = resolveListenOptions(options);
  const shimMode: ShimMode = options.shim ?? 'auto';
  if (!['auto', 'always', 'never'].includes(shimMode)) {
    throw new Error(`${TAG.ssr} expected shim to be 'auto', 'always' or 'never', found ${JSON.stringify(shimMode)}. Fix: pick one.`);
  }
  const shim: Shim | undefined = shimMode === 'never' ? undefined : loadShim();
  const drainTimeoutMs = options.drainTimeoutMs ?? 10_000;

  let generationId = 0;
  const loadGeneration = async (): Promise<Generation> => {
    const id = generationId + 1;
    const linked = await loadLinkedHost(options.root, { cacheDir: options.cacheDir });
    const serverEntries: Record<string, { manifest: BuildManifest; text: string; dir: string }> = {};
    const dirs: Record<string, string> = {};
    const clientManifests: Record<string, BuildManifest> = {};
    const publicUrls: Record<string, string> = {};
    const statics = new Map<string, StaticIndex>();
    const remoteNames = new Set<string>();
    for (const m of Object.values(linked.modules)) {
      if (m.server && m.serverDir) {
        serverEntries[m.name] = { manifest: m.server, text: m.serverText ?? '', dir: m.serverDir };
        dirs[m.name] = m.serverDir;
      }
      if (m.client) clientManifests[m.name] = m.client;
      if (m.url) {
        publicUrls[m.name] = m.url;
        remoteNames.add(m.name);
      } else if (m.clientDir) statics.set(m.name, indexDirectory(m.clientDir));
    }
    const hostServer = linked.modules[linked.host].server;
    const entry = hostServer?.exports[ENTRY_EXPORT.server];
    if (!entry) {
      throw new Error(
        `${TAG.ssr} expected ${linked.host} to have a server entry (export ${ENTRY_EXPORT.server} in dist/server/manifest.json), ` +
          `found none. Fix: declare esmx.entry.server in its package.json and rebuild.`,
      );
    }
    const serverMap = composeImportMap(Object.values(serverEntries).map((e) => e.manifest), { target: 'server', dirs });
    const keys = computeVersionKeys(serverEntries);
    const roots: Record<string, string> = {};
    for (const [name, dir] of Object.entries(dirs)) roots[toDirectoryUrl(dir)] = keys[name];
    const table = createLoaderTable(serverMap, roots);
    await setLoaderTable(table);
    const entryUrl = `${toDirectoryUrl(dirs[linked.host])}${entry.file}?esmx=${keys[linked.host]}`;
    let loaded: Record<string, unknown>;
    try {
      loaded = await importNative(entryUrl);
    } catch (error) {
      throw new Error(
        `${TAG.ssr} expected the server entry of ${linked.host} (${entryUrl}) and the modules it imports to load, ` +
          `but loading threw: ${describeError(error)}\nFix: rebuild the module named in the error, or check that every module ` +
          `it imports is linked (dist/link.json) and built.`,
      );
    }
    const handler = loaded.default as ServerRenderHandle;
    if (typeof handler !== 'function') {
      throw new Error(
        `${TAG.ssr} expected the default export of ${linked.host}/${ENTRY_EXPORT.server} to be a render function ` +
          `(rc) => void, found ${typeof handler}. Fix: export default async function render(rc) { … }.`,
      );
    }
    return { id, linked, table, handler, statics, remoteNames, clientManifests, publicUrls, pieces: new Map() };
  };

  const piecesFor = (gen: Generation, requestBase: string): PagePieces => {
    let pieces = gen.pieces.get(requestBase);
    if (!pieces) {
      const moduleUrls: Record<string, string> = {};
      for (const name of Object.keys(gen.clientManifests)) {
        moduleUrls[name] = getModuleBaseUrl(name, { target: 'client', base: requestBase, publicUrls: gen.publicUrls });
      }
      const map = composeImportMap(Object.values(gen.clientManifests), {
        target: 'client',
        base: requestBase,
        publicUrls: gen.publicUrls,
      });
      const assets = collectPageAssets(gen.linked.host, gen.clientManifests, moduleUrls, map);
      pieces = createPagePieces(
        map,
        assets,
        {
          mode: shimMode,
          src: shim ? `${requestBase}${RUNTIME_PATH}/${shim.name}` : '',
          integrity: shim?.integrity ?? '',
        },
        describeLinkedModules(gen.linked.host, gen.clientManifests),
      );
      gen.pieces.set(requestBase, pieces);
    }
    return pieces;
  };

  let current = await loadGeneration();
  generationId = current.id;
  piecesFor(current, base);

  let reloading: Promise<void> = Promise.resolve();
  const reload = (): Promise<void> => {
    const run = reloading.then(async () => {
      const started = Date.now();
      let next: Generation;
      try {
        next = await loadGeneration();
        piecesFor(next, base);
      } catch (error) {
        // The hook may already hold the new map: give it back the one the serving generation was linked with.
        await setLoaderTable(current.table);
        throw error;
      }
      current = next;
      generationId = next.id;
      log(`${TAG.ssr} reloaded ${next.linked.host}: map generation ${next.id} in ${Date.now() - started} ms`);
    });
    // A failed reload must not wedge the queue: the next reload starts from a clean chain.
    reloading = run.catch(() => undefined);
    return run;
  };

  // A count, not a set of responses: this sits on the hot path of every request.
  let inFlight = 0;
  let closing = false;

  const answerRenderError = (req: IncomingMessage, res: ServerResponse, params: RenderParams, error: unknown) => {
    logError(`${TAG.ssr} rendering ${params.method} ${base}${params.url.slice(1)} failed; answered 500: ${describeError(error)}`);
    if (!res.headersSent) {
      res.writeHead(500, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(ERROR_PAGE) });
      res.end(req.method === 'HEAD' ? undefined : ERROR_PAGE);
    }
  };

  /**
   * The handler's headers under lower-case names: writeHead sends an object's keys verbatim, so a handler's
   * `Content-Type` next to our `content-type` would go out twice (and a `Content-Length` would corrupt the response).
   */
  const pageHeaders = (rc: RenderContext, defaults: Record<string, string | number>, fixed: Record<string, string | number>) => {
    const headers = defaults;
    for (const name in rc.responseHeaders) headers[name.toLowerCase()] = rc.responseHeaders[name];
    return Object.assign(headers, fixed);
  };

  const sendPage = (req: IncomingMessage, res: ServerResponse, rc: RenderContext) => {
    if (closing) res.setHeader('connection', 'close');
    if (rc.redirect) {
      const status = rc.status >= 300 && rc.status < 400 ? rc.status : 302;
      res.writeHead(status, pageHeaders(rc, {}, { location: rc.redirect, 'content-length': 0 }));
      res.end();
      return;
    }
    const html = options.transformHtml ? options.transformHtml(rc.html) : rc.html;
    res.writeHead(
      rc.status,
      pageHeaders(rc, { 'content-type': 'text/html; charset=utf-8' }, { 'content-length': Buffer.byteLength(html) }),
    );
    res.end(req.method === 'HEAD' ? undefined : html);
  };

  /** An uncaught failure outside the render handler (a bug, or a write that threw): 500 if still possible. */
  const failRequest = (req: IncomingMessage, res: ServerResponse, error: unknown) => {
    logError(`${TAG.ssr} ${req.method} ${req.url} failed; answered 500: ${describeError(error)}`);
    if (!res.headersSent) sendStatus(res, 500);
    else res.destroy();
  };

  const finishPage = (req: IncomingMessage, res: ServerResponse, rc: RenderContext) => {
    try {
      sendPage(req, res, rc);
    } catch (error) {
      failRequest(req, res, error);
    }
    settle();
  };

  // Not an async function, and it settles the request itself: a page costs one promise reaction on top of the
  // handler's own (this is the hot path). Returns OWNED: the caller must not settle.
  const renderPage = (gen: Generation, req: IncomingMessage, res: ServerResponse, path: string, query: string): typeof OWNED => {
    // Extra leading slashes collapse: `//evil.example/x` must not read as another host to `new URL(url, origin)`.
    const local = path.charCodeAt(0) === 0x2f ? path.replace(/^\/+/, '') : path;
    const params: RenderParams = { url: `/${local}${query}`, method: req.method ?? 'GET', headers: req.headers };
    const nonce =
      options.nonce === true
        ? randomBytes(16).toString('base64')
        : typeof options.nonce === 'function'
          ? options.nonce(params)
          : undefined;
    const rc = createRenderContext(params, base, nonce, piecesFor(gen, base), logError);
    let result: void | Promise<void>;
    try {
      result = gen.handler(rc);
    } catch (error) {
      answerRenderError(req, res, params, error);
      settle();
      return OWNED;
    }
    if (result && typeof (result as Promise<void>).then === 'function') {
      (result as Promise<void>).then(
        () => finishPage(req, res, rc),
        (error) => {
          answerRenderError(req, res, params, error);
          settle();
        },
      );
    } else finishPage(req, res, rc);
    return OWNED;
  };

  /** Routes synchronously; returns a promise only for work that awaits (render, first read of a file). */
  const handleRequest = (req: IncomingMessage, res: ServerResponse): Promise<void> | typeof OWNED | undefined => {
    const gen = current;
    let raw = req.url ?? '/';
    if (!raw.startsWith('/')) {
      try {
        const parsed = new URL(raw);
        raw = parsed.pathname + parsed.search;
      } catch {
        sendStatus(res, 400);
        return;
      }
    }
    const q = raw.indexOf('?');
    const path = q === -1 ? raw : raw.slice(0, q);
    const query = q === -1 ? '' : raw.slice(q);
    if (!path.startsWith(base)) {
      if (`${path}/` === base) {
        res.writeHead(301, { location: base + query, 'content-length': 0 });
        res.end();
      } else sendStatus(res, 404);
      return;
    }
    const rest = path.slice(base.length);
    const firstSlash = rest.indexOf('/');
    const head = firstSlash === -1 ? rest : rest.slice(0, firstSlash);
    if (head === RUNTIME_PATH) {
      const file = shim && rest === `${RUNTIME_PATH}/${shim.name}` ? shim.file : undefined;
      if (file) return serveFile(req, res, file);
      else sendStatus(res, 404);
      return;
    }
    let name = head;
    let afterName = firstSlash;
    if (head.startsWith('@') && firstSlash !== -1) {
      const second = rest.indexOf('/', firstSlash + 1);
      name = second === -1 ? rest : rest.slice(0, second);
      afterName = second;
    }
    if (afterName !== -1 && gen.remoteNames.has(name)) {
      sendStatus(res, 404);
      return;
    }
    const index = afterName !== -1 ? gen.statics.get(name) : undefined;
    if (index) {
      const decoded = decodeStaticPath(rest.slice(afterName + 1));
      if ('status' in decoded) {
        sendStatus(res, decoded.status);
        return;
      }
      const file = index.get(decoded.path);
      if (file) return serveFile(req, res, file, index, decoded.path);
      else sendStatus(res, 404);
      return;
    }
    return renderPage(gen, req, res, rest, query);
  };

  const server: Server = createServer((req, res) => {
    if (closing) res.setHeader('connection', 'close');
    if (options.intercept?.(req, res)) return;
    inFlight++;
    // One promise chain per request and no per-response listener: this is the hot path of every page.
    let pending: Promise<void> | typeof OWNED | undefined;
    try {
      pending = handleRequest(req, res);
    } catch (error) {
      failRequest(req, res, error);
      settle();
      return;
    }
    if (pending === OWNED) return;
    if (pending) {
      pending.then(settle, (error) => {
        failRequest(req, res, error);
        settle();
      });
    } else settle();
  });
  const settle = () => {
    inFlight--;
    // A response may still be flushing; idle keep-alive sockets are closed once it is done (server.close waits).
    if (closing && inFlight === 0) setImmediate(() => server.closeIdleConnections());
  };
  server.keepAliveTimeout = 5_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        new Error(
          `${TAG.start} expected to listen on ${host}:${port}, found ${error.code ?? error.message}. ` +
            (error.code === 'EADDRINUSE' ? 'Fix: pick another port (--port) or stop the other server.' : 'Fix: check host and port.'),
        ),
      );
    });
    server.listen(port, host, () => resolve());
  });
  const actualPort = (server.address() as AddressInfo).port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${actualPort}${base}`;

  let resolveClosed!: () => void;
  const closed = new Promise<void>((resolve) => (resolveClosed = resolve));
  let closePromise: Promise<void> | undefined;
  const close = (): Promise<void> => {
    if (closePromise) return closePromise;
    // Responses still rendering add `connection: close` when they are written (see sendPage).
    closing = true;
    closePromise = new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        logError(`${TAG.start} ${inFlight} request(s) still running after ${drainTimeoutMs} ms; closing their sockets.`);
        server.closeAllConnections();
      }, drainTimeoutMs);
      timer.unref();
      server.close(() => {
        clearTimeout(timer);
        resolve();
      });
      server.closeIdleConnections();
    }).then(() => {
      removeSignals();
      resolveClosed();
    });
    return closePromise;
  };

  const onStop = (signal: string) => {
    log(`${TAG.start} ${signal}: no new connections; draining ${inFlight} request(s) in flight.`);
    close().then(() => {
      log(`${TAG.start} stopped.`);
      if (options.exitOnSignal !== false) process.exit(0);
    });
  };
  const onHup = () => {
    reload().catch((error) => logError(`${TAG.ssr} SIGHUP reload failed; still serving generation ${generationId}: ${describeError(error)}`));
  };
  const signals: [NodeJS.Signals, () => void][] =
    options.handleSignals === false
      ? []
      : [
          ['SIGTERM', () => onStop('SIGTERM')],
          ['SIGINT', () => onStop('SIGINT')],
          ['SIGHUP', onHup],
        ];
  for (const [signal, listener] of signals) process.on(signal, listener);
  const removeSignals = () => {
    for (const [signal, listener] of signals) process.off(signal, listener);
  };

  const moduleCount = Object.keys(current.linked.modules).length;
  log(`${TAG.start} ${current.linked.host} (${moduleCount} linked module${moduleCount === 1 ? '' : 's'}) listening on ${url}`);

  return {
    url,
    port: actualPort,
    host,
    base,
    get generation() {
      return generationId;
    },
    reload,
    close,
    closed,
  };
}
