/**
 * Static files of one linked module, served under `/<name>/` from its `dist/client`. Only files found by walking
 * that directory at load time are ever served (a lookup in an index, never a path join on user input), so no
 * request path can reach outside it; hostile paths are additionally answered 400 before the lookup.
 */
import { createHash } from 'node:crypto';
import { createReadStream, readdirSync, readFileSync, statSync } from 'node:fs';
import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import { extname, join } from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, constants as zlibConstants, gzip } from 'node:zlib';
import { contentType } from 'mime-types';
import { CACHE_CONTROL_IMMUTABLE, CACHE_CONTROL_REVALIDATE, FINAL_INFIX } from '../constants';

const gzipAsync = promisify(gzip);
const brotliAsync = promisify(brotliCompress);

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
  bodies?: Promise<{ identity: Buffer; gzip?: Buffer; br?: Buffer }>;
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

/** Adds a file held in memory (the es-module-shims copy). */
export function describeMemoryFile(name: string, content: Buffer): StaticFile {
  const file = describeFile('', name, content.length, createHash('sha256').update(content).digest('hex'));
  file.bodies = loadBodies(file, content, undefined);
  return file;
}

async function loadBodies(
  file: StaticFile,
  identity: Buffer,
  index: StaticIndex | undefined,
  rel?: string,
): Promise<{ identity: Buffer; gzip?: Buffer; br?: Buffer }> {
  if (!file.compressible) return { identity };
  const pre = (suffix: string) => (index && rel ? index.get(rel + suffix) : undefined);
  const gz = pre('.gz');
  const brFile = pre('.br');
  const [gzipBody, brBody] = await Promise.all([
    gz ? readFileSync(gz.path) : gzipAsync(identity, { level: 9 }),
    brFile
      ? readFileSync(brFile.path)
      : brotliAsync(identity, {
          params: {
            [zlibConstants.BROTLI_PARAM_QUALITY]: 11,
            [zlibConstants.BROTLI_PARAM_SIZE_HINT]: identity.length,
          },
        }),
  ]);
  return { identity, gzip: gzipBody.length < identity.length ? gzipBody : undefined, br: brBody.length < identity.length ? brBody : undefined };
}

/**
 * Validates the still percent-encoded path after `/<name>/` and decodes it: 400 for backslashes, NUL, encoded
 * slashes or `%25` (double encoding), malformed escapes, empty / `.` / `..` segments and drive letters.
 */
export function decodeStaticPath(raw: string): { path: string } | { status: 400 } {
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
  return { path: decoded };
}

function acceptedEncodings(header: string | undefined): { br: boolean; gzip: boolean } {
  const result = { br: false, gzip: false };
  if (!header) return result;
  for (const part of header.split(',')) {
    const [token, ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    if (q && Number(q.slice(2)) === 0) continue;
    if (token === 'br') result.br = true;
    else if (token === 'gzip' || token === 'x-gzip') result.gzip = true;
    else if (token === '*') result.br = result.gzip = true;
  }
  return result;
}

function matchesEtag(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);
}

export function sendStatus(res: ServerResponse, status: number, extra: Record<string, string> = {}): void {
  const body = `${status} ${STATUS_CODES[status] ?? ''}\n`;
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body), ...extra });
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
    headers['content-length'] = file.size;
    res.writeHead(200, headers);
    if (req.method === 'HEAD') res.end();
    else createReadStream(file.path).on('error', (error) => res.destroy(error)).pipe(res);
    return;
  }
  if (!file.bodies) {
    const loading = loadBodies(file, readFileSync(file.path), index, rel);
    file.bodies = loading;
    // A failed load (a precompressed sibling gone since indexing) fails this request, not every later one.
    loading.catch(() => {
      if (file.bodies === loading) file.bodies = undefined;
    });
  }
  const bodies = await file.bodies;
  const accepted = acceptedEncodings(req.headers['accept-encoding'] as string | undefined);
  let body = bodies.identity;
  // Each encoding is its own representation, so it gets its own strong validator.
  if (accepted.br && bodies.br) {
    body = bodies.br;
    headers['content-encoding'] = 'br';
    headers.etag = `${file.etag.slice(0, -1)}-br"`;
  } else if (accepted.gzip && bodies.gzip) {
    body = bodies.gzip;
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
