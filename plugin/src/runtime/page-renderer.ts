/**
 * A page request: render context, the host's handler, the response (page, redirect, the 500 page, or the 504 page
 * past the render timeout). Each render runs inside `scope`: once the scope is armed, a fault raised by the render's
 * callbacks can be traced to it.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { TAG } from '../constants';
import type { Generation } from './generation';
import { injectBanner } from './overrides';
import { ANSWERED, FAULTED, PendingPage, RENDERING, TIMED_OUT } from './pending-page';
import { sendErrorPage, sendPage } from './page-response';
import { createRenderContext } from './render-context';
import type { RenderScope } from './render-scope';
import { RenderDeadlines } from './render-deadlines';
import { describeError, failRequest, OWNED, type RequestTracker } from './request-tracker';
import type { FaultCounts, RenderContext, RenderParams } from './types';

export interface PageRendererOptions {
  base: string;
  nonce?: boolean | ((params: RenderParams) => string);
  transformHtml?: (html: string) => string;
  /** The page answered for a render that threw (the dev server shows the error); default a plain 500 page. */
  renderErrorPage?: (error: unknown) => string;
  /** Per-request data of the caller's server, added to `rc.params` (never over url, method, headers). */
  extendParams?: (req: IncomingMessage, res: ServerResponse) => Record<string, unknown> | undefined;
  logError: (line: string) => void;
  tracker: RequestTracker;
  /** Past it a render is answered 504 and its late result dropped. */
  renderTimeoutMs: number;
  /** Holds the page being rendered for everything the render starts (timers, promises), once armed. */
  scope: RenderScope<PendingPage>;
  /** Counted here: renderErrors, renderTimeouts. */
  faults: FaultCounts;
}

export type RenderPage = (gen: Generation, req: IncomingMessage, res: ServerResponse, path: string, query: string) => typeof OWNED;

export interface PageRenderer {
  render: RenderPage;
  /** Answers the page 500 after a fault its render raised; false when it was answered already. */
  answerFault(page: PendingPage): boolean;
}

function createNonce(option: PageRendererOptions['nonce'], params: RenderParams): string | undefined {
  if (option === true) return randomBytes(16).toString('base64');
  return typeof option === 'function' ? option(params) : undefined;
}

export function createPageRenderer(options: PageRendererOptions): PageRenderer {
  const { base, logError, tracker, transformHtml, renderTimeoutMs, scope, faults, extendParams, renderErrorPage } = options;

  /** Moves a page that is still rendering to `state` and off the deadline list; false when it was answered already. */
  const claim = (page: PendingPage, state: typeof ANSWERED | typeof FAULTED | typeof TIMED_OUT): boolean => {
    if (page.state !== RENDERING) return false;
    page.state = state;
    deadlines.remove(page);
    return true;
  };

  /** The 500 or 504 page (renderErrorPage's for a render error), then the request is settled, whatever throws. */
  const answerWithErrorPage = (page: PendingPage, status: 500 | 504, error?: unknown) => {
    try {
      const html = error !== undefined && renderErrorPage ? renderErrorPage(error) : undefined;
      sendErrorPage(page.req, page.res, status, html, tracker.closing);
    } catch (failure) {
      failRequest(page.req, page.res, failure, logError);
    }
    tracker.settle();
  };

  /** What happens to a render's result after the request was answered without it. */
  const dropLateResult = (page: PendingPage, error?: unknown) => {
    const outcome = error === undefined ? 'finished' : `failed (${describeError(error)})`;
    if (page.state === TIMED_OUT) {
      logError(
        `${TAG.ssr} the render of ${page.label} ${outcome} ${Date.now() - page.deadline} ms after its ${renderTimeoutMs} ms ` +
          `timeout had answered 504; its result was dropped.`,
      );
    } else if (error !== undefined) {
      logError(`${TAG.ssr} the render of ${page.label} ${outcome} after a fault had answered it 500; its result was dropped.`);
    }
  };

  const answerRenderError = (page: PendingPage, error: unknown) => {
    if (!claim(page, ANSWERED)) return dropLateResult(page, error);
    logError(`${TAG.ssr} rendering ${page.label} failed (render error ${++faults.renderErrors} since start); answered 500: ${describeError(error)}`);
    answerWithErrorPage(page, 500, error);
  };

  const answerTimeout = (page: PendingPage) => {
    if (!claim(page, TIMED_OUT)) return;
    logError(
      `${TAG.ssr} rendering ${page.label} did not finish within ${renderTimeoutMs} ms (render timeout ${++faults.renderTimeouts} ` +
        `since start); answered 504. Fix: find what the render awaits that never settles (a request without a timeout, ` +
        `a promise nothing resolves), or raise renderTimeoutMs (ESMX_RENDER_TIMEOUT_MS).`,
    );
    answerWithErrorPage(page, 504);
  };

  const deadlines = new RenderDeadlines<PendingPage>(renderTimeoutMs, answerTimeout);

  const answerFault = (page: PendingPage): boolean => {
    if (!claim(page, FAULTED)) return false;
    answerWithErrorPage(page, 500);
    return true;
  };

  /** `banner`: the page is rendered on an override generation (a developer's modules): marked, and never cached. */
  const respond = (page: PendingPage, rc: RenderContext, banner: string | undefined) => {
    let html = rc.html;
    if (!rc.redirect) {
      if (banner !== undefined) html = injectBanner(html, banner);
      if (transformHtml) html = transformHtml(html);
    }
    sendPage(page.req, page.res, rc, html, tracker.closing, banner !== undefined);
  };

  const finishPage = (page: PendingPage, rc: RenderContext, banner: string | undefined) => {
    if (!claim(page, ANSWERED)) return dropLateResult(page);
    try {
      respond(page, rc, banner);
    } catch (error) {
      failRequest(page.req, page.res, error, logError);
    }
    tracker.settle();
  };

  const callHandler = (gen: Generation, rc: RenderContext) => gen.handler(rc);

  // Not an async function, and it settles the request itself: a page costs one promise reaction on top of the
  // handler's own (this is the hot path).
  const render: RenderPage = (gen, req, res, path, query) => {
    // Extra leading slashes collapse: `//evil.example/x` must not read as another host to `new URL(url, origin)`.
    const local = path.charCodeAt(0) === 0x2f ? path.replace(/^\/+/, '') : path;
    let params: RenderParams = { url: `/${local}${query}`, method: req.method ?? 'GET', headers: req.headers };
    const page = new PendingPage(req, res, params.method, base, params.url);
    deadlines.add(page);
    let result: void | Promise<void>;
    let rc: RenderContext;
    try {
      if (extendParams) params = { ...extendParams(req, res), url: params.url, method: params.method, headers: params.headers };
      rc = createRenderContext(params, base, createNonce(options.nonce, params), gen.pieces, logError);
      result = scope.run(page, callHandler, gen, rc);
    } catch (error) {
      answerRenderError(page, error);
      return OWNED;
    }
    if (result && typeof (result as Promise<void>).then === 'function') {
      (result as Promise<void>).then(
        () => finishPage(page, rc!, gen.banner),
        (error) => answerRenderError(page, error),
      );
    } else finishPage(page, rc!, gen.banner);
    return OWNED;
  };

  return { render, answerFault };
}
