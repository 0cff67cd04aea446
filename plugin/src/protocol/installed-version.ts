import * as fs from 'node:fs';
import * as path from 'node:path';
import { isRecord } from '../utils/is-record';

/** The package-name part of a bare specifier: `@scope/a/b` → `@scope/a`, `react/jsx-runtime` → `react`. */
export function packageNameOf(specifier: string): string {
  const parts = specifier.split('/');
  if (specifier.startsWith('@') && parts.length >= 2) return `${parts[0]}/${parts[1]}`;
  return parts[0];
}

/** `@types/react` for `react`, `@types/scope__name` for `@scope/name` (DefinitelyTyped naming). */
export function typesPackageOf(pkg: string): string {
  return pkg.startsWith('@') ? `@types/${pkg.slice(1).replace('/', '__')}` : `@types/${pkg}`;
}

/**
 * The version of `pkg` that Node would load from `fromDir`: the first `node_modules/<pkg>/package.json`
 * walking up. Read directly rather than through `require.resolve('<pkg>/package.json')`, which fails for
 * packages whose `exports` map does not list their package.json.
 */
export function findInstalledVersion(pkg: string, fromDir: string): string | undefined {
  const location = findInstalledPackage(pkg, fromDir);
  return location?.version;
}

export function findInstalledPackage(
  pkg: string,
  fromDir: string,
): { dir: string; version: string | undefined } | undefined {
  let dir = path.resolve(fromDir);
  for (;;) {
    if (path.basename(dir) !== 'node_modules') {
      const candidate = path.join(dir, 'node_modules', pkg, 'package.json');
      const text = readQuietly(candidate);
      if (text !== undefined) {
        return { dir: path.dirname(candidate), version: readVersion(text) };
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

function readVersion(text: string): string | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return isRecord(value) && typeof value.version === 'string' ? value.version : undefined;
  } catch {
    // A corrupt installed package.json counts as "version unknown"; the caller reports the package as missing.
    return undefined;
  }
}

export function readTextIfExists(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (error) {
    // Only absence (or a directory in the way) means "not there"; anything else is a real fault to surface.
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR' || code === 'ELOOP') return undefined;
    throw error;
  }
}

function readQuietly(file: string): string | undefined {
  try {
    return readTextIfExists(file);
  } catch {
    // An unreadable node_modules entry (permissions) cannot supply a version: same outcome as absent.
    return undefined;
  }
}
