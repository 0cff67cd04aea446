import type { ExecutorContext } from '@nx/devkit';
import { execFile } from 'node:child_process';
import { buildModule } from '../../bundler/index';
import { resolveModuleFramework } from '../../frameworks/index';
import { TAG } from '../../constants';
import { resolveModule } from '../../protocol/index';
import type { Resolution } from '../../protocol/types';
import { resolveLinks } from '../../protocol/links-file';
import { linkModule } from '../../link/index';
import { prepareExecutor } from '../lib/get-module-root';
import { printThrown } from '../lib/print-thrown';
import { normalizeOptions } from '../start/lib/normalize-options';
import { startDevServer, type DevServerDeps } from './lib/dev-server';
import type { ServeExecutorSchema } from './schema';

/** `links` apply to the host only: the modules it links resolve their own uses as usual. */
function createDeps(workspaceRoot: string, hostRoot: string, links: Record<string, string>): DevServerDeps {
  return {
    resolve: (root) => resolveModule(root, { checkFiles: true, links: root === hostRoot ? links : {} }),
    build: (options) => buildModule(options),
    link: (root, resolution) => linkModule(root, resolution),
    bundleOnce: (name) => runNxBundle(workspaceRoot, name),
    devPageScripts: (modules) => collectDevPageScripts(modules, (root) => resolveModule(root, { links: root === hostRoot ? links : {} })),
  };
}

/** One dev page script per framework of the watched modules (the first module of each framework resolves it). */
async function collectDevPageScripts(
  modules: { name: string; root: string }[],
  resolve: (root: string) => Resolution,
): Promise<{ scripts: string[]; problems: string[] }> {
  const scripts: string[] = [];
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const { name, root } of modules) {
    const info = resolve(root).modules[name];
    if (!info) continue;
    try {
      const { framework } = await resolveModuleFramework(info);
      if (!framework.devPageScript || seen.has(framework.name)) continue;
      seen.add(framework.name);
      scripts.push(framework.devPageScript(root));
    } catch (error) {
      // Not fatal: without its runtime, a framework's edits reload the page as before.
      problems.push((error as Error).message);
    }
  }
  return { scripts, problems };
}

/** `nx run <name>:bundle` in the workspace, through Nx so that its cache applies. */
function runNxBundle(workspaceRoot: string, name: string): Promise<{ ok: boolean; output: string }> {
  return new Promise((resolvePromise) => {
    let nxBin: string;
    try {
      nxBin = require.resolve('nx/bin/nx.js', { paths: [workspaceRoot] });
    } catch {
      resolvePromise({ ok: false, output: `${TAG.serve} cannot build ${name}: nx is not installed in ${workspaceRoot}. Fix: npm install -D nx` });
      return;
    }
    execFile(
      process.execPath,
      [nxBin, 'run', `${name}:bundle`, '--outputStyle=static'],
      { cwd: workspaceRoot, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, NX_DAEMON: process.env.NX_DAEMON ?? 'false' } },
      (error, stdout, stderr) => resolvePromise({ ok: !error, output: `${stdout}${stderr}`.trim() }),
    );
  });
}

/** `--devRemotes=a,b` reaches an executor as a string or a list, depending on how it was given. */
function parseDevRemotes(value: unknown): string[] | undefined {
  if (value === undefined) return undefined;
  const list = Array.isArray(value) ? value : String(value).split(',');
  return list.map((name) => String(name).trim()).filter((name) => name.length > 0);
}

/**
 * `@esmx/nx:serve` (continuous): yields `{ success, baseUrl }` once the dev server listens, then stays alive
 * until SIGINT/SIGTERM, when it stops the watchers and the server.
 */
export default async function* runServeExecutor(
  rawOptions: ServeExecutorSchema,
  context: ExecutorContext,
): AsyncGenerator<{ success: boolean; baseUrl?: string }> {
  const prepared = prepareExecutor(normalizeOptions(rawOptions ?? {}, TAG.serve), context, TAG.serve, 'nx serve <module>');
  if (!prepared) {
    yield { success: false };
    return;
  }
  const { root } = prepared;
  // Development builds carry source maps: SSR stacks printed by this process then name the source files.
  process.setSourceMapsEnabled(true);
  const { port, host, base, shim } = prepared.options;
  const devRemotes = parseDevRemotes(rawOptions?.devRemotes);
  let server;
  try {
    const links = resolveLinks(root, { environment: rawOptions?.environment, links: rawOptions?.links }, TAG.serve);
    server = await startDevServer({ root, port, host, base, shim, devRemotes, mode: rawOptions?.mode, hot: rawOptions?.hot !== false }, createDeps(context.root, root, links));
  } catch (error) {
    printThrown(error);
    yield { success: false };
    return;
  }
  yield { success: true, baseUrl: server.url };
  await server.closed;
}
