/**
 * HTML "resolve a module specifier" (https://html.spec.whatwg.org/multipage/webappapis.html#resolve-a-module-specifier)
 * against one parsed import map, for a script at `scriptURL`.
 */
import { TAG } from '../constants';
import { packageNameOf } from '../protocol/installed-version';
import type { ParsedImportMap, SpecifierMap } from './parse-import-map';
import { toBaseUrl } from './parse-import-map';
import { compareCodeUnitsDescending, isSpecialUrl, parseUrl, resolveUrlLikeSpecifier } from './url-like';

// Parsed maps are frozen, so their sorted key lists can be cached; unfrozen hand-made maps are sorted per call.
const sortedKeysCache = new WeakMap<object, string[]>();
const prefixKeysCache = new WeakMap<object, string[]>();

function sortedKeys(map: object, cache = sortedKeysCache, keep: (key: string) => boolean = () => true): string[] {
  const cached = cache.get(map);
  if (cached) return cached;
  const keys = Object.keys(map).filter(keep).sort(compareCodeUnitsDescending);
  if (Object.isFrozen(map)) cache.set(map, keys);
  return keys;
}

/** Returns the serialized resolved URL; throws a TypeError wherever the spec says resolution fails. */
export function resolveSpecifier(specifier: string, parsedMap: ParsedImportMap, scriptURL: string | URL): string {
  const baseURL = toBaseUrl(scriptURL, 'scriptURL');
  const serializedBaseURL = baseURL.href;
  const asURL = resolveUrlLikeSpecifier(specifier, baseURL);
  const normalizedSpecifier = asURL ? asURL.href : specifier;
  const context = { specifier, scriptURL: serializedBaseURL };

  for (const scopePrefix of sortedKeys(parsedMap.scopes)) {
    if (scopePrefix === serializedBaseURL || (scopePrefix.endsWith('/') && serializedBaseURL.startsWith(scopePrefix))) {
      const match = resolveImportsMatch(normalizedSpecifier, asURL, parsedMap.scopes[scopePrefix], context, scopePrefix);
      if (match !== null) return match;
    }
  }
  const match = resolveImportsMatch(normalizedSpecifier, asURL, parsedMap.imports, context, undefined);
  if (match !== null) return match;
  if (asURL) return asURL.href;
  throw new TypeError(
    `${TAG.importMap} cannot resolve the bare specifier "${specifier}" imported from ${serializedBaseURL}: ` +
      'no entry of the import map (in "imports" or in a scope containing that script) maps it. ' +
      `Fix: add "${specifier}" (or a "${packageNameOf(specifier)}/" prefix entry) to the import map, ` +
      'or check that the module providing it is linked and built.',
  );
}

function resolveImportsMatch(
  normalizedSpecifier: string,
  asURL: URL | null,
  specifierMap: SpecifierMap,
  context: { specifier: string; scriptURL: string },
  scopePrefix: string | undefined,
): string | null {
  const where = scopePrefix === undefined ? '"imports"' : `the scope "${scopePrefix}"`;
  const blocked = (key: string) =>
    new TypeError(
      `${TAG.importMap} resolution of "${context.specifier}" imported from ${context.scriptURL} is blocked: ` +
        `the entry "${key}" of ${where} is null (an invalid address or an explicit null). ` +
        `Fix: give "${key}" a valid address (a "/"-, "./"-, "../"-prefixed or absolute URL; ending in "/" when the key does).`,
    );
  // The spec walks all keys in descending code-unit order, testing "exact" then "prefix" on each. An exact key
  // sorts before every proper prefix of itself, so testing it first is the same walk; the prefix keys left are
  // all prefixes of one string, so descending order is longest first. This makes the exact case O(1).
  if (Object.prototype.hasOwnProperty.call(specifierMap, normalizedSpecifier)) {
    const resolutionResult = specifierMap[normalizedSpecifier];
    if (resolutionResult === null) throw blocked(normalizedSpecifier);
    return resolutionResult;
  }
  if (asURL !== null && !isSpecialUrl(asURL)) return null;
  for (const specifierKey of sortedKeys(specifierMap, prefixKeysCache, (key) => key.endsWith('/'))) {
    if (normalizedSpecifier.startsWith(specifierKey)) {
      const resolutionResult = specifierMap[specifierKey];
      if (resolutionResult === null) throw blocked(specifierKey);
      const afterPrefix = normalizedSpecifier.slice(specifierKey.length);
      const url = parseUrl(afterPrefix, resolutionResult);
      if (!url) {
        throw new TypeError(
          `${TAG.importMap} resolution of "${context.specifier}" imported from ${context.scriptURL} failed: ` +
            `"${afterPrefix}" does not parse as a URL relative to "${resolutionResult}" (the address of "${specifierKey}" in ${where}). ` +
            'Fix: map the prefix to a hierarchical URL ending in "/" (http(s):, file:, or a "/"-prefixed path).',
        );
      }
      if (!url.href.startsWith(resolutionResult)) {
        throw new TypeError(
          `${TAG.importMap} resolution of "${context.specifier}" imported from ${context.scriptURL} is blocked: ` +
            `it backtracks above the address "${resolutionResult}" of the prefix "${specifierKey}" in ${where} (to ${url.href}). ` +
            'Fix: import a path inside the package, or add an explicit entry for the target.',
        );
      }
      return url.href;
    }
  }
  return null;
}
