/**
 * HTML "parse an import map string" (https://html.spec.whatwg.org/multipage/webappapis.html#parse-an-import-map-string),
 * step for step. Addresses and keys are kept as serialized URLs (strings) so the result is plain JSON.
 *
 * One known deviation, inherent to JS objects: integer-like keys ("1", "42") enumerate before the others
 * whatever their place in the JSON text. It only matters when such a scope key and another key normalize to
 * the same URL (`"1"` and `"./1"`): the spec keeps the later one in text order, this keeps the non-integer one.
 */
import { TAG } from '../constants';
import { isRecord } from '../utils/is-record';
import { locateJsonError } from '../protocol/json-position';
import { compareCodeUnitsDescending, describeJsonValue, parseUrl, resolveUrlLikeSpecifier } from './url-like';

/** Normalized specifier key → serialized absolute URL, or null for an entry that blocks resolution. */
export type SpecifierMap = Readonly<Record<string, string | null>>;

/** An import map after the spec's parsing: every key and address a normalized absolute URL (or a bare specifier key). Deeply frozen. */
export interface ParsedImportMap {
  /** Keys in descending code-unit order (JS enumerates integer-like keys first; resolution does not rely on order). */
  readonly imports: SpecifierMap;
  /** Normalized scope prefix → specifier map, keys in descending code-unit order. */
  readonly scopes: Readonly<Record<string, SpecifierMap>>;
  /** Serialized URL → integrity metadata. */
  readonly integrity: Readonly<Record<string, string>>;
}

/** How `parseImportMap` reports what the spec only warns about, and how its errors name the map. */
export interface ParseImportMapOptions {
  /** Receives the spec's console warnings (ignored entries, unknown keys). Default: warnings are dropped. */
  onWarning?: (message: string) => void;
  /** Names the map in error messages, e.g. the file it was read from. */
  source?: string;
}

const TOP_LEVEL_KEYS = new Set(['imports', 'scopes', 'integrity']);

/**
 * Parses an import map given as JSON text or as an already-parsed JSON value.
 * Throws a SyntaxError for invalid JSON text and a TypeError for a wrong top-level shape, as the spec does.
 * The result is deeply frozen.
 */
export function parseImportMap(
  input: string | object,
  baseURL: string | URL,
  options: ParseImportMapOptions = {},
): ParsedImportMap {
  const source = options.source ?? 'the import map';
  const warn = (message: string) => options.onWarning?.(`${TAG.importMap} ${message}`);
  const base = toBaseUrl(baseURL, 'baseURL');
  const parsed = typeof input === 'string' ? parseJsonText(input, source) : input;
  if (!isRecord(parsed)) {
    throw new TypeError(
      `${TAG.importMap} expected the top-level value of ${source} to be a JSON object, found ${describeJsonValue(parsed)}. ` +
        'Fix: write the map as { "imports": { … }, "scopes": { … } }.',
    );
  }
  let imports: SpecifierMap = {};
  if ('imports' in parsed) {
    const value = parsed.imports;
    if (!isRecord(value)) throw topLevelKeyError(source, 'imports', value);
    imports = sortAndNormalizeSpecifierMap(value, base, warn);
  }
  let scopes: Record<string, SpecifierMap> = {};
  if ('scopes' in parsed) {
    const value = parsed.scopes;
    if (!isRecord(value)) throw topLevelKeyError(source, 'scopes', value);
    scopes = sortAndNormalizeScopes(value, base, warn, source);
  }
  let integrity: Record<string, string> = {};
  if ('integrity' in parsed) {
    const value = parsed.integrity;
    if (!isRecord(value)) throw topLevelKeyError(source, 'integrity', value);
    integrity = normalizeIntegrity(value, base, warn);
  }
  for (const key of Object.keys(parsed)) {
    if (!TOP_LEVEL_KEYS.has(key)) {
      warn(`ignored the top-level key "${key}" of ${source}: only "imports", "scopes" and "integrity" are defined.`);
    }
  }
  for (const map of Object.values(scopes)) Object.freeze(map);
  return Object.freeze({
    imports: Object.freeze(imports),
    scopes: Object.freeze(scopes),
    integrity: Object.freeze(integrity),
  });
}

export function toBaseUrl(value: string | URL, what: string): URL {
  if (value instanceof URL) return value;
  const url = parseUrl(String(value));
  if (!url) {
    throw new TypeError(
      `${TAG.importMap} expected ${what} to be an absolute URL, found ${JSON.stringify(value)}. ` +
        'Fix: pass an absolute URL such as "https://example.com/" or a file:// URL.',
    );
  }
  return url;
}

