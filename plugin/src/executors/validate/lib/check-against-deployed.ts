/**
 * `validate --against=<link file or its URL>`: a module's new build checked against what is deployed, before it is
 * deployed. The deployed host's link file names every module it serves (a directory beside it, or a URL); their
 * manifests, with this module's new build in place of its deployed one, must still link: what the new build imports
 * is exported by the deployed modules, what the deployed modules import from it is still exported, and the packages
 * it provides keep the majors its consumers were built against. The same checks and codes as the link step.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { CLIENT_DIR, DIST_DIR, MANIFEST_FILE, REMOTE_FETCH_TIMEOUT_MS, SERVER_DIR, TAG } from '../../../constants';
import { checkExternals, checkLinkedImports, checkProvidedMajors, type Manifests } from '../../../link/check-linked-manifests';
import { createDiagnostic } from '../../../protocol/diagnostics';
import type { BuildManifest, BuildTarget, Diagnostic, LinkFile } from '../../../protocol/types';
import { checkLinkFile, checkManifest } from '../../../runtime/check-manifest';
import { fetchBytes, parseJson, toServerUrl } from '../../../runtime/link';

export interface AgainstResult {
  diagnostics: Diagnostic[];
  /** One line: what was checked against what. */
  summary: string;
}

const isUrl = (value: string) => /^https?:\/\//i.test(value);

async function readText(location: string, what: string, fix: string, timeoutMs: number): Promise<string> {
  if (isUrl(location)) return (await fetchBytes(location, timeoutMs)).toString('utf8');
  if (!existsSync(location)) throw new Error(`${TAG.validate} expected ${what} at ${location}, found no file. Fix: ${fix}`);
  return readFileSync(location, 'utf8');
}

async function readManifest(location: string, name: string, target: BuildTarget, timeoutMs: number): Promise<BuildManifest> {
  const fix = `check that ${name}'s dist/ is deployed whole (client/ and server/) where the link file says.`;
  const text = await readText(location, `the ${target} manifest of ${name}`, fix, timeoutMs);
  const source = { file: location, fix };
  return checkManifest(parseJson(text, `the ${target} manifest of ${name}`, source), name, target, source);
}

/** `against` is a path (relative to `cwd`) of a host's `dist/link.json`, or its URL. */
export async function checkAgainstDeployed(
  root: string,
  against: string,
  cwd: string,
  timeoutMs = REMOTE_FETCH_TIMEOUT_MS,
): Promise<AgainstResult> {
  const location = isUrl(against) ? against : resolve(cwd, against);
  const linkFix = 'pass the dist/link.json of the deployed host (a path, or its http(s) URL).';
  const text = await readText(location, 'the deployed link file', linkFix, timeoutMs);
  const source = { file: location, fix: linkFix };
  const link: LinkFile = checkLinkFile(parseJson(text, 'the deployed link file', source), source);
  // Directories in a link file are relative to the host's root, the folder that holds dist/link.json.
  const hostRoot = isUrl(location) ? undefined : dirname(dirname(location));

  const self = readOwnName(root);
  const own: Manifests = {};
  for (const target of [CLIENT_DIR, SERVER_DIR] as const) {
    const file = join(root, DIST_DIR, target, MANIFEST_FILE);
    if (existsSync(file)) own[target] = await readManifest(file, self, target, timeoutMs);
  }
  if (!own.client && !own.server) {
    return {
      summary: `${TAG.validate} ${self}: not built, nothing to check against ${location}.`,
      diagnostics: [
        createDiagnostic({
          code: 'E_NOT_BUILT',
          module: self,
          tag: TAG.validate,
          text: `--against checks this module's build, and ${join(root, DIST_DIR)} has no ${CLIENT_DIR}/${MANIFEST_FILE} or ${SERVER_DIR}/${MANIFEST_FILE}`,
          found: 'no build manifest',
          required: `${DIST_DIR}/${CLIENT_DIR}/${MANIFEST_FILE}`,
          fix: `build it first (nx run ${self}:bundle), then validate again`,
        }),
      ],
    };
  }

  const deployed: Record<string, Manifests> = {};
  const skipped: string[] = [];
  for (const [name, entry] of Object.entries(link.modules)) {
    if ('url' in entry) {
      const url = entry.url.endsWith('/') ? entry.url : `${entry.url}/`;
      deployed[name] = {
        client: await readManifest(url + MANIFEST_FILE, name, 'client', timeoutMs),
        server: await readManifest(toServerUrl({ url, serverUrl: entry.serverUrl }) + MANIFEST_FILE, name, 'server', timeoutMs),
      };
      continue;
    }
    if (!hostRoot) {
      skipped.push(name);
      continue;
    }
    const moduleRoot = resolve(hostRoot, entry.dir);
    const manifests: Manifests = {};
    for (const target of [CLIENT_DIR, SERVER_DIR] as const) {
      const file = join(moduleRoot, DIST_DIR, target, MANIFEST_FILE);
      if (existsSync(file)) manifests[target] = await readManifest(file, name, target, timeoutMs);
    }
    deployed[name] = manifests;
  }

  const combined = { ...deployed, [self]: own };
  const diagnostics = [...checkExternals(combined), ...checkLinkedImports(combined), ...checkProvidedMajors(deployed, combined, [self])].filter(
    (d) => d.module === self || d.package === self,
  );
  const role = deployed[self] ? `replacing the deployed ${self}` : `${self} is not linked there yet`;
  const skippedText = skipped.length ? `; not checked (mounted from a directory, unreachable from a URL): ${skipped.join(', ')}` : '';
  return {
    diagnostics,
    summary: `${TAG.validate} ${self}: checked its build against ${Object.keys(deployed).length} deployed module(s) of ${link.module} (${location}), ${role}${skippedText}.`,
  };
}

function readOwnName(root: string): string {
  try {
    const name = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).name;
    if (typeof name === 'string' && name) return name;
  } catch {
    // Reported by the validation proper; the folder name stands in here.
  }
  return root.split(/[\\/]/).pop() ?? root;
}
