/**
 * Static files of one linked module, served under `/<name>/` from its `dist/client`. Only files found by walking
 * that directory at load time are ever served (a lookup in an index, never a path join on user input), so no
 * request path can reach outside it; hostile paths are additionally answered 400 before the lookup. Dotfiles and
 * dot-folders (`.env`, `.git/`) are never indexed, and a path naming one is answered 404 before the lookup.
 *
 * Hand-written on purpose: the path check (`decodeStaticPath`: the index lookup makes it a second fence, and it
 * must answer 400 for what a file-system-joining server would have to guard against), the ETag (one hash per
 * file and encoding computed at index time, compared in `matchesEtag`: `If-None-Match` is the only conditional
 * an immutable, hashed asset needs). Range requests are not served (no `Accept-Ranges`): module files are small
 * and compressed, and a client that asks for a range gets the whole file, which HTTP allows.
 */
import { createHash } from 'node:crypto';
import { createReadStream, readdirSync, statSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import { extname, join } from 'node:path';
import { contentType } from 'mime-types';
import Negotiator from 'negotiator';
import { CACHE_CONTROL_IMMUTABLE, CACHE_CONTROL_REVALIDATE, FINAL_INFIX } from '../constants';
import { compressBodies } from './compress';

/** Types whose bodies compress well: text, JSON, JavaScript, XML (SVG included) and WebAssembly. */
const COMPRESSIBLE_TYPE = /^(text\/|application\/(json|javascript|xml|wasm)\b|image\/svg\+xml\b)|\+(json|xml)\b/;
/** Below this size compression saves less than the headers it costs. */
const MIN_COMPRESS_BYTES = 512;
/** Larger files are read from disk per request and sent uncompressed rather than held in memory. */
const MAX_CACHED_BYTES = 8 * 1024 * 1024;

export interface StaticFile {
  path: string;
  size: number;
  etag: string;
  contentType: string;
  cacheControl: string;
  compressible: boolean;
  /** Loaded on first request and kept: identity, gzip and brotli bodies (precompressed siblings win). */
  bodies?: Promise<Bodies>;
  /** A file held in memory (the es-module-shims copy): its bytes, read from here instead of `path`. */
  content?: Buffer;
}

export type StaticIndex = Map<string, StaticFile>;

/** `mime-types` with its charset (`text/javascript; charset=utf-8` for `.mjs`), octet-stream when unknown. */
function contentTypeOf(name: string): string {
  return contentType(extname(name).toLowerCase()) || 'application/octet-stream';
}

export function describeFile(path: string, name: string, size: number, etagSeed: string): StaticFile {
  const type = contentTypeOf(name);
  return {
    path,
    size,
    etag: `"${createHash('sha1').update(etagSeed).digest('base64url').slice(0, 22)}"`,
    contentType: type,
    cacheControl: name.includes(FINAL_INFIX) ? CACHE_CONTROL_IMMUTABLE : CACHE_CONTROL_REVALIDATE,
    compressible: COMPRESSIBLE_TYPE.test(type) && size >= MIN_COMPRESS_BYTES,
  };
}

/** Walks `dir` (regular files only; symlinks are not followed) into a relative-path → file index. */
export function indexDirectory(dir: string): StaticIndex {
  const index: StaticIndex = new Map();
  const walk = (current: string, prefix: string) => {
    let entries;
    try {
      entries = readdirSync(current, { withFileTypes: true });
    } catch {
      // A missing dist/client (server-only module) simply serves nothing.
      return;
    }
    for (const dirent of entries) {
      // Dotfiles and dot-folders are build or tool state (`.env`, `.git/`, `.cache/`), never a served asset.
      if (dirent.name.startsWith('.')) continue;
      const rel = prefix + dirent.name;
      const path = join(current, dirent.name);
      if (dirent.isDirectory()) walk(path, `${rel}/`);
      else if (dirent.isFile()) {
        const stat = statSync(path);
        index.set(rel, describeFile(path, dirent.name, stat.size, `${rel}\0${stat.size}\0${stat.mtimeMs}`));
      }
    }
  };
  walk(dir, '');
  return index;
}

/**
 * A file held in memory (the es-module-shims copy); `etagSeed` identifies its bytes (their hash). Like a file on disk,
 * it is compressed on its first request, not at start-up: only browsers without import maps ask for the shim.
 */
export function describeMemoryFile(name: string, content: Buffer, etagSeed: string): StaticFile {
  return { ...describeFile('', name, content.length, etagSeed), content };
}

type Bodies = { identity: Buffer; gzip?: Buffer; br?: Buffer };

/** A precompressed sibling that vanished since indexing is made again from the identity body. */
async function readSibling(file: StaticFile | undefined): Promise<Buffer | undefined> {
  if (!file) return undefined;
  try {
    return await readFile(file.path);
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
}

async function loadBodies(file: StaticFile, identity: Buffer, index: StaticIndex | undefined, rel?: string): Promise<Bodies> {
  if (!file.compressible) return { identity };
  const pre = (suffix: string) => (index && rel ? index.get(rel + suffix) : undefined);
  const [gzipPre, brPre] = await Promise.all([readSibling(pre('.gz')), readSibling(pre('.br'))]);
  // Made on the compression worker (compress.ts) when a precompressed sibling is missing.
  const made = gzipPre && brPre ? undefined : await compressBodies(identity);
  const smaller = (body: Buffer | undefined) => (body && body.length < identity.length ? body : undefined);
  return { identity, gzip: smaller(gzipPre ?? made?.gzip), br: smaller(brPre ?? made?.br) };
}

/** A file removed since the directory was indexed (a redeploy, a clean): the request gets 404, not 500. */
function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/**
 * Validates the still percent-encoded path after `/<name>/` and decodes it: 400 for backslashes, NUL, encoded
 * slashes or `%25` (double encoding), malformed escapes, empty / `.` / `..` segments and drive letters; 404 for a
 * dotfile or dot-folder, however it is encoded (`.env`, `%2eenv`, `a/.git/config`).
 */
export function decodeStaticPath(raw: string): { path: string } | { status: 400 | 404 } {
  if (/[\\\0]/.test(raw) || /%(00|2f|5c|25)/i.test(raw)) return { status: 400 };
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    return { status: 400 };
  }
  if (/[\\\0]/.test(decoded)) return { status: 400 };
  const segments = decoded.split('/');
  if (segments.some((s) => s === '' || s === '.' || s === '..' || /^[a-zA-Z]:/.test(s))) return { status: 400 };
  if (segments.some((s) => s.charCodeAt(0) === 0x2e)) return { status: 404 };
  return { path: decoded };
}

/** Server preference among codings the client rates equally: the smallest body first. */
const PREFERRED_ENCODINGS = ['br', 'gzip', 'identity'];

// @types/negotiator lags the library: `encodings(available, { preferred })` exists since negotiator 0.6.3.
type EncodingsWithPreference = (available: readonly string[], options: { preferred: readonly string[] }) => string[];

/**
 * The coding to send, negotiated by `negotiator` (q-values, `q=0` excludes, `*` covers only codings not named).
 * When the client refuses every coding we have, identity included (`identity;q=0`), identity is sent anyway:
 * RFC 9110 §12.5.3 lets a server send an unacceptable coding rather than 406, and a 406 for a script would only
 * break the page.
 */
export function negotiateEncoding(header: string | undefined, bodies: Bodies): 'br' | 'gzip' | 'identity' {
  if (!header) return 'identity';
  const available = PREFERRED_ENCODINGS.filter((coding) => coding === 'identity' || bodies[coding as 'br' | 'gzip']);
  if (available.length === 1) return 'identity';
  const negotiator = new Negotiator({ headers: { 'accept-encoding': header } });
  const encodings = (negotiator.encodings as unknown as EncodingsWithPreference).call(negotiator, available, {
    preferred: PREFERRED_ENCODINGS,
  });
  return (encodings[0] as 'br' | 'gzip' | 'identity' | undefined) ?? 'identity';
}

function matchesEtag(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);
}