function parseJsonText(text: string, source: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const where = locateJsonError(text);
    const reason = error instanceof Error ? error.message : String(error);
    const detail = where
      ? `at line ${where.line}, column ${where.column} (offset ${where.offset}): expected ${where.expected}, found ${
          where.offset < text.length ? JSON.stringify(text.slice(where.offset, where.offset + 12)) : 'the end of the input'
        }`
      : `(${reason})`;
    throw new SyntaxError(
      `${TAG.importMap} ${source} is not valid JSON ${detail}. ` +
        'Fix: write strict JSON (double-quoted keys and strings, no trailing commas, no comments).',
    );
  }
}

function topLevelKeyError(source: string, key: string, value: unknown): TypeError {
  return new TypeError(
    `${TAG.importMap} expected "${key}" of ${source} to be a JSON object, found ${describeJsonValue(value)}. ` +
      `Fix: make "${key}" an object or remove it.`,
  );
}

function sortDescending<T>(entries: Map<string, T>): Record<string, T> {
  const sorted: Record<string, T> = {};
  for (const key of [...entries.keys()].sort(compareCodeUnitsDescending)) sorted[key] = entries.get(key) as T;
  return sorted;
}

function normalizeSpecifierKey(key: string, base: URL, warn: (m: string) => void): string | null {
  if (key === '') {
    warn('ignored an entry with an empty specifier key.');
    return null;
  }
  const url = resolveUrlLikeSpecifier(key, base);
  return url ? url.href : key;
}

function sortAndNormalizeSpecifierMap(original: Record<string, unknown>, base: URL, warn: (m: string) => void): SpecifierMap {
  // A Map keeps the last write for duplicate normalized keys, as the spec's ordered map does.
  const normalized = new Map<string, string | null>();
  for (const [specifierKey, value] of Object.entries(original)) {
    const normalizedKey = normalizeSpecifierKey(specifierKey, base, warn);
    if (normalizedKey === null) continue;
    if (typeof value !== 'string') {
      warn(`the address of "${specifierKey}" must be a string, found ${describeJsonValue(value)}; the entry now blocks resolution.`);
      normalized.set(normalizedKey, null);
      continue;
    }
    const addressURL = resolveUrlLikeSpecifier(value, base);
    if (!addressURL) {
      warn(
        `the address ${JSON.stringify(value)} of "${specifierKey}" is neither an absolute URL nor starts with "/", "./" or "../"; ` +
          'the entry now blocks resolution.',
      );
      normalized.set(normalizedKey, null);
      continue;
    }
    if (specifierKey.endsWith('/') && !addressURL.href.endsWith('/')) {
      warn(
        `the address ${JSON.stringify(value)} of the package key "${specifierKey}" must end with "/" like its key; ` +
          'the entry now blocks resolution.',
      );
      normalized.set(normalizedKey, null);
      continue;
    }
    normalized.set(normalizedKey, addressURL.href);
  }
  return sortDescending(normalized);
}

function sortAndNormalizeScopes(
  original: Record<string, unknown>,
  base: URL,
  warn: (m: string) => void,
  source: string,
): Record<string, SpecifierMap> {
  const normalized = new Map<string, SpecifierMap>();
  for (const [scopePrefix, potentialMap] of Object.entries(original)) {
    if (!isRecord(potentialMap)) {
      throw new TypeError(
        `${TAG.importMap} expected the scope "${scopePrefix}" of ${source} to map to a JSON object, ` +
          `found ${describeJsonValue(potentialMap)}. Fix: write the scope as { "specifier": "address" }.`,
      );
    }
    const scopePrefixURL = parseUrl(scopePrefix, base);
    if (!scopePrefixURL) {
      warn(`ignored the scope "${scopePrefix}": it does not parse as a URL against ${base.href}.`);
      continue;
    }
    normalized.set(scopePrefixURL.href, sortAndNormalizeSpecifierMap(potentialMap, base, warn));
  }
  return sortDescending(normalized);
}

function normalizeIntegrity(original: Record<string, unknown>, base: URL, warn: (m: string) => void): Record<string, string> {
  const normalized: Record<string, string> = {};
  for (const [key, value] of Object.entries(original)) {
    const resolved = resolveUrlLikeSpecifier(key, base);
    if (!resolved) {
      warn(`ignored the integrity key "${key}": it must be an absolute URL or start with "/", "./" or "../".`);
      continue;
    }
    if (typeof value !== 'string') {
      warn(`ignored the integrity of "${key}": it must be a string, found ${describeJsonValue(value)}.`);
      continue;
    }
    normalized[resolved.href] = value;
  }
  return normalized;
}
