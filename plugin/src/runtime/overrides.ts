/**
 * Import-map overrides for development against a deployed host. Off unless the host lists the origins it accepts.
 * A request carrying `x-esmx-override: cart=https://alice.dev.example.com/cart/client/` (or the cookie
 * `esmx-override` with the same value, URL-encoded) is rendered, and its page's import map composed, with those
 * modules linked to those URLs: for that request only, on the server and in the browser, with a visible banner.
 * An origin not on the list is refused with 403; the link checks of a normal load apply (manifest, name, integrity).
 */
import type { IncomingMessage } from 'node:http';
import { TAG } from '../constants';
import { escapeAttribute } from './escape';

export const OVERRIDE_HEADER = 'x-esmx-override';
export const OVERRIDE_COOKIE = 'esmx-override';

/** Origins allowed as override targets: `https://a.example.com`, or `https://*.dev.example.com` for its subdomains. */
export interface OverridePolicy {
  origins: string[];
}

/** The policy from the option, else `$ESMX_OVERRIDE_ORIGINS` (comma-separated); undefined when overrides are off. */
export function resolveOverridePolicy(option: string[] | undefined, env: NodeJS.ProcessEnv, tag: string): OverridePolicy | undefined {
  const fromEnv = option === undefined;
  const raw = option ?? (env.ESMX_OVERRIDE_ORIGINS ? env.ESMX_OVERRIDE_ORIGINS.split(',').map((o) => o.trim()).filter(Boolean) : []);
  if (!Array.isArray(raw)) {
    throw new Error(`${tag} option "overrideOrigins" must be a list of origins, found ${JSON.stringify(raw)}; fix: pass e.g. ['https://*.dev.example.com']`);
  }
  for (const origin of raw) {
    if (typeof origin !== 'string' || !/^https?:\/\/(\*\.)?[a-z0-9.-]+(:\d+)?$/i.test(origin)) {
      const source = fromEnv ? 'environment variable ESMX_OVERRIDE_ORIGINS' : 'option "overrideOrigins"';
      throw new Error(
        `${tag} ${source} must list origins such as https://dev.example.com or https://*.dev.example.com (scheme, host, ` +
          `optional port; no path), found ${JSON.stringify(origin)}; fix: ${fromEnv ? 'ESMX_OVERRIDE_ORIGINS=https://*.dev.example.com' : "overrideOrigins: ['https://*.dev.example.com']"}`,
      );
    }
  }
  return raw.length > 0 ? { origins: raw.map((o) => o.toLowerCase()) } : undefined;
}

function isAllowed(policy: OverridePolicy, url: URL): boolean {
  const origin = url.origin.toLowerCase();
  return policy.origins.some((allowed) => {
    if (!allowed.includes('*.')) return allowed === origin;
    const [scheme, rest] = allowed.split('://*.');
    const at = origin.indexOf('://');
    return origin.slice(0, at) === scheme && origin.slice(at + 3).endsWith(`.${rest}`);
  });
}

function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const at = part.indexOf('=');
    if (at !== -1 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim();
  }
  return undefined;
}

export type OverrideRequest =
  | { changes: Record<string, string>; key: string }
  | { refused: string }
  | undefined;

/** What a request asks to override; undefined when it asks nothing (the hot path: two header reads). */
export function readOverrideRequest(req: IncomingMessage, policy: OverridePolicy, linked: { host: string; modules: Record<string, unknown> }): OverrideRequest {
  const header = req.headers[OVERRIDE_HEADER];
  let value = typeof header === 'string' ? header : undefined;
  if (value === undefined) {
    const cookie = readCookie(req.headers.cookie, OVERRIDE_COOKIE);
    if (cookie === undefined) return undefined;
    try {
      value = decodeURIComponent(cookie);
    } catch {
      return { refused: `the ${OVERRIDE_COOKIE} cookie is not URL-encoded` };
    }
  }
  const changes: Record<string, string> = {};
  for (const pair of value.split(',').map((p) => p.trim()).filter(Boolean)) {
    const at = pair.indexOf('=');
    const name = at > 0 ? pair.slice(0, at) : '';
    const target = at > 0 ? pair.slice(at + 1) : '';
    if (!name || !URL.canParse(target) || !/^https?:/i.test(target)) return { refused: `expected <module>=<http(s) URL>, found ${JSON.stringify(pair)}` };
    if (!linked.modules[name] || name === linked.host) return { refused: `${JSON.stringify(name)} is not a module this host links` };
    const url = new URL(target);
    if (!isAllowed(policy, url)) return { refused: `the origin ${url.origin} is not on this host's override allow-list` };
    changes[name] = url.href.endsWith('/') ? url.href : `${url.href}/`;
  }
  if (Object.keys(changes).length === 0) return undefined;
  const key = Object.keys(changes)
    .sort()
    .map((name) => `${name}=${changes[name]}`)
    .join(',');
  return { changes, key };
}

/** The visible notice of an overridden page. */
export function renderOverrideBanner(changes: Record<string, string>): string {
  const list = Object.entries(changes)
    .map(([name, url]) => `${escapeAttribute(name)} → ${escapeAttribute(url)}`)
    .join(', ');
  return (
    `<div data-esmx-override role="status" style="position:fixed;left:0;right:0;bottom:0;z-index:2147483647;` +
    `padding:6px 12px;background:#b00020;color:#fff;font:13px/1.4 system-ui,sans-serif">` +
    `Import-map override active for this browser: ${list}</div>`
  );
}

/** Puts the banner before `</body>` (or at the end of a page without one). */
export function injectBanner(html: string, banner: string): string {
  const at = html.lastIndexOf('</body>');
  return at === -1 ? html + banner : html.slice(0, at) + banner + html.slice(at);
}

export const overrideRefusal = (reason: string) =>
  `${TAG.ssr} import-map override refused: ${reason}. Fix: remove the ${OVERRIDE_COOKIE} cookie (or the ${OVERRIDE_HEADER} header), ` +
  `or point it at an origin the host's overrideOrigins (ESMX_OVERRIDE_ORIGINS) lists.`;
