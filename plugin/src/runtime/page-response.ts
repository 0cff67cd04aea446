/** The bytes of a page's answer: the rendered page or redirect, and the 500 / 504 pages. */
import type { IncomingMessage, ServerResponse } from 'node:http';
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
  for (const name in rc.responseHeaders) headers[name.toLowerCase()] = rc.responseHeaders[name];
  return headers;
}

/** Writes the handler's page (status, headers and `html`) or its redirect. */
export function sendPage(req: IncomingMessage, res: ServerResponse, rc: RenderContext, html: string, closing: boolean): void {
  if (closing) res.setHeader('connection', 'close');
  if (rc.redirect) {
    const headers = addHandlerHeaders(rc, {});
    headers.location = rc.redirect;
    headers['content-length'] = 0;
    res.writeHead(rc.status >= 300 && rc.status < 400 ? rc.status : 302, headers);
    res.end();
    return;
  }
  const headers = addHandlerHeaders(rc, { 'content-type': HTML });
  headers['content-length'] = Buffer.byteLength(html);
  res.writeHead(rc.status, headers);
  res.end(req.method === 'HEAD' ? undefined : html);
}

/** The 500 or 504 page (or `html`, the dev server's error overlay), unless the response is already under way. */
export function sendErrorPage(req: IncomingMessage, res: ServerResponse, status: 500 | 504, html: string | undefined, closing: boolean): void {
  if (res.headersSent || res.destroyed) return;
  if (closing) res.setHeader('connection', 'close');
  const body = html ?? ERROR_PAGES[status];
  res.writeHead(status, { 'content-type': HTML, 'content-length': Buffer.byteLength(body) });
  res.end(req.method === 'HEAD' ? undefined : body);
}
