/**
 * What the graph plugin needs from a module's package.json: its name and the roles its `esmx` field implies.
 * Deliberately shallow and forgiving: the protocol layer owns validation (E_SCHEMA, reported by `validate`);
 * here a malformed declaration only has to yield a project, never an exception.
 */
import { isRecord } from '../../utils/is-record';

export interface ModuleSummary {
  /** Package name, or a best guess from the raw text when the JSON is invalid. */
  name?: string;
  /** False when the file is not valid JSON. */
  parsed: boolean;
  hasEntry: boolean;
  hasServerEntry: boolean;
  exportCount: number;
  provideCount: number;
  /** `esmx.framework`, when it names one. */
  framework?: string;
  /** Module names from `esmx.uses` (strings only; anything else is ignored here and reported by validate). */
  uses: string[];
}

/** The marker that makes a package.json an esmx module candidate, checked on the raw text before parsing. */
const ESMX_KEY = '"esmx"';

/**
 * Returns undefined when the file is not an esmx module. A file whose JSON is invalid counts as a module when its
 * text contains `"esmx"`: the author evidently meant to declare one, and a project with a `validate` target that
 * reports E_SCHEMA is more useful than a module that silently vanishes from the graph.
 */
export function readModuleSummary(text: string): ModuleSummary | undefined {
  if (!text.includes(ESMX_KEY)) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch {
    // Invalid JSON is a user error reported by `validate` (E_SCHEMA); the graph keeps the project with a guessed name.
    return { name: guessName(text), parsed: false, hasEntry: false, hasServerEntry: false, exportCount: 0, provideCount: 0, uses: [] };
  }
  if (!isRecord(json) || !('esmx' in json)) return undefined;
  const esmx = isRecord(json.esmx) ? json.esmx : {};
  const entry = isRecord(esmx.entry) ? esmx.entry : undefined;
  const hasClientEntry = typeof entry?.client === 'string';
  const hasServerEntry = typeof entry?.server === 'string';
  return {
    name: typeof json.name === 'string' && json.name.length > 0 ? json.name : undefined,
    parsed: true,
    hasEntry: hasClientEntry || hasServerEntry,
    hasServerEntry,
    exportCount: isRecord(esmx.exports) ? Object.keys(esmx.exports).length : 0,
    provideCount: Array.isArray(esmx.provides) ? esmx.provides.filter((p) => typeof p === 'string').length : 0,
    uses: Array.isArray(esmx.uses) ? esmx.uses.filter((u): u is string => typeof u === 'string' && u.length > 0) : [],
    framework: typeof esmx.framework === 'string' ? esmx.framework : undefined,
  };
}

function guessName(text: string): string | undefined {
  // The first "name" string in the text is almost always the package name (it conventionally comes first).
  const match = /"name"\s*:\s*"([^"\\]+)"/.exec(text);
  return match?.[1];
}
