import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLIENT_DIR, DIST_DIR, MANIFEST_FILE, SERVER_DIR } from '../constants';
import { createDiagnostic } from './diagnostics';
import { readModule, realpathOrSelf } from './read-module';
import type { Diagnostic, ModuleInfo, Mount, ResolveOptions } from './types';

export interface MountResult {
  mounts: Record<string, Mount>;
  modules: Record<string, ModuleInfo>;
  diagnostics: Diagnostic[];
}

/**
 * Mounts the `uses` closure of `root`, breadth first so the result is in a stable order (root first).
 * Each used module is found through an explicit link, else through `node_modules/<name>` walking up from the
 * root of the module that declared the use (realpath'd, so npm-workspace symlinks lead to the sources).
 */
export function mountModules(root: ModuleInfo, options: ResolveOptions = {}): MountResult {
  const diagnostics: Diagnostic[] = [];
  const mounts: Record<string, Mount> = { [root.name]: diskMount(root.name, root.root, 'self') };
  const modules: Record<string, ModuleInfo> = { [root.name]: root };
  const links = options.links ?? {};
  const queue: ModuleInfo[] = [root];
  // A broken explicit link is the same mistake whoever uses the module: report it once.
  const brokenLinks = new Set<string>();

  while (queue.length > 0) {
    const declaring = queue.shift() as ModuleInfo;
    for (const used of declaring.uses) {
      if (mounts[used] || used === declaring.name || brokenLinks.has(used)) continue;
      const link = Object.prototype.hasOwnProperty.call(links, used) ? links[used] : undefined;
      const located = link !== undefined
        ? locateLinked(used, link, root.root, declaring)
        : locateInstalled(used, declaring);
      if ('diagnostic' in located) {
        if (link !== undefined) brokenLinks.add(used);
        diagnostics.push(located.diagnostic);
        continue;
      }
      if (located.url !== undefined) {
        mounts[used] = { name: used, via: 'link', url: located.url, built: true, declaredBy: declaring.name, link };
        continue;
      }
      const mount = diskMount(used, located.root, link !== undefined ? 'link' : 'node_modules');
      mount.declaredBy = declaring.name;
      if (link !== undefined) mount.link = link;
      const read = readModule(located.root);
      if (read.module && read.module.name !== used) {
        diagnostics.push(
          createDiagnostic({
            code: 'E_NOT_LINKED',
            module: declaring.name,
            package: used,
            text: `"${used}" resolves to ${located.root}, whose package is named "${read.module.name}"`,
            found: `"${read.module.name}" at ${located.root}`,
            required: `a package named "${used}"`,
            fix: link !== undefined
              ? `point the link for "${used}" at the "${used}" module's root`
              : `reinstall "${used}" (npm install) or pass an explicit link for "${used}"`,
          }),
        );
        continue;
      }
      mounts[used] = mount;
      diagnostics.push(...read.diagnostics);
      if (!read.module) continue;
      modules[used] = read.module;
      if (!mount.built) diagnostics.push(notBuilt(used, declaring.name, mount, options.requireBuilt === true));
      queue.push(read.module);
    }
  }
  return { mounts, modules, diagnostics };
}

export function diskMount(name: string, root: string, via: Mount['via']): Mount {
  const clientDir = path.join(root, DIST_DIR, CLIENT_DIR);
  return {
    name,
    via,
    root,
    clientDir,
    serverDir: path.join(root, DIST_DIR, SERVER_DIR),
    built: fs.existsSync(path.join(clientDir, MANIFEST_FILE)),
  };
}

type Located = { root: string; url?: undefined } | { url: string } | { diagnostic: Diagnostic };

function locateInstalled(used: string, declaring: ModuleInfo): Located {
  let dir = declaring.root;
  for (;;) {
    if (path.basename(dir) !== 'node_modules') {
      const candidate = path.join(dir, 'node_modules', used);
      if (fs.existsSync(path.join(candidate, 'package.json'))) return { root: realpathOrSelf(candidate) };
    }
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return {
    diagnostic: createDiagnostic({
      code: 'E_NOT_LINKED',
      module: declaring.name,
      package: used,
      text: `uses "${used}", which is not installed: no node_modules/${used} from ${declaring.root} up to the filesystem root`,
      found: 'not found',
      required: `node_modules/${used} (a workspace symlink or an installed package) or an explicit link`,
      fix: `add "${used}" to the dependencies of ${declaring.name} and run npm install, or pass a link: links: { "${used}": "<dir or https URL>" }`,
    }),
  };
}

function locateLinked(used: string, link: string, rootDir: string, declaring: ModuleInfo): Located {
  if (/^https?:\/\//i.test(link)) {
    try {
      const url = new URL(link);
      const href = url.href.endsWith('/') ? url.href : `${url.href}/`;
      return { url: href };
    } catch {
      return { diagnostic: badLink(used, link, declaring, 'is not a valid URL') };
    }
  }
  let dir: string;
  try {
    dir = link.startsWith('file:') ? fileURLToPath(link) : path.resolve(rootDir, link);
  } catch {
    return { diagnostic: badLink(used, link, declaring, 'is not a valid file URL') };
  }
  if (!fs.existsSync(path.join(dir, 'package.json'))) {
    return { diagnostic: badLink(used, link, declaring, `has no package.json (looked in ${dir})`) };
  }
  return { root: realpathOrSelf(dir) };
}

function badLink(used: string, link: string, declaring: ModuleInfo, problem: string): Diagnostic {
  return createDiagnostic({
    code: 'E_NOT_LINKED',
    module: declaring.name,
    package: used,
    text: `the explicit link for "${used}" (${JSON.stringify(link)}) ${problem}`,
    found: link,
    required: 'a module directory with a package.json (absolute or relative to the root module) or an http(s) URL',
    fix: `correct links["${used}"] to the root directory of the "${used}" module or to its deployed URL`,
  });
}

function notBuilt(used: string, declaredBy: string, mount: Mount, asError: boolean): Diagnostic {
  return createDiagnostic({
    code: 'E_NOT_BUILT',
    module: used,
    severity: asError ? 'error' : 'warning',
    text: `is not built (used by ${declaredBy}): ${path.join(mount.clientDir as string, MANIFEST_FILE)} does not exist`,
    found: 'no dist/client/manifest.json',
    required: `${DIST_DIR}/${CLIENT_DIR}/${MANIFEST_FILE}`,
    fix: `build it first: npx nx run ${used}:build`,
  });
}
