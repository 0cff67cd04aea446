/**
 * The link-time checks between built modules that need only their manifests: every `<mod>/<x>` a module imports is
 * exported by mod's build, every named import exists. Shared by the link step and by a deployed server's
 * `link` command (runtime/promote.ts), which has manifests and no workspace.
 */
import { TAG } from '../constants';
import { checkImportedNames } from '../protocol/check-imports';
import { createDiagnostic } from '../protocol/diagnostics';
import type { BuildManifest, BuildTarget, Diagnostic, DiagnosticCode } from '../protocol/types';

/** A module's manifests, by target. */
export type Manifests = Partial<Record<BuildTarget, BuildManifest>>;

/** Every `<mod>/<x>` a built module imports, statically or dynamically, must still be an export of mod's build for the same target. */
export function checkExternals(manifests: Record<string, Manifests>): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  // Longest names first, so that `@shop/cart-ui/x` is attributed to `@shop/cart-ui`, not `@shop/cart`.
  const names = Object.keys(manifests).sort((a, b) => b.length - a.length);
  for (const target of ['client', 'server'] as const) {
    const provided = new Set<string>();
    const exported: Record<string, Set<string>> = {};
    for (const name of names) {
      const manifest = manifests[name][target];
      if (!manifest) continue;
      const ids = new Set<string>();
      for (const entry of Object.values(manifest.exports ?? {})) {
        if (entry.pkg) {
          provided.add(entry.identifier);
          continue;
        }
        ids.add(entry.identifier);
        if (entry.identifier.endsWith('/index')) ids.add(entry.identifier.slice(0, -'/index'.length));
      }
      exported[name] = ids;
    }
    for (const consumer of names) {
      const manifest = manifests[consumer][target];
      if (!manifest) continue;
      const seen = new Set<string>();
      // Static imports are in the chunks' externals; a dynamic `import('cart/widget')` (how a host loads a remote's
      // island) only in `imports`, with no names: both must name an export that exists.
      const importedLists = [...Object.values(manifest.chunks ?? {}).map((chunk) => chunk.externals ?? []), Object.keys(manifest.imports ?? {})];
      for (const specifiers of importedLists) {
        for (const specifier of specifiers) {
          if (seen.has(specifier) || provided.has(specifier)) continue;
          seen.add(specifier);
          const owner = names.find((n) => specifier === n || specifier.startsWith(`${n}/`));
          if (owner === undefined || owner === consumer || !exported[owner] || exported[owner].has(specifier)) continue;
          const available = [...exported[owner]].sort();
          diagnostics.push(
            linkDiagnostic('E_NO_EXPORT', consumer, `its ${target} build imports "${specifier}", which the current ${target} build of "${owner}" does not export`, {
              package: owner,
              found: specifier,
              required: available.length > 0 ? `one of ${available.join(', ')}` : `an export of "${owner}"`,
              fix: `add the export to "${owner}"'s esmx.exports and rebuild it, or stop importing "${specifier}" in "${consumer}" and rebuild it`,
            }),
          );
        }
      }
    }
  }
  return diagnostics;
}

/** Every named import of every module of the closure, on each side, against the names its exporter's build records. */
export function checkLinkedImports(manifests: Record<string, Manifests>): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const reported = new Set<string>();
  for (const target of ['client', 'server'] as const) {
    const byName = Object.fromEntries(Object.entries(manifests).map(([name, m]) => [name, m[target]]));
    for (const [consumer, manifest] of Object.entries(byName)) {
      if (!manifest) continue;
      const found = checkImportedNames({ consumer, target, imports: manifest.imports ?? {}, wiring: manifest.scopes ?? {}, manifests: byName, tag: TAG.link });
      // The same import missing on both sides is one mistake: reported once, for the client.
      for (const diagnostic of found) {
        const key = `${consumer}\0${diagnostic.found}`;
        if (reported.has(key)) continue;
        reported.add(key);
        diagnostics.push(diagnostic);
      }
    }
  }
  return diagnostics;
}

const majorOf = (version: string) => version.split('.')[0];

/**
 * A provider's new build (`changed`, in `after`) must provide every package the other modules use from it at the
 * major they were linked against in `before`: their code imports it bare and was built for that major.
 */
export function checkProvidedMajors(before: Record<string, Manifests>, after: Record<string, Manifests>, changed: string[]): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  for (const name of changed) {
    const old = before[name]?.client?.provides ?? before[name]?.server?.provides ?? {};
    const now = after[name]?.client?.provides ?? after[name]?.server?.provides ?? {};
    for (const [pkg, { version }] of Object.entries(old)) {
      const consumers = Object.entries(after)
        .filter(([consumer]) => consumer !== name)
        .filter(([, m]) =>
          [m.client, m.server].some((manifest) =>
            Object.values(manifest?.chunks ?? {}).some((c) => (c.externals ?? []).some((s) => s === pkg || s.startsWith(`${pkg}/`))),
          ),
        )
        .map(([consumer]) => consumer);
      if (consumers.length === 0) continue;
      const found = now[pkg]?.version;
      if (found !== undefined && majorOf(found) === majorOf(version)) continue;
      diagnostics.push(
        linkDiagnostic('E_VERSION', name, `its new build ${found === undefined ? `no longer provides ${pkg}` : `provides ${pkg}@${found}`}, but ${consumers.join(', ')} ${consumers.length === 1 ? 'was' : 'were'} built against ${pkg}@${version} from it`, {
          package: pkg,
          found: found === undefined ? 'not provided' : `${pkg}@${found}`,
          required: `${pkg}@${majorOf(version)}.x`,
          fix: `link a build of ${name} that provides ${pkg}@${majorOf(version)}.x, or rebuild and redeploy ${consumers.join(', ')} against the new major first`,
        }),
      );
    }
  }
  return diagnostics;
}

/** A diagnostic of the link step (tagged `[esmx:link]`). */
export function linkDiagnostic(
  code: DiagnosticCode,
  module: string,
  text: string,
  fields: { fix: string; package?: string; found?: string; required?: string },
): Diagnostic {
  return createDiagnostic({ code, module, text, tag: TAG.link, ...fields });
}
