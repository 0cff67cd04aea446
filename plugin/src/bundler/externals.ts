import { readFileSync } from 'node:fs';
import { basename, dirname, extname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { TAG } from '../constants';
import { createDiagnostic } from '../protocol/diagnostics';
import { formatDiagnostic } from '../protocol/format-report';
import * as semver from 'semver';
import { findInstalledPackage, packageNameOf } from '../protocol/installed-version';
import { SCRIPT_EXTENSIONS } from '../protocol/source-imports';
import type { BuildTarget, Diagnostic, ModuleInfo, Resolution } from '../protocol/types';
import type { ExternalsPlan } from './types';

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
  // By its name, not by a `/index` ending: on Windows the path's separator is a backslash.
  if (basename(bare) === 'index') keys.push(dirname(bare));
  return keys;
}

export function createExternalsPlan(resolution: Resolution): ExternalsPlan {
  const self = resolution.modules[resolution.module];
  const wiring = resolution.supply.wiring[resolution.module] ?? {};
  const plan: ExternalsPlan = {
    specifiers: new Set(Object.keys(wiring)),
    wiring,
    nestedCopies: new Map(),
    installed: new Map(),
    identifiers: new Set(),
    modules: new Set([...Object.keys(resolution.mounts), ...Object.keys(resolution.modules)]),
    ownFiles: { client: new Map(), server: new Map() },
    ownNames: { client: new Set(), server: new Set() },
    self: {
      name: resolution.module,
      root: self?.root ?? '',
      packageJsonPath: self?.packageJsonPath ?? join(self?.root ?? '', 'package.json'),
    },
    esmxPackages: new Map(),
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
          plan.ownNames[target].add(basename(key));
        }
      }
    }
  }
  return plan;
}

function isBareSpecifier(request: string): boolean {
  return !request.startsWith('.') && !isAbsolute(request) && !/^[a-z][a-z0-9+.-]*:/i.test(request);
}

/** Whether a bare specifier stays a bare import for this module: wired to a provider, or naming a module of its closure. */
export function isLinkedSpecifier(plan: ExternalsPlan, specifier: string): boolean {
  return plan.specifiers.has(specifier) || plan.identifiers.has(specifier) || plan.modules.has(packageNameOf(specifier));
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
    if (!isLinkedSpecifier(plan, clean)) return undefined;
    if (isSelfReference(plan, clean, issuer)) return undefined;
    return issuer.includes(`${sep}node_modules${sep}`) && isNestedCopy(plan, clean, context, issuer) ? undefined : clean;
  }
  if (issuer.includes('/node_modules/') || clean !== request) return undefined;
  const last = clean.slice(Math.max(clean.lastIndexOf('/'), clean.lastIndexOf(sep)) + 1);
  // `./`, `.` and `..` name a folder (an index file): only the join below tells which.
  const names = plan.ownNames[target];
  if (last !== '' && last !== '.' && last !== '..' && !names.has(last) && !names.has(stripScriptExtension(last))) return undefined;
  const abs = isAbsolute(clean) ? clean : join(context, clean);
  const own = plan.ownFiles[target];
  return own.get(abs) ?? own.get(stripScriptExtension(abs));
}

/**
 * A provided package importing one of its own provided subpaths by name, in the build of the module that provides it
 * (svelte's files import `svelte/internal/client`): kept inside the build, where every entry shares one runtime and one
 * module instance. Left bare it resolved, through the import map, to the build's own entry for that subpath, which
 * imports the importing chunk back: an import cycle between the build's files that failed in the browser with
 * "Cannot access '__rspack_esm_ids' before initialization".
 */
function isSelfReference(plan: ExternalsPlan, specifier: string, issuer: string): boolean {
  if (plan.wiring[specifier]?.provider !== plan.self.name) return false;
  const pkg = packageNameOf(specifier);
  return issuer.includes(`${sep}node_modules${sep}${pkg.split('/').join(sep)}${sep}`);
}

/**
 * Whether a dependency's import of a provided specifier reaches its own installed copy at another major than the
 * provided one (`@emotion/react` with a nested `@babel/runtime` 7 when 8 is provided). Rewiring it to the provided
 * major would hand the dependency an API it was not built for; it keeps its copy, and the build warns (W_NESTED_MAJOR).
 */
function isNestedCopy(plan: ExternalsPlan, specifier: string, context: string, issuer: string): boolean {
  const provided = plan.wiring[specifier];
  if (!provided) return false;
  const pkg = packageNameOf(specifier);
  const key = `${context}\0${pkg}`;
  if (!plan.installed.has(key)) plan.installed.set(key, findInstalledPackage(pkg, context));
  const installed = plan.installed.get(key);
  if (!installed?.version || semver.valid(installed.version) === null || semver.major(installed.version) === provided.major) return false;
  const copyKey = `${pkg}\0${installed.dir}`;
  if (!plan.nestedCopies.has(copyKey)) {
    plan.nestedCopies.set(copyKey, { package: pkg, dir: installed.dir, version: installed.version, issuer, provided });
  }
  return true;
}

