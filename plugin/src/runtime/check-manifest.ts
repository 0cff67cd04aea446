/**
 * Shape checks of what the server reads from disk or a URL before anything of it reaches HTML, a URL or a path:
 * build manifests and `dist/link.json`. A crafted or corrupt file is refused with one tagged line naming the file,
 * the field and its value, and the fix; the manifest values that pass are then safe to compose (file names stay
 * inside their folder, integrity values are SRI metadata).
 */
import { PROTOCOL_VERSION, TAG } from '../constants';
import type { BuildManifest, BuildTarget, LinkFile } from '../protocol/types';

/** SRI metadata as the build writes it: one hash, base64 with its padding, nothing else. */
export const INTEGRITY_PATTERN = /^(sha256|sha384|sha512)-[A-Za-z0-9+/]+={0,2}$/;

/** Where a checked value came from, and what to do when it is wrong. */
export interface CheckSource {
  /** File path or URL of the JSON document. */
  file: string;
  /** The fix, a full sentence: `rebuild cart (nx run cart:build).` */
  fix: string;
}

const MAX_SHOWN = 80;

/** A value as one short line: JSON escapes newlines, so a message never spans lines whatever the input. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  const json = JSON.stringify(value) ?? String(value);
  return json.length > MAX_SHOWN ? `${json.slice(0, MAX_SHOWN)}…` : json;
}

function refuse(source: CheckSource, field: string, expected: string, value: unknown): never {
  throw new Error(`${TAG.ssr} expected ${field} in ${source.file} to be ${expected}, found ${describeValue(value)}. Fix: ${source.fix}`);
}

/**
 * A path relative to its folder that cannot leave it nor be read as anything else by a URL parser: no scheme or
 * drive letter, no leading or doubled slash, no `.`/`..` segment, no backslash, no control character, no `?`/`#`.
 */
