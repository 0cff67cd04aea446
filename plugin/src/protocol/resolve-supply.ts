import * as semver from 'semver';
import { createDiagnostic } from './diagnostics';
import { findInstalledVersion, packageNameOf, typesPackageOf } from './installed-version';
import type { Diagnostic, ModuleInfo, SupplyGroup, SupplyTable, Wiring } from './types';

interface Candidate {
  provider: string;
  version: string;
  major: number;
  specifiers: string[];
}

/**
 * Builds the supply table of a `uses` closure: one provider per (package, major), each consumer wired to the
 * group its own range accepts. `modules` is in closure order (root first), which decides who wins a duplicate.
 */
export function resolveSupply(rootName: string, modules: Record<string, ModuleInfo>): { supply: SupplyTable; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const candidatesByKey = new Map<string, Candidate[]>();

  for (const module of Object.values(modules)) {
    const byPackage = new Map<string, string[]>();
    for (const specifier of module.provides) {
      const pkg = packageNameOf(specifier);
      byPackage.set(pkg, [...(byPackage.get(pkg) ?? []), specifier]);
    }
    for (const [pkg, specifiers] of byPackage) {
      const installed = findInstalledVersion(pkg, module.root);
      const version = installed === undefined ? null : semver.valid(installed) ?? semver.valid(semver.coerce(installed));
      if (!version) {
        diagnostics.push(
          createDiagnostic({
            code: 'E_TARGET_MISSING',
            module: module.name,
            package: pkg,
            text: installed === undefined
              ? `provides "${specifiers.join('", "')}" but "${pkg}" is not installed where ${module.name} resolves it (node_modules from ${module.root} up)`
              : `provides "${pkg}" but its installed version "${installed}" is not a semver version`,
            found: installed === undefined ? 'not installed' : installed,
            required: `${pkg} installed for ${module.name}`,
            fix: `run npm install ${pkg} in ${module.name} (${module.root}), or remove "${pkg}" from its esmx.provides`,
          }),
        );
        continue;
      }
      const major = semver.major(version);
      const key = `${pkg}\u0000${major}`;
      candidatesByKey.set(key, [...(candidatesByKey.get(key) ?? []), { provider: module.name, version, major, specifiers }]);
    }
  }

  const groups: SupplyGroup[] = [];
  for (const [key, candidates] of candidatesByKey) {
    const pkg = key.split('\u0000')[0];
    const [kept, ...extra] = candidates;
    groups.push({ package: pkg, major: kept.major, version: kept.version, provider: kept.provider, specifiers: kept.specifiers });
    for (const other of extra) {
      diagnostics.push(
        createDiagnostic({
          code: 'E_DUP_PROVIDER',
          module: other.provider,
          package: pkg,
          text: `${pkg}@${kept.major} has two providers in the uses closure of ${rootName}: ${kept.provider} (${kept.version}) and ${other.provider} (${other.version})`,
          found: `${kept.provider} (${kept.version}), ${other.provider} (${other.version})`,
          required: `exactly one provider of ${pkg}@${kept.major}`,
          fix: `remove "${pkg}" from esmx.provides of ${other.provider} (or of ${kept.provider}) so one module serves ${pkg}@${kept.major}`,
        }),
      );
    }
  }
  groups.sort((a, b) => (a.package === b.package ? a.major - b.major : a.package < b.package ? -1 : 1));

  const packages = [...new Set(groups.map((g) => g.package))];
  for (const pkg of packages) {
    const ofPackage = groups.filter((g) => g.package === pkg);
    if (ofPackage.length > 1) {
      const list = ofPackage.map((g) => `${g.version} (${g.provider})`).join(', ');
      diagnostics.push(
        createDiagnostic({
          code: 'W_MULTI_MAJOR',
          module: rootName,
          package: pkg,
          text: `${ofPackage.length} majors of ${pkg} are provided side by side: ${list}`,
          found: list,
          required: `one major of ${pkg}, unless the coexistence is intended`,
          fix: `nothing to do if intended (each consumer wires to the major its range accepts); otherwise align the providers on one major of ${pkg}`,
        }),
      );
    }
  }

  const wiring: Record<string, Record<string, Wiring>> = {};
  for (const consumer of Object.values(modules)) {
    const reach = reachableFrom(consumer.name, modules);
    const table: Record<string, Wiring> = {};
    wiring[consumer.name] = table;
    for (const pkg of packages) {
      const own = ownGroup(consumer.name, pkg, candidatesByKey);
      const visible = own ? [own] : visibleGroups(pkg, reach, candidatesByKey, groups);
      if (visible.length === 0) continue;
      const chosen = own ?? chooseGroup(consumer, pkg, visible, diagnostics);
      if (!chosen) continue;
      for (const specifier of chosen.specifiers) {
        table[specifier] = { specifier, package: pkg, provider: chosen.provider, version: chosen.version, major: chosen.major };
      }
      checkTypeDrift(consumer, pkg, chosen.major, diagnostics);
    }
  }
  return { supply: { groups, wiring }, diagnostics };
}

