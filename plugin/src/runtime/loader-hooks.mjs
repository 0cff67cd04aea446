// Node resolve hook driven by the server import map (runs on the loader thread through module.register()).
// Plain JS on purpose: this file is loaded by Node itself, before and outside any TypeScript tooling, in both the
// in-repo source layout and the published package. It stays tiny because every unmapped resolve pays for it.
//
// Table sent from the main thread (see loader.ts):
//   imports: { exact: {spec: url|null}, prefixes: [[key, url|null], …] }   longest key first, from the parsed map
//   scopes:  [[scopeKey, {exact, prefixes}], …]                            longest scope first
//   roots:   [[fileUrlPrefix, versionKey], …]                              dist/server dir of every linked module
// A resolved URL under a root gets `?esmx=<versionKey>` so a module whose dependencies changed is instantiated
// again at a new URL (Node caches modules by URL), and `format: 'module'` whatever its extension.

let table = { imports: { exact: {}, prefixes: [] }, scopes: [], roots: [] };

// The tables a swap replaced, newest first (bounded). A module instantiated under an older map carries that map's
// version key in its URL and keeps resolving with it, so a request in flight during a swap finishes on the modules
// it started with (a dynamic import included). A key covers the keys of everything its module uses, so a key found
// in the newest table gives the same answers under any older one that has it.
const KEPT_TABLES = 4;
let previous = [];
// Tables of override generations (a developer's import-map override, served for their requests only): consulted
// like the previous ones, never made current. Bounded: the oldest goes first.
const KEPT_EXTRA_TABLES = 16;
let extra = [];

function setTable(next) {
  previous = [table, ...previous].slice(0, KEPT_TABLES - 1);
  table = next;
}

function tableFor(parentURL) {
  if ((previous.length === 0 && extra.length === 0) || !parentURL) return table;
  const at = parentURL.indexOf('?esmx=');
  if (at === -1) return table;
  const path = parentURL.slice(0, at);
  const key = parentURL.slice(at + 6).replace(/[&#].*$/, '');
  for (const candidate of [table, ...extra, ...previous]) {
    for (const [root, rootKey] of candidate.roots) {
      if (rootKey === key && path.startsWith(root)) return candidate;
    }
  }
  return table;
}

export function initialize(data) {
  if (data && data.table) table = data.table;
  if (data && data.port) {
    data.port.on('message', (message) => {
      if (message && message.type === 'set-map') {
        setTable(message.table);
        data.port.postMessage({ type: 'ack', id: message.id });
      } else if (message && message.type === 'add-map') {
        extra = [message.table, ...extra].slice(0, KEPT_EXTRA_TABLES);
        data.port.postMessage({ type: 'ack', id: message.id });
      }
    });
  }
}

function isBare(specifier) {
  return !(
    specifier.startsWith('/') ||
    specifier.startsWith('./') ||
    specifier.startsWith('../') ||
    /^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(specifier)
  );
}

// Same answers as the spec-exact resolver (import-map/resolve-specifier.ts) over the same parsed map:
// { url: null } where the spec throws (a null entry, a prefix match that backtracks above
// its address or does not parse), undefined where it falls through. Exact keys cost one property lookup.
function lookupIn(specifierMap, specifier) {
  if (Object.prototype.hasOwnProperty.call(specifierMap.exact, specifier)) return { url: specifierMap.exact[specifier] };
  for (const [key, address] of specifierMap.prefixes) {
    if (!specifier.startsWith(key)) continue;
    if (address === null || !URL.canParse(specifier.slice(key.length), address)) return { url: null };
    const url = new URL(specifier.slice(key.length), address).href;
    return { url: url.startsWith(address) ? url : null };
  }
  return undefined;
}

export function resolveBare(specifier, parentURL, current = table) {
  const parent = parentURL ? parentURL.replace(/[?#].*$/, '') : '';
  for (const [scope, specifierMap] of current.scopes) {
    if (scope === parent || (scope.endsWith('/') && parent.startsWith(scope))) {
      const hit = lookupIn(specifierMap, specifier);
      if (hit) return hit;
    }
  }
  return lookupIn(current.imports, specifier);
}

function finish(url, shortCircuit, current) {
  for (const [root, key] of current.roots) {
    if (url.startsWith(root)) {
      const versioned = key && !url.includes('?') ? `${url}?esmx=${key}` : url;
      return { url: versioned, format: 'module', shortCircuit };
    }
  }
  return undefined;
}

export async function resolve(specifier, context, nextResolve) {
  const current = tableFor(context.parentURL);
  if (isBare(specifier)) {
    const hit = resolveBare(specifier, context.parentURL, current);
    if (hit) {
      if (hit.url === null) {
        throw new TypeError(
          `[esmx:ssr] the server import map blocks "${specifier}" imported from ${context.parentURL}: its entry is null or the ` +
            'path backtracks above its prefix. Fix: import a path inside the package, or map the specifier to a file.',
        );
      }
      return finish(hit.url, true, current) ?? { url: hit.url, shortCircuit: true };
    }
  }
  const result = await nextResolve(specifier, context);
  return (result.url && finish(result.url, result.shortCircuit, current)) || result;
}
