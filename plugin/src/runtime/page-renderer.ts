/** A page request: render context, the host's handler, the response (page, redirect or the 500 page). */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { TAG } from '../constants';
import type { Generation } from './generation';
import { createRenderContext } from './render-context';
import { describeError, failRequest, OWNED, type RequestTracker } from './request-tracker';
import type { RenderContext, RenderParams } from './types';

export interface PageRendererOptions {
  base: string;
  nonce?: boolean | ((params: RenderParams) => string);
  transformHtml?: (html: string) => string;
  logError: (line: string) => void;
  tracker: RequestTracker;
}

export type RenderPage = (gen: Generation, req: IncomingMessage, res: ServerResponse, path: string, query: string) => typeof OWNED;

const ERROR_PAGE =
  '<!doctype html><html><head><meta charset="utf-8"><title>500 Internal Server Error</title></head>' +
  '<body><h1>500 Internal Server Error</h1><p>The page could not be rendered.</p></body></html>';

/**
 * The handler's headers under lower-case names: writeHead sends an object's keys verbatim, so a handler's
 * `Content-Type` next to our `content-type` would go out twice (and a `Content-Length` would corrupt the response).
 */
function mergeHeaders(rc: RenderContext, defaults: Record<string, string | number>, fixed: Record<string, string | number>) {
  for (const name in rc.responseHeaders) defaults[name.toLowerCase()] = rc.responseHeaders[name];
  return Object.assign(defaults, fixed);
}

function createNonce(option: PageRendererOptions['nonce'], params: RenderParams): string | undefined {
  if (option === true) return randomBytes(16).toString('base64');
  return typeof option === 'function' ? option(params) : undefined;
}

export function createPageRenderer(options: PageRendererOptions): RenderPage {
  const { base, logError, tracker, transformHtml } = options;

  const answerRenderError = (req: IncomingMessage, res: ServerResponse, params: RenderParams, error: unknown) => {
    logError(`${TAG.ssr} rendering ${params.method} ${base}${params.url.slice(1)} failed; answered 500: ${describeError(error)}`);
    if (!res.headersSent) {
      res.writeHead(500, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(ERROR_PAGE) });
      res.end(req.method === 'HEAD' ? undefined : ERROR_PAGE);
    }
    tracker.settle();
  };

  const sendPage = (req: IncomingMessage, res: ServerResponse, rc: RenderContext) => {
    if (tracker.closing) res.setHeader('connection', 'close');
    if (rc.redirect) {
      const status = rc.status >= 300 && rc.status < 400 ? rc.status : 302;
      res.writeHead(status, mergeHeaders(rc, {}, { location: rc.redirect, 'content-length': 0 }));
      res.end();
      return;
    }
    const html = transformHtml ? transformHtml(rc.html) : rc.html;
    const headers = mergeHeaders(rc, { 'content-type': 'text/html; charset=utf-8' }, { 'content-length': Buffer.byteLength(html) });
    res.writeHead(rc.status, headers);
    res.end(req.method === 'HEAD' ? undefined : html);
  };

  const finishPage = (req: IncomingMessage, res: ServerResponse, rc: RenderContext) => {
    try {
      sendPage(req, res, rc);
    } catch (error) {
      failRequest(req, res, error, logError);
    }
    tracker.settle();
  };

  // Not an async function, and it settles the request itself: a page costs one promise reaction on top of the
  // handler's own (this is the hot path).
  return (gen, req, res, path, query) => {
    // Extra leading slashes collapse: `//evil.example/x` must not read as another host to `new URL(url, origin)`.
    const local = path.charCodeAt(0) === 0x2f ? path.replace(/^\/+/, '') : path;
    const params: RenderParams = { url: `/${local}${query}`, method: req.method ?? 'GET', headers: req.headers };
    const rc = createRenderContext(params, base, createNonce(options.nonce, params), gen.pieces, logError);
    let result: void | Promise<void>;
    try {
      result = gen.handler(rc);
    } catch (error) {
      answerRenderError(req, res, params, error);
      return OWNED;
    }
    if (result && typeof (result as Promise<void>).then === 'function') {
      (result as Promise<void>).then(
        () => finishPage(req, res, rc),
        (error) => answerRenderError(req, res, params, error),
      );
    } else finishPage(req, res, rc);
    return OWNED;
  };
}