/**
 * The groups of `pkg` whose provider the consumer can reach. When a duplicate provider lost the group but is
 * the only one this consumer reaches, the consumer still wires to it (the E_DUP_PROVIDER error stands).
 */
function visibleGroups(pkg: string, reach: Set<string>, candidatesByKey: Map<string, Candidate[]>, groups: SupplyGroup[]): SupplyGroup[] {
  const visible: SupplyGroup[] = [];
  for (const group of groups) {
    if (group.package !== pkg) continue;
    if (reach.has(group.provider)) {
      visible.push(group);
      continue;
    }
    const reachable = (candidatesByKey.get(`${pkg}\u0000${group.major}`) ?? []).find((c) => reach.has(c.provider));
    if (reachable) visible.push({ ...group, provider: reachable.provider, version: reachable.version, specifiers: reachable.specifiers });
  }
  return visible;
}

/** A provider always wires its own provided specifiers to itself, even when it lost a duplicate. */
function ownGroup(name: string, pkg: string, candidatesByKey: Map<string, Candidate[]>): SupplyGroup | undefined {
  for (const [key, candidates] of candidatesByKey) {
    if (!key.startsWith(`${pkg}\u0000`)) continue;
    const own = candidates.find((c) => c.provider === name);
    if (own) return { package: pkg, major: own.major, version: own.version, provider: own.provider, specifiers: own.specifiers };
  }
  return undefined;
}

function chooseGroup(consumer: ModuleInfo, pkg: string, visible: SupplyGroup[], diagnostics: Diagnostic[]): SupplyGroup | undefined {
  const range = consumer.ranges[pkg];
  const byVersionDesc = [...visible].sort((a, b) => semver.rcompare(a.version, b.version));
  const usable = range !== undefined && semver.validRange(range) !== null ? range : undefined;
  if (usable === undefined) {
    if (byVersionDesc.length > 1) {
      const list = byVersionDesc.map((g) => `${g.version} (${g.provider})`).join(', ');
      const highest = byVersionDesc[0];
      diagnostics.push(
        createDiagnostic({
          code: 'W_NO_RANGE',
          module: consumer.name,
          package: pkg,
          text: range === undefined
            ? `has no range for ${pkg} in dependencies or peerDependencies while ${list} are provided; wired to the highest, ${highest.version} (${highest.provider})`
            : `its range for ${pkg} (${JSON.stringify(range)}) is not a semver range while ${list} are provided; wired to the highest, ${highest.version} (${highest.provider})`,
          found: range === undefined ? 'no range' : range,
          required: `a semver range for ${pkg} that picks one of ${list}`,
          fix: `add "${pkg}": "^${highest.version}" (or the major it needs) to the dependencies or peerDependencies of ${consumer.name}`,
        }),
      );
    }
    return byVersionDesc[0];
  }
  const satisfying = byVersionDesc.find((g) => semver.satisfies(g.version, usable, { includePrerelease: true }));
  if (satisfying) return satisfying;
  const list = byVersionDesc.map((g) => `${g.version} (${g.provider})`).join(', ');
  diagnostics.push(
    createDiagnostic({
      code: 'E_VERSION',
      module: consumer.name,
      package: pkg,
      text: `requires ${pkg}@${range}, but its uses closure provides ${list}`,
      found: list,
      required: range,
      fix: `change the range of ${pkg} in ${consumer.name}'s dependencies to one that accepts ${byVersionDesc[0].version} (e.g. "^${byVersionDesc[0].version}"), or use a module that provides ${pkg}@${range}`,
    }),
  );
  return undefined;
}

function checkTypeDrift(consumer: ModuleInfo, pkg: string, major: number, diagnostics: Diagnostic[]): void {
  const typesPkg = typesPackageOf(pkg);
  const range = consumer.ranges[typesPkg] ?? consumer.devRanges?.[typesPkg];
  if (range === undefined || semver.validRange(range) === null) return;
  let compatible: boolean;
  try {
    compatible = semver.intersects(range, `${major}.x`, { includePrerelease: true });
  } catch {
    // semver throws on ranges it cannot compare (exotic comparator sets); no verdict means no warning.
    return;
  }
  if (compatible) return;
  diagnostics.push(
    createDiagnostic({
      code: 'W_TYPE_DRIFT',
      module: consumer.name,
      package: typesPkg,
      text: `type-checks against ${typesPkg}@${range} but is wired to ${pkg}@${major}`,
      found: range,
      required: `^${major}`,
      fix: `set "${typesPkg}": "^${major}" in the devDependencies of ${consumer.name} and run npm install`,
    }),
  );
}

function reachableFrom(start: string, modules: Record<string, ModuleInfo>): Set<string> {
  const reach = new Set<string>([start]);
  const queue = [start];
  while (queue.length > 0) {
    const current = queue.shift() as string;
    for (const used of modules[current]?.uses ?? []) {
      if (!reach.has(used) && modules[used]) {
        reach.add(used);
        queue.push(used);
      }
    }
  }
  return reach;
}
