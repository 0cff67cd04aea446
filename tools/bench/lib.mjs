// What every benchmark shares: arguments, the compiled plugin, measured runs in fresh child processes, medians and
// ratio lines. A benchmark measures the plugin as it ships: plugin/dist written by tools/build-plugin.mjs (the same
// files `npm run pack` puts in the tarball), loaded through the package's own `exports` map.
import { execFile, execFileSync, fork } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';

export const repo = join(dirname(fileURLToPath(import.meta.url)), '../..');
export const pluginDist = join(repo, 'plugin/dist');

export const log = (line) => process.stderr.write(`${line}\n`);

/**
 * util.parseArgs with the options every benchmark has: `--smoke` (seconds, tiny repetitions, no goal asserted),
 * `--json`, `--prebuilt` (plugin/dist is already compiled, as `npm run bench:smoke` does once for all), and
 * `--child` (internal: the benchmark re-runs itself in a fresh process for one measurement).
 */
export function parseBenchArgs(options, argv = process.argv.slice(2)) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      smoke: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      prebuilt: { type: 'boolean', default: false },
      child: { type: 'string' },
      ...options,
    },
  });
  return { ...values, positionals };
}

/** Compiles the plugin to plugin/dist unless `prebuilt` (then it must already be there). */
export function ensurePlugin({ prebuilt = false } = {}) {
  if (prebuilt && existsSync(join(pluginDist, 'package.json'))) return pluginDist;
  execFileSync(process.execPath, [join(repo, 'tools/build-plugin.mjs')], { stdio: ['ignore', 'ignore', 'inherit'] });
  return pluginDist;
}

// Resolved from inside plugin/dist, so `@esmx/nx/...` goes through the package's own `exports` (self-reference),
// exactly the entry points a user's code can reach.
const requireFromDist = createRequire(join(pluginDist, 'package.json'));

/**
 * The runtime's composed-host fixture writer (`createComposedHost`, …): test data, not measured code, so it is loaded
 * from its TypeScript source.
 */
export function loadComposedHostFixture() {
  process.env.SWC_NODE_PROJECT ??= join(repo, 'plugin/tsconfig.json');
  const require = createRequire(import.meta.url);
  require('@swc-node/register');
  return require(join(repo, 'plugin/src/runtime/fixtures/composed-host/create-fixture.ts'));
}

/**
 * `loadPlugin('')` → `@esmx/nx`, `loadPlugin('/runtime')` → `@esmx/nx/runtime`, from the compiled package; `dist`: the
 * package folder of another build (ssr.mjs --against).
 */
export function loadPlugin(subpath = '', dist = undefined) {
  const from = dist === undefined ? requireFromDist : createRequire(join(dist, 'package.json'));
  return from(`@esmx/nx${subpath}`);
}

/**
 * Runs `script args…` in a fresh Node process (no module, JIT or Rspack state carried over) and returns the JSON
 * its stdout ends with. A crash or timeout rejects with the child's stderr.
 */
export function runChild(script, args, { timeoutMs = 180_000, env = {}, cwd = repo } = {}) {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [script, ...args],
      { cwd, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, NODE_OPTIONS: '', ...env } },
      (error, stdout, stderr) => {
        if (error) {
          reject(new Error(`[esmx:bench] ${script} ${args.join(' ')} failed (${error.code ?? error.signal}):\n${stderr}`));
          return;
        }
        const last = stdout.trim().split('\n').at(-1);
        try {
          resolve(JSON.parse(last));
        } catch {
          reject(new Error(`[esmx:bench] expected one JSON line at the end of the child's stdout, found: ${last}`));
        }
      },
    );
  });
}

