/**
 * Composes the import map of a set of linked modules from their protocol-2 build manifests (one target).
 *
 * - Every non-`pkg` export is a global import `<module>/<export>` → its file; `…/index` also gets the alias
 *   without `/index`. One module per identifier: a second claimant is an error naming both.
 * - Provided specifiers (`pkg` exports) are wired per consumer by `manifest.scopes` (specifier → provider); a
 *   provider always wires its own specifiers to itself. The URL wired by the most modules becomes the global
 *   import (ties: the provider with the higher installed version, then the name); every module that must see
 *   another copy gets a scope keyed by its own base URL. A wiring to a provider whose manifest of this target
 *   does not export the specifier (e.g. `react-dom/server` in a client build) is left out: nothing of this
 *   target can import it, and a stray import fails at resolution with a clear TypeError.
 * - Integrity is keyed by the same final URL as the imports, so SRI matches under any base or public URL.
 */
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
// Per-function imports: the runtime (and the standalone server bundle) load only these two, not all of semver.
import compareSemver from 'semver/functions/compare';
import validSemver from 'semver/functions/valid';
import { PROTOCOL_VERSION, TAG } from '../constants';
import { packageNameOf } from '../protocol/installed-version';
import type { BuildManifest, BuildTarget, ImportMap } from '../protocol/types';
import { parseImportMap, type ParsedImportMap } from './parse-import-map';
import { resolveSpecifier } from './resolve-specifier';

/** Where the composed map points: the target, and the base URL of each module's files for that target. */
export interface ComposeOptions {
  target: BuildTarget;
  /** Client: public base path, default `/`; `/shop` and `/shop/` are the same. Module URL = `${base}${name}/`. */
  base?: string;
  /** Client: module name → absolute (or `/`-rooted) URL of its `dist/client` files, kept as written. */
  publicUrls?: Record<string, string>;
  /** Server: module name → its `dist/server` directory; realpath'd and turned into a `file://` URL. */
  dirs?: Record<string, string>;
}

/** Normalizes a public base path: leading and trailing `/`, so `shop`, `/shop` and `/shop/` are equal. */
export function normalizeBase(base: string | undefined): string {
  const trimmed = (base ?? '/').trim();
  if (/^[a-z][a-z0-9+.-]*:/i.test(trimmed)) return trimmed.endsWith('/') ? trimmed : `${trimmed}/`;
  const withLeading = trimmed.startsWith('/') ? trimmed : `/${trimmed}`;
  return withLeading.endsWith('/') ? withLeading : `${withLeading}/`;
}

/** The URL (ending in `/`) under which a module's files of `options.target` are addressed. */
export function getModuleBaseUrl(name: string, options: ComposeOptions): string {
  if (options.target === 'server') {
    const dir = options.dirs?.[name];
    if (dir === undefined) {
      throw new Error(
        `${TAG.importMap} expected a dist/server directory for the module "${name}" in options.dirs, found none ` +
          `(known: ${Object.keys(options.dirs ?? {}).sort().join(', ') || 'none'}). Fix: pass dirs["${name}"] when composing the server map.`,
      );
    }
    let real: string;
    try {
      real = realpathSync(dir);
    } catch (error) {
      throw new Error(
        `${TAG.importMap} expected the server directory of "${name}" to exist, found ${JSON.stringify(dir)} ` +
          `(${(error as NodeJS.ErrnoException).code ?? String(error)}). Fix: build "${name}" or correct its link.`,
      );
    }
    const href = pathToFileURL(real).href;
    return href.endsWith('/') ? href : `${href}/`;
  }
  const publicUrl = options.publicUrls?.[name];
  if (publicUrl !== undefined) {
    // Kept as written (no path joining): `https://cdn.example.com/cart/` must not lose its `//`.
    if (!publicUrl.startsWith('/') && !/^[a-z][a-z0-9+.-]*:\/\//i.test(publicUrl)) {
      throw new Error(
        `${TAG.importMap} expected publicUrls["${name}"] to be an absolute URL or a "/"-rooted path, found ${JSON.stringify(publicUrl)}. ` +
          'Fix: use e.g. "https://cdn.example.com/cart/".',
      );
    }
    return publicUrl.endsWith('/') ? publicUrl : `${publicUrl}/`;
  }
  return `${normalizeBase(options.base)}${name}/`;
}

