/** A deployed server does not install Nx: nothing the runtime loads may import `nx` or `@nx/*`. */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const RUNTIME = __dirname;
const IMPORT = /(?:^|[^.\w])(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|(?:import|require)\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s*['"]([^'"]+)['"]/gm;

function listSources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    // The negative control deliberately imports Nx.
    if (statSync(path).isDirectory()) return path.endsWith(join('fixtures', 'imports-nx')) ? [] : listSources(path);
    return /\.(ts|mts|mjs|js)$/.test(name) && !/\.spec\.ts$/.test(name) ? [path] : [];
  });
}

function resolveLocal(from: string, specifier: string): string | undefined {
  const base = resolve(dirname(from), specifier);
  return [base, `${base}.ts`, `${base}.mjs`, join(base, 'index.ts')].find((p) => existsSync(p) && statSync(p).isFile());
}

/** Every bare specifier reachable from the runtime's files through relative imports (into other layers too). */
export function collectBareImports(entries: string[]): Map<string, string> {
  const found = new Map<string, string>();
  const seen = new Set<string>();
  const queue = [...entries];
  while (queue.length) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const match of readFileSync(file, 'utf8').matchAll(IMPORT)) {
      const specifier = match[1] ?? match[2] ?? match[3];
      if (specifier.startsWith('.')) {
        const target = resolveLocal(file, specifier);
        if (target) queue.push(target);
      } else if (!found.has(specifier)) found.set(specifier, relative(RUNTIME, file));
    }
  }
  return found;
}

describe('runtime imports', () => {
  it('never reach nx or @nx/*, directly or through another layer', () => {
    const bare = collectBareImports(listSources(RUNTIME));
    const offenders = [...bare].filter(([s]) => s === 'nx' || s.startsWith('nx/') || s.startsWith('@nx/'));
    expect(offenders).toEqual([]);
    // The scan must actually see the runtime's imports, or it proves nothing.
    expect(bare.has('node:http')).toBe(true);
    expect(bare.has('node:module')).toBe(true);
  });

  it('detects an Nx import when there is one', () => {
    const bare = collectBareImports([join(RUNTIME, 'fixtures/imports-nx/uses-devkit.ts')]);
    expect([...bare.keys()].sort()).toEqual(['@nx/devkit', 'node:fs']);
  });
});
