import { TAG } from '../constants';
import { findClosest } from '../utils/suggest';
import { createDiagnostic } from './diagnostics';
import { packageNameOf } from './installed-version';
import type { BuildManifest, BuildTarget, Diagnostic, ManifestExport, Resolution } from './types';

/** Packages that break when a page holds two copies (hooks, reactivity, contexts), whatever the modules declare. */
export const ALWAYS_SINGLE = ['react', 'react-dom', 'vue', 'preact'];

type Tag = (typeof TAG)[keyof typeof TAG];

/** One module's named imports on one side, and what it is checked against. */
export interface ImportedNamesInput {
  consumer: string;
  target: BuildTarget;
  /** specifier → export name → `file:line` (BuildManifest.imports, or a source scan). */
  imports: Record<string, Record<string, string>>;
  /** The consumer's wiring of provided specifiers: specifier → provider module (BuildManifest.scopes). */
  wiring: Record<string, string>;
  /** The built manifests of the consumer's `uses` closure on this side, by module name. */
  manifests: Record<string, BuildManifest | undefined>;
  tag: Tag;
}

/**
 * E_NO_EXPORT for each name a module imports from a linked specifier (a provided package or another module's export)
 * that the build serving that specifier does not export. A bundler leaves such an import as a property read on a
 * namespace: without this check it shows up as `undefined` at run time (an element type that is not a component, a
 * call of undefined during SSR). Specifiers whose exporter records no names (older manifests) are not checked.
 */
export function checkImportedNames(input: ImportedNamesInput): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  // Longest names first, so that `@shop/cart-ui/x` is attributed to `@shop/cart-ui`, not `@shop/cart`.
  const modules = Object.keys(input.manifests).sort((a, b) => b.length - a.length);
  for (const [specifier, names] of Object.entries(input.imports)) {
    const found = findExporter(input, modules, specifier);
    if (!found?.entry.names) continue;
    const available = new Set(found.entry.names);
    for (const [name, where] of Object.entries(names)) {
      if (available.has(name)) continue;
      diagnostics.push(describeMissingName(input, specifier, name, where, found));
    }
  }
  return diagnostics;
}

interface Exporter {
  owner: string;
  entry: ManifestExport;
  version: string;
}

function findExporter(input: ImportedNamesInput, modules: string[], specifier: string): Exporter | undefined {
  const provider = input.wiring[specifier];
  if (provider !== undefined) {
    const manifest = input.manifests[provider];
    const entry = Object.values(manifest?.exports ?? {}).find((e) => e.pkg && e.identifier === specifier);
    return entry && manifest ? { owner: provider, entry, version: manifest.provides[packageNameOf(specifier)]?.version ?? '' } : undefined;
  }
  const owner = modules.find((m) => specifier === m || specifier.startsWith(`${m}/`));
  const manifest = owner === undefined ? undefined : input.manifests[owner];
  const entry = Object.values(manifest?.exports ?? {}).find((e) => !e.pkg && (e.identifier === specifier || e.identifier === `${specifier}/index`));
  return entry && manifest && owner ? { owner, entry, version: manifest.version } : undefined;
}

function describeMissingName(input: ImportedNamesInput, specifier: string, name: string, where: string, found: Exporter): Diagnostic {
  const names = found.entry.names ?? [];
  const statement = name === 'default' ? `import x from "${specifier}"` : `import { ${name} } from "${specifier}"`;
  const closest = name === 'default' ? undefined : findClosest(name, names);
  const listed = names.length > 12 ? `${names.slice(0, 12).join(', ')} … (${names.length} names)` : names.join(', ') || 'no names';
  const pkg = packageNameOf(specifier);
  const instead = closest
    ? `import "${closest}" instead of "${name}" in ${where}`
    : name === 'default'
      ? `use a named or namespace import (import * as x from "${specifier}") in ${where}`
      : `remove the import of "${name}" from ${where}`;
  const other = found.entry.pkg
    ? `or provide a version of ${pkg} that exports "${name}" from "${found.owner}" (it provides ${pkg}@${found.version})`
    : `or export "${name}" from the file behind "${specifier}" in "${found.owner}" and rebuild it`;
  return createDiagnostic({
    code: 'E_NO_EXPORT',
    module: input.consumer,
    package: specifier,
    tag: input.tag,
    text:
      `${where} has ${statement}, but the ${input.target} build of "${specifier}" ` +
      `(${found.entry.pkg ? `provided by ${found.owner}` : `an export of ${found.owner}`}) has no ${name === 'default' ? 'default export' : `export named "${name}"`}`,
    found: `${statement} in ${where}`,
    required: `one of its exports: ${listed}`,
    fix: `${instead}, ${other}`,
  });
}

/** Per module of a closure: the packages its own sources import and bundle. */
export type BundledPackages = Record<string, string[]>;

/**
 * The supply checks of a `uses` closure: a package that two modules or more import without it being provided to them
 * (not provided at all, or only some of its subpaths are) puts a copy per module on the page: W_NOT_PROVIDED, or
 * E_SINGLETON for a package that must be single (ALWAYS_SINGLE and every module's `esmx.singletons`), where the second
 * copy breaks hooks, contexts or reactivity.
 */
export function checkSupply(resolution: Resolution, bundled: BundledPackages, tag: Tag): Diagnostic[] {
  const singletons = new Set([...ALWAYS_SINGLE, ...Object.values(resolution.modules).flatMap((m) => m.singletons ?? [])]);
  const providers = [...new Set(resolution.supply.groups.map((g) => g.provider))];
  const bundlers = new Map<string, string[]>();
  for (const [module, packages] of Object.entries(bundled)) {
    for (const pkg of packages) bundlers.set(pkg, [...(bundlers.get(pkg) ?? []), module]);
  }
  const diagnostics: Diagnostic[] = [];
  for (const [pkg, modules] of [...bundlers].sort(([a], [b]) => a.localeCompare(b))) {
    if (modules.length < 2) continue;
    const single = singletons.has(pkg);
    const partly = resolution.supply.groups.filter((g) => g.package === pkg);
    const provided = partly.length > 0 ? ` (${partly.map((g) => `${g.provider} provides only ${g.specifiers.join(', ')}`).join('; ')})` : '';
    const where = partly.length > 0
      ? `esmx.provides of ${partly[0].provider}`
      : providers.length > 0
        ? `esmx.provides of a module they all use (${providers.join(' or ')})`
        : 'esmx.provides of a provider module that they all list in esmx.uses';
    diagnostics.push(
      createDiagnostic({
        code: single ? 'E_SINGLETON' : 'W_NOT_PROVIDED',
        module: resolution.module,
        package: pkg,
        tag,
        text:
          `"${pkg}" is imported by ${modules.join(', ')} and provided to none of them${provided}, so each bundles its own copy` +
          (single ? `: "${pkg}" must be one instance on a page (a second copy breaks its hooks, contexts or state)` : ''),
        found: `${modules.length} copies of ${pkg} (${modules.join(', ')})`,
        required: single ? `one provider of ${pkg}` : `one provider of ${pkg}, or a copy per module on purpose`,
        fix: `add "${pkg}" (and the subpaths the modules import) to the ${where}, with ${pkg} in its dependencies`,
      }),
    );
  }
  return diagnostics;
}
