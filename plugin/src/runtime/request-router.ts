/** Routes a request under the base: runtime-owned files (`_esmx/`), a linked module's static files, else a page. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { packageNameOf } from '../protocol/installed-version';
import type { Generation } from './generation';
import type { RenderPage } from './page-renderer';
import type { RouteResult } from './request-tracker';
import { RUNTIME_PATH, type Shim } from './shim';
import { decodeStaticPath, sendStatus, serveFile, type StaticIndex } from './static-files';

export interface RouterOptions {
  base: string;
  shim: Shim | undefined;
  /** Read once per request: the request stays on that generation. */
  generation: () => Generation;
  renderPage: RenderPage;
}

/** `next`: where a request outside the base goes (the caller's own routes); without it, 404. */
export type Router = (req: IncomingMessage, res: ServerResponse, next?: (error?: unknown) => void, generation?: Generation) => RouteResult;

/** An absolute-form target (`GET http://h/x?q`) keeps only its path and query; undefined when it is not a URL. */
function toOriginForm(target: string): string | undefined {
  if (!URL.canParse(target)) return undefined;
  const parsed = new URL(target);
  return parsed.pathname + parsed.search;
}

function serveStatic(req: IncomingMessage, res: ServerResponse, index: StaticIndex, encodedPath: string): RouteResult {
  const decoded = decodeStaticPath(encodedPath);
  if ('status' in decoded) return sendStatus(res, decoded.status);
  const file = index.get(decoded.path);
  if (file) return serveFile(req, res, file, index, decoded.path);
  sendStatus(res, 404);
}

/** Routes synchronously; returns a promise only for work that awaits (render, first read of a file). */
export function createRequestRouter(options: RouterOptions): Router {
  const { base, shim, renderPage } = options;
  const shimPath = shim ? `${RUNTIME_PATH}/${shim.name}` : undefined;

  const routeModuleFolder = (gen: Generation, req: IncomingMessage, res: ServerResponse, rest: string, query: string) => {
    const head = rest.slice(0, rest.indexOf('/'));
    if (head === RUNTIME_PATH) return rest === shimPath ? serveFile(req, res, shim!.file) : sendStatus(res, 404);
    const name = head.startsWith('@') ? packageNameOf(rest) : head;
    // `@scope/name` with nothing after it is a page path, not a module folder.
    if (name.length === rest.length) return renderPage(gen, req, res, rest, query);
    if (gen.remoteNames.has(name)) return sendStatus(res, 404);
    const index = gen.statics.get(name);
    if (index) return serveStatic(req, res, index, rest.slice(name.length + 1));
    return renderPage(gen, req, res, rest, query);
  };

  return (req, res, next, forced) => {
    const gen = forced ?? options.generation();
    // Plain locals, no object per request: this is the hot path. Express rewrites req.url under a mount path
    // (`app.use('/shop', handler)`) and keeps the request's own target in originalUrl: the base is matched on that.
    const url = (req as { originalUrl?: string }).originalUrl ?? req.url ?? '/';
    const target = url.charCodeAt(0) === 0x2f ? url : toOriginForm(url);
    if (target === undefined) return sendStatus(res, 400);
    const q = target.indexOf('?');
    const path = q === -1 ? target : target.slice(0, q);
    const query = q === -1 ? '' : target.slice(q);
    if (!path.startsWith(base)) {
      if (`${path}/` !== base) {
        if (next) return next();
        return sendStatus(res, 404);
      }
      res.writeHead(301, { location: base + query, 'content-length': 0 });
      res.end();
      return;
    }
    const rest = path.slice(base.length);
    if (rest.indexOf('/') === -1) return renderPage(gen, req, res, rest, query);
    return routeModuleFolder(gen, req, res, rest, query);
  };
}