/**
 * A plain-text status response. The reason phrase is passed explicitly: a `writeHead` that threw (an invalid
 * header value from a handler) has already set `statusMessage` for its own status, and Node would reuse it
 * (`500 OK`). Headers set before the failure are dropped for the same reason, `connection` aside.
 */
export function sendStatus(res: ServerResponse, status: number, extra: Record<string, string> = {}): void {
  const body = `${status} ${STATUS_CODES[status] ?? ''}\n`;
  for (const name of res.getHeaderNames()) if (name !== 'connection') res.removeHeader(name);
  res.writeHead(status, STATUS_CODES[status] ?? '', {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    ...extra,
  });
  res.end(body);
}

/** Answers a request for one indexed file: method check, ETag/304, encoding negotiation, HEAD. */
export async function serveFile(
  req: IncomingMessage,
  res: ServerResponse,
  file: StaticFile,
  index?: StaticIndex,
  rel?: string,
): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    sendStatus(res, 405, { allow: 'GET, HEAD' });
    return;
  }
  const headers: Record<string, string | number> = {
    'content-type': file.contentType,
    'cache-control': file.cacheControl,
    etag: file.etag,
    'x-content-type-options': 'nosniff',
  };
  if (file.compressible) headers.vary = 'accept-encoding';
  if (file.size > MAX_CACHED_BYTES) {
    if (matchesEtag(req.headers['if-none-match'], file.etag)) {
      res.writeHead(304, headers);
      res.end();
      return;
    }
    try {
      await stat(file.path);
    } catch (error) {
      if (isMissing(error)) return sendStatus(res, 404);
      throw error;
    }
    headers['content-length'] = file.size;
    res.writeHead(200, headers);
    if (req.method === 'HEAD') res.end();
    else createReadStream(file.path).on('error', (error) => res.destroy(error)).pipe(res);
    return;
  }
  if (!file.bodies) {
    const identity = file.content ? Promise.resolve(file.content) : readFile(file.path);
    const loading = identity.then((bytes) => loadBodies(file, bytes, index, rel));
    file.bodies = loading;
    // A failed load (the file gone since indexing) fails this request, not every later one.
    loading.catch(() => {
      if (file.bodies === loading) file.bodies = undefined;
    });
  }
  let bodies: Bodies;
  try {
    bodies = await file.bodies;
  } catch (error) {
    if (isMissing(error)) return sendStatus(res, 404);
    throw error;
  }
  const coding = negotiateEncoding(req.headers['accept-encoding'], bodies);
  let body = bodies.identity;
  // Each encoding is its own representation, so it gets its own strong validator.
  if (coding === 'br') {
    body = bodies.br!;
    headers['content-encoding'] = 'br';
    headers.etag = `${file.etag.slice(0, -1)}-br"`;
  } else if (coding === 'gzip') {
    body = bodies.gzip!;
    headers['content-encoding'] = 'gzip';
    headers.etag = `${file.etag.slice(0, -1)}-gz"`;
  }
  if (matchesEtag(req.headers['if-none-match'], headers.etag as string)) {
    delete headers['content-encoding'];
    res.writeHead(304, headers);
    res.end();
    return;
  }
  headers['content-length'] = body.length;
  res.writeHead(200, headers);
  res.end(req.method === 'HEAD' ? undefined : body);
}
