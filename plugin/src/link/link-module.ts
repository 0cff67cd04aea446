import { readFileSync, realpathSync, rmSync } from 'node:fs';
import { commitLinkedDist, keepPreviousDist, withDistLock, type KeptDist } from '../bundler/dist-generations';
import { join, relative, sep } from 'node:path';
import { DIST_DIR, IMPORT_MAP_FILE, LINK_FILE, MANIFEST_FILE, PROTOCOL_VERSION, TAG } from '../constants';
import { composeImportMap } from '../import-map/index';
import { checkSupply, type BundledPackages } from '../protocol/check-imports';
import { checkExternals, checkLinkedImports, linkDiagnostic, type Manifests } from './check-linked-manifests';
import { hasErrors } from '../protocol/diagnostics';
import type { BuildManifest, BuildTarget, Diagnostic, ImportMap, LinkFile, Mount, Resolution } from '../protocol/types';
import { writeJsonAtomic } from '../utils/atomic-write';

export type { LinkFile };

/** Options of {@link linkModule}. */
export interface LinkModuleOptions {
  /** Public base path of the client import map; default '/'. The runtime recomposes under its own base at start-up. */
  base?: string;
  /** Write `dist/importmap.json` and `dist/link.json` (default true). */
  write?: boolean;
}

/** What {@link linkModule} found and composed; `diagnostics` with an error means nothing was written. */
export interface LinkModuleResult {
  diagnostics: Diagnostic[];
  /** The composed client map; absent when there are errors or the module has no entry (a library). */
  importMap?: ImportMap;
  link: LinkFile;
  /** With errors and `write`: how dist/ was left (never with link outputs removed). */
  kept?: KeptDist;
}


/**
 * The link step: from a resolution and the built manifests of every module in its `uses` closure, writes the module's
 * client import map (`dist/importmap.json`, modules with an entry only) and `dist/link.json` (every module).
 * Checks E_NOT_BUILT (a module of the closure has no manifest), E_PROTOCOL (a manifest is not protocol 2),
 * E_NO_EXPORT (a built module imports `<mod>/<x>` that `mod`'s current build does not export, or a name that the
 * build serving a specifier does not export: every named import each manifest records, against the names the
 * exporter's manifest records) and the supply of the closure (W_NOT_PROVIDED, E_SINGLETON: a package two modules
 * bundle). On an error nothing is written, and a bundle still waiting for its link is
 * replaced by the last linked build of the module (see bundler/dist-generations.ts), so that dist/ is always one
 * consistent generation: the one served before the failed build. On success dist/ becomes the last linked build.
 *
 * URL-linked modules are recorded in link.json but not read: their manifests are fetched by the runtime, so they are
 * not in importmap.json and their exports are not checked here.
 */
export function linkModule(root: string, resolution: Resolution, options: LinkModuleOptions = {}): LinkModuleResult {
  const self = resolution.module;
  const rootDir = realpathOrSelf(root);
  const diagnostics: Diagnostic[] = [];
  const link: LinkFile = { protocol: PROTOCOL_VERSION, module: self, modules: {} };
  const manifests: Record<string, Manifests> = {};

  for (const [name, mount] of Object.entries(resolution.mounts)) {
    if (mount.url !== undefined) {
      link.modules[name] = { url: mount.url };
      continue;
    }
    const moduleRoot = mount.root ?? resolution.modules[name]?.root;
    if (moduleRoot === undefined) continue; // the protocol already reported why it has no root (E_NOT_LINKED)
    link.modules[name] = { dir: name === self ? '.' : toPosix(relative(rootDir, realpathOrSelf(moduleRoot))) || '.' };
    manifests[name] = readManifests(name, self, mount, moduleRoot, diagnostics);
  }
  diagnostics.push(...checkExternals(manifests), ...checkLinkedImports(manifests), ...checkSupply(resolution, listBundled(manifests), TAG.link));

  const dist = join(root, DIST_DIR);
  const rootInfo = resolution.modules[self];
  const hasEntry = rootInfo !== undefined && (rootInfo.entry.client !== false || rootInfo.entry.server !== false);
  const write = options.write !== false;
  if (hasErrors(diagnostics)) {
    return write ? { diagnostics, link, kept: keepPreviousDist(root) } : { diagnostics, link };
  }

  let importMap: ImportMap | undefined;
  if (hasEntry) {
    const clientManifests = Object.values(manifests)
      .map((m) => m.client)
      .filter((m): m is BuildManifest => m !== undefined);
    try {
      importMap = composeImportMap(clientManifests, { target: 'client', base: options.base ?? '/' });
    } catch (error) {
      // The composer throws on manifests that cannot form one map (two owners of an identifier, a wiring to a
      // module without a manifest): for the link step that is a diagnostic about the builds, not a crash.
      diagnostics.push(composeDiagnostic(self, error as Error));
      return write ? { diagnostics, link, kept: keepPreviousDist(root) } : { diagnostics, link };
    }
  }
  if (write) {
    withDistLock(root, TAG.link, () => {
      if (importMap) writeJsonAtomic(join(dist, IMPORT_MAP_FILE), importMap, { skipIfSame: true });
      // A module whose entry was removed must not keep serving an old map.
      else rmSync(join(dist, IMPORT_MAP_FILE), { force: true });
      writeJsonAtomic(join(dist, LINK_FILE), link, { skipIfSame: true });
      commitLinkedDist(root);
    });
  }
  return { diagnostics, importMap, link };
}

