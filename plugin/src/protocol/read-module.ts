import * as fs from 'node:fs';
import * as path from 'node:path';
import { isRecord } from '../utils/is-record';
import { createDiagnostic, type DiagnosticInput } from './diagnostics';
import { locateJsonError } from './json-position';
import { readTextIfExists } from './installed-version';
import type { Diagnostic, EsmxDeclaration, EsmxTargets, ModuleInfo, NormalizedExport } from './types';
import { findPackageNameProblem } from './package-name';
import { validateDeclaration } from './validate-declaration';

export interface ReadModuleResult {
  /** Present only when the package.json is readable and its `esmx` field valid (no error diagnostic). */
  module?: ModuleInfo;
  diagnostics: Diagnostic[];
}

/**
 * Reads a module's package.json (given its root directory or the package.json path itself), validates the
 * `esmx` field and normalizes it. Never throws for user input: every problem is an E_SCHEMA diagnostic.
 */
export function readModule(rootOrPackageJson: string): ReadModuleResult {
  // Any `.json` file is taken as the package.json itself (test fixtures are not named package.json).
  const packageJsonPath = rootOrPackageJson.endsWith('.json')
    ? path.resolve(rootOrPackageJson)
    : path.resolve(rootOrPackageJson, 'package.json');
  const label = packageJsonPath;

  let text: string | undefined;
  try {
    text = readTextIfExists(packageJsonPath);
  } catch (error) {
    return failed(label, {
      text: `cannot read ${packageJsonPath}: ${(error as Error).message}`,
      found: (error as Error).message,
      required: 'a readable package.json',
      fix: `check the permissions of ${packageJsonPath}`,
    });
  }
  if (text === undefined) {
    return failed(label, {
      text: `expected a package.json at ${packageJsonPath}, found none`,
      found: 'no file',
      required: 'a package.json with "name" and "esmx"',
      fix: `create ${packageJsonPath} or point at the module's package root`,
    });
  }

  const source = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  let json: unknown;
  try {
    json = JSON.parse(source);
  } catch (error) {
    const location = locateJsonError(text);
    if (!location) {
      return failed(label, {
        text: `package.json is not valid JSON: ${(error as Error).message}`,
        found: (error as Error).message,
        required: 'valid JSON',
        fix: `fix the JSON syntax of ${packageJsonPath}`,
      });
    }
    const at = `line ${location.line}, column ${location.column}`;
    const unexpected = location.offset >= text.length ? 'end of file' : JSON.stringify(text[location.offset]);
    return failed(label, {
      text: `package.json is not valid JSON at ${at} (position ${location.offset}): unexpected ${unexpected}`,
      found: `${unexpected} at ${at}`,
      required: 'valid JSON',
      fix: `fix the JSON syntax of ${packageJsonPath} at ${at} (look for a trailing comma, a missing comma or an unclosed quote or bracket before it)`,
    });
  }

  if (!isRecord(json)) {
    return failed(label, {
      text: 'package.json must contain a JSON object',
      found: JSON.stringify(json)?.slice(0, 40) ?? 'nothing',
      required: 'an object',
      fix: `make ${packageJsonPath} a JSON object with "name" and "esmx"`,
    });
  }
  const pkg = json;
  const name = pkg.name;
  if (typeof name !== 'string' || name.length === 0) {
    return failed(label, {
      text: 'package.json has no "name"; the name is the module name',
      found: name === undefined ? 'no "name"' : JSON.stringify(name),
      required: 'a non-empty string such as "cart"',
      fix: `add "name": "<module-name>" to ${packageJsonPath}`,
    });
  }

  const nameProblem = findPackageNameProblem(name);
  if (nameProblem) {
    return failed(label, {
      text: `package.json "name" cannot be a module name: ${nameProblem}`,
      found: JSON.stringify(name),
      required: 'a valid npm package name that is not a Node.js built-in module, such as "cart" or "@shop/cart"',
      fix: `rename the package in ${packageJsonPath} (and every esmx.uses entry naming it)`,
    });
  }

  const diagnostics = validateDeclaration(pkg.esmx, name);
  if (diagnostics.some((d) => d.severity === 'error')) return { diagnostics };

  const root = realpathOrSelf(path.dirname(packageJsonPath));
  const declaration = pkg.esmx as EsmxDeclaration;
  const module: ModuleInfo = {
    name,
    version: typeof pkg.version === 'string' ? pkg.version : '0.0.0',
    root,
    packageJsonPath: path.join(root, path.basename(packageJsonPath)),
    entry: normalizeTargets(declaration.entry ?? {}),
    exports: normalizeExports(declaration.exports ?? {}),
    provides: [...(declaration.provides ?? [])],
    singletons: [...(declaration.singletons ?? [])],
    ...(declaration.framework === undefined ? {} : { framework: declaration.framework }),
    uses: [...(declaration.uses ?? [])],
    ranges: { ...stringEntries(pkg.peerDependencies), ...stringEntries(pkg.dependencies) },
    devRanges: stringEntries(pkg.devDependencies),
  };
  return { module, diagnostics };
}

/** Named fields, not positions: `found` and `required` are both strings and were once passed swapped. */
function failed(module: string, fields: Pick<DiagnosticInput, 'text' | 'found' | 'required' | 'fix'>): ReadModuleResult {
  return { diagnostics: [createDiagnostic({ code: 'E_SCHEMA', module, ...fields })] };
}

function normalizeTargets(targets: EsmxTargets): { client: string | false; server: string | false } {
  return { client: targets.client ?? false, server: targets.server ?? false };
}

function normalizeExports(exportsField: Record<string, string | EsmxTargets>): NormalizedExport[] {
  return Object.entries(exportsField).map(([key, target]) => {
    const name = key === '.' ? 'index' : key.slice(2);
    if (typeof target === 'string') return { name, client: target, server: target };
    return { name, ...normalizeTargets(target) };
  });
}

function stringEntries(value: unknown): Record<string, string> {
  const result: Record<string, string> = {};
  if (!isRecord(value)) return result;
  for (const [key, range] of Object.entries(value)) {
    if (typeof range === 'string') result[key] = range;
  }
  return result;
}

export function realpathOrSelf(dir: string): string {
  try {
    return fs.realpathSync(dir);
  } catch {
    // The directory was just read from, so this only fails on races; the unresolved path is still usable.
    return dir;
  }
}