/** W_NESTED_MAJOR for each nested copy found since the last call (a watch reports each copy once). */
export function takeNestedCopyWarnings(plan: ExternalsPlan): Diagnostic[] {
  const fresh = [...plan.nestedCopies.values()].filter((copy) => !copy.reported);
  for (const copy of fresh) copy.reported = true;
  return fresh.map((copy) =>
    createDiagnostic({
      code: 'W_NESTED_MAJOR',
      module: plan.self.name,
      package: copy.package,
      tag: TAG.build,
      text:
        `${describeDependent(copy.issuer)} imports its own ${copy.package}@${copy.version} (${copy.dir}), ` +
        `while ${copy.provided.provider} provides ${copy.package}@${copy.provided.version}: that copy stays bundled, not rewired`,
      found: `${copy.package}@${copy.version} in ${copy.dir}`,
      required: `${copy.package}@${copy.provided.major}.x to share the provided copy`,
      fix: `update ${describeDependent(copy.issuer)} to a version that accepts ${copy.package}@${copy.provided.major}, or accept the second copy (it only costs bytes)`,
    }),
  );
}

/** `@emotion/react` for a file under `node_modules/@emotion/react/…` (the last package in the path). */
function describeDependent(issuer: string): string {
  const parts = issuer.split(sep);
  const at = parts.lastIndexOf('node_modules');
  if (at === -1) return issuer;
  const name = parts[at + 1]?.startsWith('@') ? `${parts[at + 1]}/${parts[at + 2]}` : parts[at + 1];
  return name ?? issuer;
}

/** Whether the package Node would load for `pkg` from `fromDir` declares an `esmx` field (is a module, not a library). */
function isInstalledEsmxModule(plan: ExternalsPlan, pkg: string, fromDir: string): boolean {
  let dir = fromDir;
  for (;;) {
    if (basename(dir) !== 'node_modules') {
      const key = `${join(dir, 'node_modules')}\0${pkg}`;
      const known = plan.esmxPackages.get(key);
      if (known !== undefined) return known;
      let text: string | undefined;
      try {
        text = readFileSync(join(dir, 'node_modules', pkg, 'package.json'), 'utf8');
      } catch {
        // Not installed at this level: Node would look one folder up, and so does this.
      }
      if (text !== undefined) {
        let esmx = false;
        try {
          const field = (JSON.parse(text) as { esmx?: unknown }).esmx;
          esmx = typeof field === 'object' && field !== null;
        } catch {
          // An unreadable package.json is Rspack's to report when it resolves the import; it is no module here.
        }
        plan.esmxPackages.set(key, esmx);
        return esmx;
      }
    }
    const parent = dirname(dir);
    if (parent === dir) return false;
    dir = parent;
  }
}

/**
 * The coded error (E_NOT_LINKED) for a bare import of an esmx module that is not in the `uses` closure, or undefined.
 * Without it Rspack either fails with a bare "Module not found" (the module's exports are not package exports) or
 * silently bundles a private copy of the other app, which then runs twice on the page with two states.
 */
export function findUnlinkedImport(plan: ExternalsPlan, request: string, context: string, issuer: string): string | undefined {
  if (!issuer || issuer.includes(`${sep}node_modules${sep}`)) return undefined;
  const clean = request.replace(/[?#].*$/, '');
  if (!isBareSpecifier(clean)) return undefined;
  const pkg = packageNameOf(clean);
  if (plan.modules.has(pkg) || plan.specifiers.has(clean) || !isInstalledEsmxModule(plan, pkg, context)) return undefined;
  const { name, root, packageJsonPath } = plan.self;
  const file = root ? relative(root, issuer).split(sep).join('/') : issuer;
  const diagnostic = createDiagnostic({
    code: 'E_NOT_LINKED',
    module: name,
    package: pkg,
    tag: TAG.build,
    text:
      `${file} imports "${clean}", but "${pkg}" is not in the esmx.uses of ${name}: "${pkg}" is an esmx module, ` +
      `so the import is neither linked nor safe to bundle (it would be a second, private copy of that module)`,
    found: `"${clean}" in ${file}`,
    required: `"${pkg}" in esmx.uses`,
    fix: `add "${pkg}" to esmx.uses in ${packageJsonPath}, or remove the import`,
  });
  return formatDiagnostic(diagnostic, { color: false });
}