/** URL of a manifest file (relative to the manifest's directory) under a module base URL. */
export function getFileUrl(moduleBaseUrl: string, file: string): string {
  const encoded = file
    .split('/')
    .map((segment) => encodeURI(segment).replace(/[?#]/g, (ch) => (ch === '?' ? '%3F' : '%23')))
    .join('/');
  return `${moduleBaseUrl}${encoded}`;
}

/** Semver order, prereleases below their release; a version semver cannot read sorts below every valid one. */
function compareVersions(a: string | undefined, b: string | undefined): number {
  const [x, y] = [validSemver(a ?? null), validSemver(b ?? null)];
  if (x !== null && y !== null) return compareSemver(x, y);
  return x !== null ? 1 : y !== null ? -1 : 0;
}

function sortKeys<T>(record: Record<string, T>): Record<string, T> {
  const out: Record<string, T> = {};
  for (const key of Object.keys(record).sort()) out[key] = record[key];
  return out;
}

/**
 * Client URLs may be `/`-rooted, which the spec's algorithms cannot take as they are: they are resolved against a
 * placeholder origin, the same for the map, the script and the compared URL, so only paths and origins that the
 * map really has can match.
 */
const PLACEHOLDER_ORIGIN = 'https://esmx.invalid/';

/** What `specifier` resolves to for scripts under `scriptBase` in `parsed`, by the spec-exact resolver. */
function resolveComposed(parsed: ParsedImportMap, specifier: string, scriptBase: string): string | undefined {
  try {
    return resolveSpecifier(specifier, parsed, new URL(scriptBase, PLACEHOLDER_ORIGIN));
  } catch {
    // "No entry maps it" is a TypeError by the spec; here it only means the module needs a scope entry.
    return undefined;
  }
}

/**
 * Composes the import map of `manifests` (one per linked module, all of `options.target`) as described at the top
 * of this file: keys sorted, so the same inputs always give the same bytes. Throws a tagged Error naming the module
 * and the fix for a manifest of another protocol or target, a duplicate module, an identifier claimed twice, or a
 * wiring to a module without a manifest.
 */
export function composeImportMap(manifests: BuildManifest[], options: ComposeOptions): ImportMap {
  const byName = new Map<string, BuildManifest>();
  for (const manifest of manifests) {
    if (manifest.protocol !== PROTOCOL_VERSION) {
      throw new Error(
        `${TAG.importMap} expected protocol ${PROTOCOL_VERSION} in the manifest of "${manifest.name}", found ${JSON.stringify(manifest.protocol)}. ` +
          `Fix: rebuild "${manifest.name}" with this version of @esmx/nx.`,
      );
    }
    if (manifest.target !== options.target) {
      throw new Error(
        `${TAG.importMap} expected ${options.target} manifests, found the ${manifest.target} manifest of "${manifest.name}". ` +
          `Fix: pass the dist/${options.target}/manifest.json of every module.`,
      );
    }
    if (byName.has(manifest.name)) {
      throw new Error(
        `${TAG.importMap} expected one ${options.target} manifest per module, found two for "${manifest.name}". ` +
          'Fix: link each module once.',
      );
    }
    byName.set(manifest.name, manifest);
  }
  const names = [...byName.keys()].sort();
  const baseUrls = new Map(names.map((name) => [name, getModuleBaseUrl(name, options)]));

  const map: ImportMap = { imports: {}, scopes: {}, integrity: {} };
  /** identifier → who claims it, for the conflict message. */
  const claims = new Map<string, string>();
  /** provided specifier → provider → file URL. */
  const providedUrls = new Map<string, Map<string, string>>();

  for (const name of names) {
    const manifest = byName.get(name)!;
    const base = baseUrls.get(name)!;
    for (const exp of Object.values(manifest.exports)) {
      if (!exp.file) {
        throw new Error(
          `${TAG.importMap} expected a file for the export "${exp.name}" in the ${options.target} manifest of "${name}", found none. ` +
            `Fix: rebuild "${name}"; if the export has no ${options.target} side, drop it from that manifest.`,
        );
      }
      const url = getFileUrl(base, exp.file);
      if (exp.pkg) {
        if (!providedUrls.has(exp.identifier)) providedUrls.set(exp.identifier, new Map());
        providedUrls.get(exp.identifier)!.set(name, url);
        continue;
      }
      if (!exp.identifier.startsWith(`${name}/`)) {
        throw new Error(
          `${TAG.importMap} expected the export "${exp.name}" of "${name}" to have an identifier starting with "${name}/", ` +
            `found "${exp.identifier}". Fix: rebuild "${name}"; a module only names identifiers in its own namespace.`,
        );
      }
      const identifiers = [exp.identifier];
      if (exp.identifier.endsWith('/index')) identifiers.push(exp.identifier.slice(0, -'/index'.length));
      for (const identifier of identifiers) {
        const claimant = `the export "${exp.name}" of "${name}"`;
        const previous = claims.get(identifier);
        if (previous !== undefined) {
          throw new Error(
            `${TAG.importMap} expected one owner for the identifier "${identifier}", found two: ${previous} and ${claimant}. ` +
              'Fix: rename one of the exports (an "x/index" export also claims "x").',
          );
        }
        claims.set(identifier, claimant);
        map.imports[identifier] = url;
      }
    }
    for (const [file, hash] of Object.entries(manifest.integrity ?? {})) {
      map.integrity[getFileUrl(base, file)] = hash;
    }
  }

  for (const specifier of providedUrls.keys()) {
    const owner = claims.get(specifier);
    if (owner !== undefined) {
      const providers = [...providedUrls.get(specifier)!.keys()].map((p) => `"${p}"`).join(', ');
      throw new Error(
        `${TAG.importMap} expected one owner for the identifier "${specifier}", found two: ${owner} and the provided package of ${providers}. ` +
          'Fix: rename the module or stop providing the package under that name.',
      );
    }
  }

  // Wiring per module: what `specifier` must resolve to for scripts under that module's base URL.
  const wiring = new Map<string, Map<string, string>>();
  for (const name of names) {
    const manifest = byName.get(name)!;
    const own = new Map<string, string>();
    const wired: [string, string][] = Object.entries(manifest.scopes ?? {});
    for (const exp of Object.values(manifest.exports)) if (exp.pkg) wired.push([exp.identifier, name]);
    for (const [specifier, provider] of wired) {
      if (!byName.has(provider)) {
        throw new Error(
          `${TAG.importMap} "${name}" wires "${specifier}" to the module "${provider}", found no ${options.target} manifest for "${provider}". ` +
            `Fix: link and build "${provider}" (or rebuild "${name}" after changing its supply).`,
        );
      }
      const url = providedUrls.get(specifier)?.get(provider);
      if (url !== undefined) own.set(specifier, url);
    }
    wiring.set(name, own);
  }

  for (const [specifier, urls] of providedUrls) {
    const votes = new Map<string, number>();
    for (const own of wiring.values()) {
      const url = own.get(specifier);
      if (url !== undefined) votes.set(url, (votes.get(url) ?? 0) + 1);
    }
    const providerOf = new Map([...urls].map(([provider, url]) => [url, provider]));
    const version = (url: string) => byName.get(providerOf.get(url)!)!.provides?.[packageNameOf(specifier)]?.version;
    const [winner] = [...votes.keys()].sort(
      (a, b) =>
        votes.get(b)! - votes.get(a)! ||
        compareVersions(version(b), version(a)) ||
        (providerOf.get(a)! < providerOf.get(b)! ? -1 : 1),
    );
    if (winner !== undefined) map.imports[specifier] = winner;
  }

  // Outer base URLs first: a scope added for an outer module is visible to nested ones before they are checked.
  // `imports` is final here, so it is parsed once; each new scope is parsed alone and added to the working map
  // (re-parsing the whole map per scope made composing 300 remotes ~30× slower). Every key is an exact specifier,
  // so a module's own new entries cannot change its other lookups.
  const ordered = [...names].sort((a, b) => baseUrls.get(a)!.length - baseUrls.get(b)!.length || (a < b ? -1 : 1));
  const working: ParsedImportMap = {
    imports: parseImportMap({ imports: map.imports }, PLACEHOLDER_ORIGIN).imports,
    scopes: {},
    integrity: {},
  };
  for (const name of ordered) {
    const base = baseUrls.get(name)!;
    for (const [specifier, url] of [...wiring.get(name)!].sort(([a], [b]) => (a < b ? -1 : 1))) {
      if (resolveComposed(working, specifier, base) !== new URL(url, PLACEHOLDER_ORIGIN).href) {
        map.scopes[base] ??= {};
        map.scopes[base][specifier] = url;
      }
    }
    if (map.scopes[base] !== undefined) {
      Object.assign(working.scopes, parseImportMap({ scopes: { [base]: map.scopes[base] } }, PLACEHOLDER_ORIGIN).scopes);
    }
  }

  const scopes: ImportMap['scopes'] = {};
  for (const [prefix, entries] of Object.entries(map.scopes)) scopes[prefix] = sortKeys(entries);
  return { imports: sortKeys(map.imports), scopes: sortKeys(scopes), integrity: sortKeys(map.integrity) };
}