function readManifests(name: string, self: string, mount: Mount, moduleRoot: string, diagnostics: Diagnostic[]): Manifests {
  const result: Manifests = {};
  const dirs: Record<BuildTarget, string> = {
    client: mount.clientDir ?? join(moduleRoot, DIST_DIR, 'client'),
    server: mount.serverDir ?? join(moduleRoot, DIST_DIR, 'server'),
  };
  const missing: string[] = [];
  for (const target of ['client', 'server'] as const) {
    const file = join(dirs[target], MANIFEST_FILE);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      // A missing manifest is the E_NOT_BUILT case collected below, reported once per module.
      missing.push(file);
      continue;
    }
    let manifest: BuildManifest | undefined;
    try {
      manifest = JSON.parse(text) as BuildManifest;
    } catch {
      // Not JSON: reported as E_PROTOCOL just below (manifest stays undefined).
    }
    if (!manifest || typeof manifest !== 'object' || manifest.protocol !== PROTOCOL_VERSION) {
      const found = manifest && typeof manifest === 'object' ? JSON.stringify(manifest.protocol ?? null) : 'not a JSON object';
      diagnostics.push(
        linkDiagnostic('E_PROTOCOL', name, `${file} is not a protocol ${PROTOCOL_VERSION} build manifest (protocol: ${found})`, {
          found: `protocol ${found}`,
          required: `protocol ${PROTOCOL_VERSION}`,
          fix: `rebuild "${name}" with this version of @esmx/nx (nx run ${name}:build), or link a build made for protocol ${PROTOCOL_VERSION}`,
        }),
      );
      continue;
    }
    result[target] = manifest;
  }
  if (missing.length > 0) {
    const isSelf = name === self;
    diagnostics.push(
      linkDiagnostic('E_NOT_BUILT', name, `is not built: ${missing.join(' and ')} ${missing.length > 1 ? 'do' : 'does'} not exist`, {
        package: isSelf ? undefined : name,
        found: 'no build manifest',
        required: `${DIST_DIR}/client/${MANIFEST_FILE} and ${DIST_DIR}/server/${MANIFEST_FILE}`,
        fix: isSelf
          ? `bundle "${name}" first (nx run ${name}:bundle), then link it`
          : `build "${name}" first (nx run ${name}:build, or run the link through Nx so that ^build runs), then link "${self}" again`,
      }),
    );
  }
  return result;
}

function listBundled(manifests: Record<string, Manifests>): BundledPackages {
  return Object.fromEntries(
    Object.entries(manifests).map(([name, m]) => [name, [...new Set([...(m.client?.bundled ?? []), ...(m.server?.bundled ?? [])])]]),
  );
}

function composeDiagnostic(module: string, error: Error): Diagnostic {
  const text = String(error.message ?? error).replace(/^\[esmx:[a-z-]+\]\s*/, '');
  const [problem, fix] = text.split(/\s+Fix:\s+/);
  return linkDiagnostic('E_PROTOCOL', module, `the client manifests of its uses closure do not compose into one import map: ${problem}`, {
    found: 'manifests that conflict',
    required: 'manifests that compose into one import map',
    fix: fix ?? 'rebuild the modules named above with this version of @esmx/nx',
  });
}

function realpathOrSelf(dir: string): string {
  try {
    return realpathSync(dir);
  } catch {
    // Not on disk (yet): the relative path is still meaningful from the given spelling.
    return dir;
  }
}

function toPosix(path: string): string {
  return sep === '/' ? path : path.split(sep).join('/');
}
