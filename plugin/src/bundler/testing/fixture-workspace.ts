// Test support: copies fixture modules to a temporary folder and builds a Resolution by hand,
// so the bundler is tested on its own input shape (the protocol layer has its own specs).
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { ModuleInfo, NormalizedExport, Resolution, SupplyGroup, Wiring } from '../../protocol/types';

export const REPO_ROOT = resolve(__dirname, '../../../..');

const created: string[] = [];

/** Removes every copy made by copyFixture in this test file (call from afterAll). */
export function removeFixtureCopies(): void {
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** A temp copy of `fixtures/<fixture>` whose node_modules points at the repository's (react, react-dom). */
export function copyFixture(fixture: string): string {
  const dir = mkdtempSync(join(tmpdir(), `esmx-bundler-${fixture}-`));
  created.push(dir);
  cpSync(join(__dirname, '..', 'fixtures', fixture), dir, { recursive: true });
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return dir;
}

export function readFixtureModule(root: string): ModuleInfo {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const esmx = pkg.esmx ?? {};
  const exports: NormalizedExport[] = Object.entries(esmx.exports ?? {}).map(([key, value]) => {
    const name = key === '.' ? 'index' : key.replace(/^\.\//, '');
    return typeof value === 'string' ? { name, client: value, server: value } : { name, client: (value as any).client ?? false, server: (value as any).server ?? false };
  });
  return {
    name: pkg.name,
    version: pkg.version,
    root,
    packageJsonPath: join(root, 'package.json'),
    entry: { client: esmx.entry?.client ?? false, server: esmx.entry?.server ?? false },
    exports,
    provides: esmx.provides ?? [],
    uses: esmx.uses ?? [],
    ranges: { ...(pkg.peerDependencies ?? {}), ...(pkg.dependencies ?? {}) },
  };
}

function packageOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** Resolution of `name` within `roots` (module name → root): one provider per package, everyone wired to it. */
export function makeResolution(name: string, roots: Record<string, string>): Resolution {
  const modules: Record<string, ModuleInfo> = {};
  const visit = (n: string) => {
    if (modules[n]) return;
    modules[n] = readFixtureModule(roots[n]);
    modules[n].uses.forEach(visit);
  };
  visit(name);
  const groups: SupplyGroup[] = [];
  for (const info of Object.values(modules)) {
    for (const specifier of info.provides) {
      const pkg = packageOf(specifier);
      const version = JSON.parse(readFileSync(join(REPO_ROOT, 'node_modules', pkg, 'package.json'), 'utf8')).version;
      let group = groups.find((g) => g.package === pkg && g.provider === info.name);
      if (!group) groups.push((group = { package: pkg, major: Number(version.split('.')[0]), version, provider: info.name, specifiers: [] }));
      group.specifiers.push(specifier);
    }
  }
  const wiring: Record<string, Record<string, Wiring>> = {};
  for (const consumer of Object.keys(modules)) {
    wiring[consumer] = {};
    for (const g of groups) {
      for (const specifier of g.specifiers) {
        wiring[consumer][specifier] = { specifier, package: g.package, provider: g.provider, version: g.version, major: g.major };
      }
    }
  }
  const mounts = Object.fromEntries(
    Object.entries(modules).map(([n, info]) => [
      n,
      { name: n, via: n === name ? 'self' : 'link', root: info.root, clientDir: join(info.root, 'dist/client'), serverDir: join(info.root, 'dist/server'), built: false } as const,
    ]),
  );
  return { module: name, diagnostics: [], supply: { groups, wiring }, mounts, modules };
}
