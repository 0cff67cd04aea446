/** Live reload over Server-Sent Events and the build-error overlay of the dev server. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { RUNTIME_URL_DIR, TAG } from '../../../constants';
import { escapeAttribute } from '../../../runtime/escape';

/** Under the runtime's reserved `_esmx/` folder: npm names cannot start with `_`, so no module can own it. */
export const EVENTS_PATH = `${RUNTIME_URL_DIR}/events`;
const HEARTBEAT_MS = 15_000;

export interface LiveReloadHub {
  /** Answers the SSE request and keeps it; returns false for any other request. */
  handle(req: IncomingMessage, res: ServerResponse): boolean;
  /** Tells every connected page to reload. */
  broadcast(): void;
  /**
   * Tells every connected page that `module`'s client build is now at `hash`: the page's copy of that build applies
   * the update in place (see hot-client.mjs); a page without one reloads.
   */
  hotUpdate(module: string, hash: string): void;
  readonly clients: number;
  /** Bumped by every broadcast; pages carry the version they were rendered at. */
  readonly version: number;
  close(): void;
}

export function createLiveReloadHub(base: string): LiveReloadHub {
  const clients = new Set<ServerResponse>();
  // Sent on connect: a page that reconnects (the dev server switched from the overlay to SSR) and sees another
  // version than the one it loaded with reloads, so no broadcast is lost while it was disconnected.
  let version = 0;
  const path = `${base}${EVENTS_PATH}`;
  const heartbeat = setInterval(() => {
    for (const res of clients) res.write(': ping\n\n');
  }, HEARTBEAT_MS);
  heartbeat.unref();
  return {
    handle(req, res) {
      if (req.url !== path) return false;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache',
        connection: 'keep-alive',
      });
      res.write(`retry: 500\nevent: hello\ndata: ${version}\n\n`);
      clients.add(res);
      req.on('close', () => clients.delete(res));
      return true;
    },
    broadcast() {
      version++;
      for (const res of clients) res.write(`event: reload\ndata: ${version}\n\n`);
    },
    hotUpdate(module, hash) {
      version++;
      const data = JSON.stringify({ version: String(version), module, hash });
      for (const res of clients) res.write(`event: hot\ndata: ${data}\n\n`);
    },
    get clients() {
      return clients.size;
    },
    get version() {
      return version;
    },
    close() {
      clearInterval(heartbeat);
      for (const res of clients) res.end();
      clients.clear();
    },
  };
}

/**
 * The tiny client: reload when the dev server says so (after a rebuild or a build error), or when it reconnects
 * and the server's version is not the one it last heard (an event it missed). A hot update is handed to the page's
 * builds as an `esmx:hot` event; when none of them takes it (the module is not on this page, or this page was not
 * built with hot updates), the page reloads.
 */
export function renderLiveReloadScript(base: string, version: number): string {
  return (
    `<script type="module">const s=new EventSource(${JSON.stringify(`${base}${EVENTS_PATH}`)});let v="${version}";` +
    's.addEventListener("hello",e=>{if(e.data!==v)location.reload()});' +
    's.addEventListener("reload",()=>location.reload());' +
    's.addEventListener("hot",e=>{const d=JSON.parse(e.data);v=d.version;const detail={module:d.module,hash:d.hash,handled:false};' +
    'dispatchEvent(new CustomEvent("esmx:hot",{detail}));if(!detail.handled)location.reload()});</script>'
  );
}

/** Scripts that must run before any module of the page (a framework's hot-update runtime), first in `<head>`. */
export function injectAfterHeadStart(html: string, snippet: string): string {
  const head = /<head(?:\s[^>]*)?>/i.exec(html);
  if (!head) return snippet + html;
  const at = head.index + head[0].length;
  return html.slice(0, at) + snippet + html.slice(at);
}

export function injectBeforeBodyEnd(html: string, snippet: string): string {
  const at = html.lastIndexOf('</body>');
  return at === -1 ? html + snippet : html.slice(0, at) + snippet + html.slice(at);
}

const ANSI = /\u001b\[[0-9;]*m/g;

/** A page listing every module's build errors; it reloads itself once the build is fixed. */
export function renderOverlayPage(
  errors: Map<string, string[]>,
  base: string,
  version: number,
  heading = 'the build failed; fix the error and save: this page reloads by itself.',
): string {
  const sections = [...errors]
    .map(
      ([name, list]) =>
        `<section><h2>${escapeAttribute(name)}</h2>${list.map((e) => `<pre>${escapeAttribute(e.replace(ANSI, ''))}</pre>`).join('')}</section>`,
    )
    .join('');
  return (
    '<!doctype html><html><head><meta charset="utf-8"><title>Build failed</title><link rel="icon" href="data:,">' +
    '<style>body{font:14px/1.5 system-ui,sans-serif;margin:0;padding:24px;background:#1d1f21;color:#eee}' +
    'h1{color:#ff6b6b;font-size:18px}h2{font-size:15px;color:#ffd166}pre{white-space:pre-wrap;background:#2a2d31;padding:12px;border-left:3px solid #ff6b6b;overflow:auto}</style>' +
    `</head><body><h1 id="esmx-build-error">${escapeAttribute(TAG.serve)} ${escapeAttribute(heading)}</h1>` +
    sections +
    renderLiveReloadScript(base, version) +
    '</body></html>'
  );
}
