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

export type Router = (req: IncomingMessage, res: ServerResponse) => RouteResult;

/** Path and query of the request target; an absolute-form target (`GET http://h/x`) keeps only those. */
function splitTarget(target: string): { path: string; query: string } | undefined {
  let raw = target;
  if (!raw.startsWith('/')) {
    if (!URL.canParse(raw)) return undefined;
    const parsed = new URL(raw);
    raw = parsed.pathname + parsed.search;
  }
  const q = raw.indexOf('?');
  return q === -1 ? { path: raw, query: '' } : { path: raw.slice(0, q), query: raw.slice(q) };
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

  return (req, res) => {
    const gen = options.generation();
    const target = splitTarget(req.url ?? '/');
    if (!target) return sendStatus(res, 400);
    const { path, query } = target;
    if (!path.startsWith(base)) {
      if (`${path}/` !== base) return sendStatus(res, 404);
      res.writeHead(301, { location: base + query, 'content-length': 0 });
      res.end();
      return;
    }
    const rest = path.slice(base.length);
    if (rest.indexOf('/') === -1) return renderPage(gen, req, res, rest, query);
    return routeModuleFolder(gen, req, res, rest, query);
  };
}
