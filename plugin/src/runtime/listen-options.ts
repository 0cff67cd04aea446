/** Where the server listens and under which path it answers: the options, else `PORT` / `HOST` / `BASE`, else defaults. */
import { DEFAULT_HOST, DEFAULT_PORT, TAG } from '../constants';
import { normalizeBase } from '../import-map/compose-import-map';

export interface ListenOptions {
  port: number;
  host: string;
  /** A URL path starting and ending with `/`. */
  base: string;
}

/** Throws a tagged error for a base the server cannot answer under (a URL, a query, a protocol-relative path). */
export function resolveListenOptions(
  options: { port?: number; host?: string; base?: string },
  env: NodeJS.ProcessEnv = process.env,
  tag: string = TAG.start,
): ListenOptions {
  const envPort = env.PORT ? Number(env.PORT) : undefined;
  return {
    port: options.port ?? (Number.isInteger(envPort) ? envPort! : DEFAULT_PORT),
    host: options.host ?? env.HOST ?? DEFAULT_HOST,
    base: toServerBase(options.base ?? env.BASE, tag),
  };
}

function toServerBase(raw: unknown, tag: string): string {
  const found = JSON.stringify(raw);
  if (raw !== undefined && typeof raw !== 'string') {
    throw new Error(`${tag} option "base" must be a URL path such as /shop/, found ${found}; fix: pass e.g. --base=/shop/`);
  }
  const base = normalizeBase(raw);
  if (!base.startsWith('/')) {
    const path = URL.canParse(base) ? new URL(base).pathname : '/shop/';
    throw new Error(
      `${tag} option "base" must be a URL path such as /shop/, found the URL ${found}: a server answers paths of its own ` +
        `origin; fix: pass only the path (e.g. --base=${path}) and put the origin in front of the server (proxy or CDN)`,
    );
  }
  if (/[?#\\\s]/.test(base) || base.includes('//')) {
    throw new Error(`${tag} option "base" must be a URL path such as /shop/, found ${found}; fix: pass e.g. --base=/shop/`);
  }
  return base;
}

/**
 * Where the browser loads the host's own client files from (`publicUrl`, else `$PUBLIC_URL`): an http(s) URL of the
 * folder its dist/client was uploaded to (a CDN), ending in `/`; undefined when unset (they load from the server).
 */
export function resolvePublicUrl(raw: unknown, fromEnv: boolean, tag: string = TAG.start): string | undefined {
  if (raw === undefined || raw === '') return undefined;
  const source = fromEnv ? 'environment variable PUBLIC_URL' : 'option "publicUrl"';
  if (typeof raw !== 'string' || !/^https?:\/\//i.test(raw) || !URL.canParse(raw) || /[?#]/.test(raw)) {
    throw new Error(
      `${tag} ${source} must be the http(s) URL of the folder holding the host's dist/client files, found ${JSON.stringify(raw)}; ` +
        `fix: pass e.g. ${fromEnv ? 'PUBLIC_URL=' : '--publicUrl='}https://cdn.example.com/shell/1.0.0/client/`,
    );
  }
  const href = new URL(raw).href;
  return href.endsWith('/') ? href : `${href}/`;
}