/** The child side of runChild: print the result as the last stdout line; any throw exits non-zero. */
export async function replyAsChild(fn) {
  try {
    process.stdout.write(`\n${JSON.stringify(await fn())}\n`);
  } catch (error) {
    process.stderr.write(`${error?.stack ?? error}\n`);
    process.exit(1);
  }
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

export const round = (x, digits = 1) => Number(x.toFixed(digits));

export function elapsedMs(startedNs) {
  return Number(process.hrtime.bigint() - startedNs) / 1e6;
}

/**
 * `label: a / b = ratio (goal ≤ 1.1)`, with `met` telling whether the goal holds. `goal` is
 * `{ max }` or `{ min }`; in smoke mode goals are printed but never asserted.
 */
export function ratioLine(label, a, b, goal) {
  const ratio = a / b;
  const met = goal?.max !== undefined ? ratio <= goal.max : goal?.min !== undefined ? ratio >= goal.min : true;
  const goalText = goal?.max !== undefined ? ` (goal ≤ ${goal.max})` : goal?.min !== undefined ? ` (goal ≥ ${goal.min})` : '';
  return { ratio: round(ratio, 3), met, text: `${label} = ${round(ratio, 3)}${goalText}` };
}

/** Exit code of a benchmark: a broken benchmark always fails; a missed goal fails only outside smoke mode. */
export function finish({ smoke, goalsMet }) {
  process.exitCode = smoke || goalsMet ? 0 : 1;
}

/**
 * Ends the benchmark with exit code 1 once `seconds` have passed, whatever it is waiting for, killing the child
 * processes `children()` names then: every benchmark is bounded in time. Unref'd, so a run that finishes first exits
 * as usual.
 */
export function startWatchdog(name, seconds, children = () => []) {
  setTimeout(() => {
    log(`[esmx:bench] ${name}: over its time budget, stopping`);
    for (const child of children()) child.kill('SIGKILL');
    process.exit(1);
  }, seconds * 1000).unref();
}

/**
 * CPU time the server's main thread has run, in ms (Linux: /proc/<pid>/schedstat, nanosecond resolution), or
 * undefined elsewhere. Per request it is steadier than requests per second on a shared machine: another process
 * taking the CPU lowers a server's throughput, not the work each of its requests costs.
 */
export function mainThreadCpuMs(pid) {
  try {
    return Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0]) / 1e6;
  } catch {
    // Not Linux: the report leaves the CPU figures out.
    return undefined;
  }
}

/**
 * Forks `script args…` as a server in a fresh process; resolves `{ child, port }` when it sends
 * `{ type: 'ready', port }` over IPC. The deadline only turns a hang into a failure.
 */
export function forkServer(script, args = [], { readyTimeoutMs = 30_000, execArgv = [] } = {}) {
  const child = fork(script, args, { execArgv, stdio: ['ignore', 'ignore', 'inherit', 'ipc'], env: { ...process.env, NODE_OPTIONS: '' } });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`[esmx:bench] ${script} did not report ready within ${readyTimeoutMs} ms`));
    }, readyTimeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`[esmx:bench] ${script} exited with ${code} before it was ready`));
    });
    child.on('message', (message) => {
      if (message?.type !== 'ready') return;
      clearTimeout(timer);
      resolve({ child, port: message.port });
    });
  });
}

/** JS requests and bytes of the host's first page: the static import graph from its client entry. */
export function countFirstPage(hostRoot, importMap) {
  const { parseImportMap, resolveSpecifier } = loadPlugin('/import-map');
  const link = JSON.parse(readFileSync(join(hostRoot, 'dist/link.json'), 'utf8'));
  const base = 'http://page.test/';
  const parsed = parseImportMap(importMap, base);
  // URL of every chunk of every linked module → its manifest entry (the URL the composed map points at).
  const chunkByUrl = new Map();
  const manifests = {};
  for (const [name, entry] of Object.entries(link.modules)) {
    const dir = join(hostRoot, entry.dir);
    const manifest = JSON.parse(readFileSync(join(dir, 'dist/client/manifest.json'), 'utf8'));
    manifests[name] = { manifest, dir };
    for (const [exportName, chunk] of Object.entries(manifest.chunks)) {
      chunkByUrl.set(new URL(`${name}/${chunk.js}`, base).href, { name, exportName });
    }
  }
  const hostName = link.module;
  const files = new Set();
  const visit = (name, exportName, referrer) => {
    const { manifest, dir } = manifests[name];
    const chunk = manifest.chunks[exportName];
    for (const file of [chunk.js, ...chunk.imports]) {
      if (!/\.m?js$/.test(file)) continue;
      const key = `${name}/${file}`;
      if (files.has(key)) continue;
      files.add(key);
    }
    for (const specifier of chunk.externals) {
      const url = resolveSpecifier(specifier, parsed, referrer);
      const target = chunkByUrl.get(url);
      if (!target) throw new Error(`[esmx:bench] ${specifier} resolves to ${url}, which is no chunk of a linked module`);
      if (!files.has(`${target.name}/${manifests[target.name].manifest.chunks[target.exportName].js}`)) visit(target.name, target.exportName, url);
    }
    return dir;
  };
  const entryUrl = new URL(`${hostName}/${manifests[hostName].manifest.chunks['entry.client'].js}`, base).href;
  visit(hostName, 'entry.client', entryUrl);
  let bytes = 0;
  let gzipBytes = 0;
  // Gzip bytes per linked module: what each provider (a framework runtime) and each module's own code cost.
  const byModule = {};
  for (const key of files) {
    const slash = key.indexOf('/');
    const { dir } = manifests[key.slice(0, slash)];
    const content = readFileSync(join(dir, 'dist/client', key.slice(slash + 1)));
    const gzip = gzipSync(content).length;
    bytes += content.length;
    gzipBytes += gzip;
    byModule[key.slice(0, slash)] = (byModule[key.slice(0, slash)] ?? 0) + gzip;
  }
  return { jsRequests: files.size, jsBytes: bytes, jsGzipBytes: gzipBytes, byModule };
}
