/** The bytes of a page's answer: the rendered page or redirect, and the 500 / 504 pages. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { handlerHeadersOf } from './render-context';
import type { RenderContext } from './types';

const HTML = 'text/html; charset=utf-8';

const errorPage = (status: number, title: string, text: string) =>
  `<!doctype html><html><head><meta charset="utf-8"><title>${status} ${title}</title></head>` +
  `<body><h1>${status} ${title}</h1><p>${text}</p></body></html>`;

const ERROR_PAGES: Record<number, string> = {
  500: errorPage(500, 'Internal Server Error', 'The page could not be rendered.'),
  504: errorPage(504, 'Gateway Timeout', 'The page took too long to render.'),
};

/**
 * `headers` with the handler's added under lower-case names: writeHead sends an object's keys verbatim, so a
 * handler's `Content-Type` next to our `content-type` would go out twice (and a `Content-Length` would corrupt the
 * response). The caller sets what must win afterwards. One object per response: this is the hot path.
 */
function addHandlerHeaders(rc: RenderContext, headers: Record<string, string | number>): Record<string, string | number> {
  const own = handlerHeadersOf(rc);
  if (own !== undefined) for (const name in own) headers[name.toLowerCase()] = own[name];
  return headers;
}

/** The statuses that mean "go to Location"; any other status with `rc.redirect` set sends 302. */
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/**
 * Writes the handler's page (status, headers and `html`) or its redirect. `closing`: the server is draining (the
 * connection closes after this response); `noStore`: `cache-control: no-store` over whatever the handler set (a page
 * of an import-map override). Plain arguments, no options object: this is the hot path.
 */
export function sendPage(req: IncomingMessage, res: ServerResponse, rc: RenderContext, html: string, closing: boolean, noStore: boolean): void {
  if (closing) res.setHeader('connection', 'close');
  if (rc.redirect) {
    const headers = addHandlerHeaders(rc, {});
    if (noStore) headers['cache-control'] = 'no-store';
    headers.location = rc.redirect;
    headers['content-length'] = 0;
    res.writeHead(REDIRECT_STATUSES.has(rc.status) ? rc.status : 302, headers);
    res.end();
    return;
  }
  // Both of our headers in the literal, the length filled in once known: V8 stores a property added to an object after
  // its literal out of line (one more allocation, and one more hop for Node's header loop): about 0.35 µs a page under
  // load (tools/bench/ssr.mjs's host, A/B in 48 alternating one-second slices).
  const headers = addHandlerHeaders(rc, { 'content-type': HTML, 'content-length': 0 });
  if (noStore) headers['cache-control'] = 'no-store';
  headers['content-length'] = Buffer.byteLength(html);
  res.writeHead(rc.status, headers);
  res.end(req.method === 'HEAD' ? undefined : html);
}

/** The 500 or 504 page (or `html`, the dev server's error overlay); a response already under way is ended instead. */
export function sendErrorPage(req: IncomingMessage, res: ServerResponse, status: 500 | 504, html: string | undefined, closing: boolean): void {
  if (res.destroyed) return;
  if (res.headersSent) {
    // Begun by someone else (extendParams wrote headers, then threw): it cannot become an error page, nor stay open.
    if (!res.writableEnded) res.destroy();
    return;
  }
  if (closing) res.setHeader('connection', 'close');
  const body = html ?? ERROR_PAGES[status];
  res.writeHead(status, { 'content-type': HTML, 'content-length': Buffer.byteLength(body) });
  res.end(req.method === 'HEAD' ? undefined : body);
}
