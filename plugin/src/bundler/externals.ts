import { dirname, extname, isAbsolute, join, resolve } from 'node:path';
import { packageNameOf } from '../protocol/installed-version';
import type { BuildTarget, ModuleInfo, Resolution } from '../protocol/types';
import type { ExternalsPlan } from './types';

const SCRIPT_EXTENSIONS = new Set(['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs']);

/** `<name>/<export>`; the `index` export also answers to `<name>`. */
export function listIdentifiers(info: Pick<ModuleInfo, 'name' | 'exports'>): string[] {
  const ids: string[] = [];
  for (const exp of info.exports) {
    const id = `${info.name}/${exp.name}`;
    ids.push(id);
    if (id.endsWith('/index')) ids.push(id.slice(0, -'/index'.length));
  }
  return ids;
}

function stripScriptExtension(path: string): string {
  const ext = extname(path);
  return SCRIPT_EXTENSIONS.has(ext) ? path.slice(0, -ext.length) : path;
}

/** Keys under which a request may reach `file`: `./ui`, `./ui.js` (for ui.ts) and, for an index file, its folder. */
function listPathKeys(file: string): string[] {
  const bare = stripScriptExtension(file);
  const keys = [bare];
  if (bare.endsWith('/index')) keys.push(dirname(bare));
  return keys;
}

export function createExternalsPlan(resolution: Resolution): ExternalsPlan {
  const self = resolution.modules[resolution.module];
  const plan: ExternalsPlan = {
    specifiers: new Set(Object.keys(resolution.supply.wiring[resolution.module] ?? {})),
    identifiers: new Set(),
    modules: new Set([...Object.keys(resolution.mounts), ...Object.keys(resolution.modules)]),
    ownFiles: { client: new Map(), server: new Map() },
  };
  for (const info of Object.values(resolution.modules)) {
    for (const id of listIdentifiers(info)) plan.identifiers.add(id);
  }
  if (self) {
    for (const exp of self.exports) {
      for (const target of ['client', 'server'] as const) {
        const file = exp[target];
        if (!file) continue;
        for (const key of listPathKeys(resolve(self.root, file))) {
          plan.ownFiles[target].set(key, `${self.name}/${exp.name}`);
        }
      }
    }
  }
  return plan;
}

function isBareSpecifier(request: string): boolean {
  return !request.startsWith('.') && !isAbsolute(request) && !/^[a-z][a-z0-9+.-]*:/i.test(request);
}

/**
 * The bare specifier a request must stay as, or undefined to bundle it.
 * `issuer` is empty for an entry itself, which is never external.
 */
export function matchExternal(
  plan: ExternalsPlan,
  target: BuildTarget,
  request: string,
  context: string,
  issuer: string,
): string | undefined {
  if (!issuer) return undefined;
  const clean = request.replace(/[?#].*$/, '');
  if (isBareSpecifier(clean)) {
    if (plan.specifiers.has(clean) || plan.identifiers.has(clean)) return clean;
    if (plan.modules.has(packageNameOf(clean))) return clean;
    return undefined;
  }
  if (issuer.includes('/node_modules/') || clean !== request) return undefined;
  const abs = isAbsolute(clean) ? clean : join(context, clean);
  const own = plan.ownFiles[target];
  return own.get(abs) ?? own.get(stripScriptExtension(abs));
}