export function isContainedFileName(file: unknown): file is string {
  if (typeof file !== 'string' || file === '') return false;
  // eslint-disable-next-line no-control-regex
  if (/[\\\u0000-\u001f\u007f?#]/.test(file) || /^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(file)) return false;
  return file.split('/').every((segment) => segment !== '' && segment !== '.' && segment !== '..');
}

const CONTAINED = 'a file name relative to its folder (no "..", no leading "/", no "//", no "\\", no URL)';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkRecord(source: CheckSource, field: string, value: unknown): Record<string, unknown> {
  if (!isRecord(value)) refuse(source, field, 'an object', value);
  return value;
}

function checkString(source: CheckSource, field: string, value: unknown): void {
  if (typeof value !== 'string') refuse(source, field, 'a string', value);
}

function checkFile(source: CheckSource, field: string, value: unknown): void {
  if (!isContainedFileName(value)) refuse(source, field, CONTAINED, value);
}

function checkFileList(source: CheckSource, field: string, value: unknown): void {
  if (value === undefined) return;
  if (!Array.isArray(value)) refuse(source, field, 'an array of file names', value);
  value.forEach((file, i) => checkFile(source, `${field}[${i}]`, file));
}

function checkStringList(source: CheckSource, field: string, value: unknown): void {
  if (value === undefined) return;
  if (!Array.isArray(value)) refuse(source, field, 'an array of strings', value);
  value.forEach((item, i) => checkString(source, `${field}[${i}]`, item));
}

const key = (name: string) => JSON.stringify(name);

/**
 * Checks a parsed manifest of module `name` for `target`. Optional parts (`integrity` in development builds,
 * a chunk's lists) may be missing; what is there must have the shape the build writes.
 */
export function checkManifest(value: unknown, name: string, target: BuildTarget, source: CheckSource): BuildManifest {
  const manifest = checkRecord(source, 'the manifest', value);
  if (manifest.protocol !== PROTOCOL_VERSION) refuse(source, 'protocol', String(PROTOCOL_VERSION), manifest.protocol);
  if (manifest.name !== name) refuse(source, 'name', `${key(name)} (the module link.json mounts there)`, manifest.name);
  if (manifest.target !== target) refuse(source, 'target', key(target), manifest.target);
  checkString(source, 'version', manifest.version);
  if (manifest.provides !== undefined) {
    for (const [pkg, provided] of Object.entries(checkRecord(source, 'provides', manifest.provides))) {
      checkString(source, `provides[${key(pkg)}].version`, checkRecord(source, `provides[${key(pkg)}]`, provided).version);
    }
  }
  checkStringList(source, 'uses', manifest.uses);
  if (manifest.scopes !== undefined) {
    for (const [specifier, provider] of Object.entries(checkRecord(source, 'scopes', manifest.scopes))) {
      checkString(source, `scopes[${key(specifier)}]`, provider);
    }
  }
  for (const [exportName, raw] of Object.entries(checkRecord(source, 'exports', manifest.exports))) {
    const field = `exports[${key(exportName)}]`;
    const exp = checkRecord(source, field, raw);
    if (exp.name !== exportName) refuse(source, `${field}.name`, key(exportName), exp.name);
    checkFile(source, `${field}.file`, exp.file);
    checkString(source, `${field}.identifier`, exp.identifier);
    if (exp.pkg !== undefined && typeof exp.pkg !== 'boolean') refuse(source, `${field}.pkg`, 'true or false', exp.pkg);
  }
  checkFileList(source, 'files', manifest.files);
  if (manifest.chunks !== undefined) {
    for (const [chunkName, raw] of Object.entries(checkRecord(source, 'chunks', manifest.chunks))) {
      const field = `chunks[${key(chunkName)}]`;
      const chunk = checkRecord(source, field, raw);
      if (chunk.js !== undefined) checkFile(source, `${field}.js`, chunk.js);
      for (const list of ['css', 'resources', 'imports'] as const) checkFileList(source, `${field}.${list}`, chunk[list]);
      checkStringList(source, `${field}.externals`, chunk.externals);
      if (chunk.lazyExternals !== undefined) checkStringList(source, `${field}.lazyExternals`, chunk.lazyExternals);
    }
  }
  if (manifest.integrity !== undefined) {
    for (const [file, hash] of Object.entries(checkRecord(source, 'integrity', manifest.integrity))) {
      if (!isContainedFileName(file)) refuse(source, 'a key of integrity', CONTAINED, file);
      if (typeof hash !== 'string' || !INTEGRITY_PATTERN.test(hash)) {
        refuse(source, `integrity[${key(file)}]`, 'sha256-, sha384- or sha512-<base64>', hash);
      }
    }
  }
  return manifest as unknown as BuildManifest;
}

function isHttpUrl(value: unknown): boolean {
  if (typeof value !== 'string' || !URL.canParse(value)) return false;
  const { protocol } = new URL(value);
  return protocol === 'http:' || protocol === 'https:';
}

/** Checks a parsed `dist/link.json`: `{ protocol: 2, module, modules: { name: { dir } | { url, serverUrl? } } }`. */
export function checkLinkFile(value: unknown, source: CheckSource): LinkFile {
  const link = checkRecord(source, 'the link file', value);
  if (link.protocol !== PROTOCOL_VERSION) refuse(source, 'protocol', String(PROTOCOL_VERSION), link.protocol);
  checkString(source, 'module', link.module);
  for (const [name, raw] of Object.entries(checkRecord(source, 'modules', link.modules))) {
    const field = `modules[${key(name)}]`;
    const entry = checkRecord(source, field, raw);
    if ('url' in entry) {
      if (!isHttpUrl(entry.url)) refuse(source, `${field}.url`, 'an http(s) URL', entry.url);
      if (entry.serverUrl !== undefined && !isHttpUrl(entry.serverUrl)) {
        refuse(source, `${field}.serverUrl`, 'an http(s) URL', entry.serverUrl);
      }
    } else checkString(source, `${field}.dir`, entry.dir);
  }
  return link as unknown as LinkFile;
}
