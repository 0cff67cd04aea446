/** URL primitives of the HTML import-map algorithms, on top of Node's WHATWG `URL`. */

/** Schemes the URL Standard calls "special" (they get hierarchical paths and prefix matching). */
const SPECIAL_SCHEMES = new Set(['ftp:', 'file:', 'http:', 'https:', 'ws:', 'wss:']);

/** The URL parser of the URL Standard, returning null instead of "failure". */
export function parseUrl(input: string, base?: URL | string): URL | null {
  // canParse first: most bare specifiers are not URLs, and a thrown TypeError costs several times a parse.
  if (!URL.canParse(input, base)) return null;
  return base === undefined ? new URL(input) : new URL(input, base);
}

/** HTML "resolve a URL-like module specifier": only `/`, `./`, `../` are relative; else it must be absolute. */
export function resolveUrlLikeSpecifier(specifier: string, baseURL: URL): URL | null {
  if (specifier.startsWith('/') || specifier.startsWith('./') || specifier.startsWith('../')) {
    return parseUrl(specifier, baseURL);
  }
  return parseUrl(specifier);
}

export function isSpecialUrl(url: URL): boolean {
  return SPECIAL_SCHEMES.has(url.protocol);
}

/** "Code unit less than" of the Infra standard, which is what JS string comparison does. */
export function compareCodeUnitsDescending(a: string, b: string): number {
  return a < b ? 1 : a > b ? -1 : 0;
}

export function describeJsonValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  if (typeof value === 'object') return 'an object';
  return `${typeof value === 'number' ? 'the number' : typeof value === 'boolean' ? 'the boolean' : typeof value} ${String(value)}`;
}
