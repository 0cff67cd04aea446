// The graph plugin at scale, in fresh processes: a generated workspace of N esmx modules (default 500, with random
// `uses`) plus 50 plain packages. Each measurement is a new Node process that loads the compiled `@esmx/nx/plugin`
// (loading is outside the timed region, the same in every kind) and times createNodesV2 + createDependencies once,
// as a fresh `nx` process does:
//
//   uncached  inference with no disk cache at all (the data directory cannot be written or read): the baseline.
//   first     the first run on an empty cache folder: inference plus writing the cache.
//   cached    a fresh process with the disk cache present (json-cache.ts): the case the cache exists for.
//   memory    a second call in the same process (the Nx daemon), for reference.
//   floor     reading and JSON.parse-ing every package.json, the least any graph plugin pays (second baseline).
//
//   node tools/bench/graph.mjs [--modules=500] [--runs=7] [--seed=42] [--json] [--prebuilt] [--smoke]
//
// Goals: uncached < 1 s; the disk cache is worth keeping only if cached / uncached < 1 (it must beat inference in a
// fresh process, where it is paid for with sha1 of every file, a JSON read of the cache and a JSON.parse per hit).
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { elapsedMs, ensurePlugin, finish, loadPlugin, log, median, parseBenchArgs, ratioLine, replyAsChild, round, runChild } from './lib.mjs';

const args = parseBenchArgs({
  modules: { type: 'string', default: '500' },
  runs: { type: 'string', default: '7' },
  seed: { type: 'string', default: '42' },
  root: { type: 'string' },
});
const GOAL_UNCACHED_MS = 1000;

/** mulberry32: a tiny seeded PRNG, so every run generates the same workspace. */
function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function generateWorkspace(root, count, seed) {
  const rand = random(seed);
  const files = ['package.json'];
  const write = (file, value) => {
    mkdirSync(dirname(join(root, file)), { recursive: true });
    writeFileSync(join(root, file), JSON.stringify(value, null, 2));
  };
  write('package.json', { name: 'bench', private: true, workspaces: ['modules/*', 'tools/*'] });
  const names = Array.from({ length: count }, (_, i) => `mod-${String(i).padStart(4, '0')}`);
  names.forEach((name, i) => {
    // Uses point at earlier modules (mostly acyclic like real workspaces), plus 1 % outside names that warn.
    const uses = new Set();
    const fanOut = Math.floor(rand() * 6);
    for (let k = 0; k < fanOut && i > 0; k++) uses.add(names[Math.floor(rand() * i)]);
    if (rand() < 0.01) uses.add(`external-${i}`);
    const role = rand();
    const esmx = { uses: [...uses] };
    if (role < 0.2) esmx.entry = { client: './src/entry.client.ts', server: './src/entry.server.ts' };
    if (role > 0.1) esmx.exports = { './ui': './src/ui.ts', './api': { client: './src/api.ts', server: false } };
    if (i % 50 === 0) esmx.provides = ['react', 'react-dom', 'react/jsx-runtime'];
    const file = `modules/${name}/package.json`;
    write(file, {
      name,
      version: '1.0.0',
      private: true,
      dependencies: Object.fromEntries([...uses].map((u) => [u, '*'])),
      esmx,
    });
    files.push(file);
  });
  // Non-module packages the plugin must skip cheaply.
  for (let i = 0; i < 50; i++) {
    const file = `tools/tool-${i}/package.json`;
    write(file, { name: `tool-${i}`, version: '1.0.0', scripts: { test: 'node test.js' } });
    files.push(file);
  }
  return files;
}

/** What Nx hands createDependencies: projects keyed by name and a file map with content hashes. */
function makeDependenciesContext(root, results) {
  const projects = {};
  const projectFileMap = {};
  for (const [file, result] of results) {
    for (const project of Object.values(result.projects)) {
      projects[project.name] = project;
      const hash = createHash('sha1').update(readFileSync(join(root, file))).digest('hex');
      projectFileMap[project.name] = [{ file, hash }, { file: `${project.root}/src/ui.ts`, hash: 'x' }];
    }
  }
  const fileMap = { projectFileMap, nonProjectFiles: [] };
  return { projects, externalNodes: {}, nxJsonConfiguration: {}, fileMap, filesToProcess: fileMap, workspaceRoot: root };
}


/** The child: one createNodesV2 + createDependencies in this fresh process (and a second one for the daemon case). */
async function measureInChild(root, kind) {
  const files = JSON.parse(readFileSync(join(root, 'files.json'), 'utf8'));
  if (kind === 'floor') {
    const t = process.hrtime.bigint();
    for (const file of files) JSON.parse(readFileSync(join(root, file), 'utf8'));
    return { total: elapsedMs(t) };
  }
  const plugin = loadPlugin('/plugin');
  const nodesContext = { workspaceRoot: root, nxJsonConfiguration: { namedInputs: { production: ['default'] } } };
  const warn = console.warn;
  const warnings = [];
  console.warn = (line) => warnings.push(line);
  const once = async (depsContext) => {
    const tn = process.hrtime.bigint();
    const nodes = await plugin.createNodesV2[1](files, {}, nodesContext);
    const nodesMs = elapsedMs(tn);
    // Nx's own work (projects by name, file hashes), outside the timed region.
    const context = depsContext ?? makeDependenciesContext(root, nodes);
    const td = process.hrtime.bigint();
    const edges = await plugin.createDependencies({}, context);
    return { nodesMs, depsMs: elapsedMs(td), total: nodesMs + elapsedMs(td), projects: nodes.length, edges: edges.length, context };
  };
  const first = await once();
  const second = await once(first.context);
  console.warn = warn;
  return {
    total: first.total,
    nodesMs: first.nodesMs,
    depsMs: first.depsMs,
    projects: first.projects,
    edges: first.edges,
    warnings: new Set(warnings).size,
    memoryTotal: second.total,
  };
}

if (args.child) {
  await replyAsChild(() => measureInChild(args.root, args.child));
} else {
  await main();
}

async function main() {
  const modules = args.smoke ? 50 : Number(args.modules);
  const runs = args.smoke ? 1 : Number(args.runs);
  ensurePlugin({ prebuilt: args.prebuilt });
  const self = fileURLToPath(import.meta.url);
  const root = mkdtempSync(join(tmpdir(), 'esmx-bench-graph-'));
  try {
    const files = generateWorkspace(root, modules, Number(args.seed));
    writeFileSync(join(root, 'files.json'), JSON.stringify(files));
    // A regular file: a data directory below it can be neither created nor read, so the cache never hits or writes.
    const noCache = join(root, 'no-cache');
    writeFileSync(noCache, '');
    const cacheDir = join(root, 'cache');
    const child = (kind, dataDir) =>
      runChild(self, [`--child=${kind}`, `--root=${root}`], { env: dataDir ? { NX_WORKSPACE_DATA_DIRECTORY: dataDir } : {} });
    const samples = { uncached: [], first: [], cached: [], floor: [] };
    log(`[esmx:graph] bench: ${modules} esmx modules + 50 plain packages, ${runs} run(s), each kind in a fresh process`);
    for (let run = 0; run < runs; run++) {
      samples.floor.push(await child('floor'));
      samples.uncached.push(await child('uncached', join(noCache, 'data')));
      rmSync(cacheDir, { recursive: true, force: true });
      samples.first.push(await child('first', cacheDir));
      samples.cached.push(await child('cached', cacheDir));
    }
    const pick = (kind, key = 'total') => round(median(samples[kind].map((s) => s[key])));
    const ref = samples.uncached[0];
    for (const kind of ['first', 'cached']) {
      const s = samples[kind][0];
      if (s.projects !== ref.projects || s.edges !== ref.edges) {
        throw new Error(`[esmx:graph] ${kind} found ${s.projects} projects / ${s.edges} edges, uncached ${ref.projects} / ${ref.edges}`);
      }
    }
    const cachedVsUncached = ratioLine('cached from disk (fresh process) / uncached inference (fresh process)', pick('cached'), pick('uncached'), { max: 1 });
    const firstVsUncached = ratioLine('first run (writes the cache) / uncached', pick('first'), pick('uncached'));
    const uncachedVsFloor = ratioLine('uncached / floor (read + parse every package.json)', pick('uncached'), pick('floor'));
    const result = {
      modules,
      packageJsonFiles: files.length,
      projects: ref.projects,
      edges: ref.edges,
      warnings: ref.warnings,
      runs,
      uncachedMs: pick('uncached'),
      uncachedNodesMs: pick('uncached', 'nodesMs'),
      uncachedDepsMs: pick('uncached', 'depsMs'),
      firstMs: pick('first'),
      cachedMs: pick('cached'),
      cachedNodesMs: pick('cached', 'nodesMs'),
      cachedDepsMs: pick('cached', 'depsMs'),
      memoryCachedMs: pick('uncached', 'memoryTotal'),
      floorMs: pick('floor'),
      cachedOverUncached: cachedVsUncached.ratio,
      firstOverUncached: firstVsUncached.ratio,
      uncachedOverFloor: uncachedVsFloor.ratio,
      diskCacheBeatsInference: cachedVsUncached.met,
    };
    result.pass = result.uncachedMs < GOAL_UNCACHED_MS;
    if (args.json) console.log(JSON.stringify(result));
    else {
      const line = (label, value) => console.log(`  ${label.padEnd(46)} ${value}`);
      console.log(`  ${result.projects} projects, ${result.edges} uses edges, median of ${runs} fresh process(es) per kind`);
      line('uncached inference (createNodes / createDeps)', `${result.uncachedMs} ms (${result.uncachedNodesMs} / ${result.uncachedDepsMs})   goal < ${GOAL_UNCACHED_MS} ms`);
      line('first run, writing the cache', `${result.firstMs} ms`);
      line('cached from disk (createNodes / createDeps)', `${result.cachedMs} ms (${result.cachedNodesMs} / ${result.cachedDepsMs})`);
      line('second call in the same process (daemon)', `${result.memoryCachedMs} ms`);
      line('floor: read + JSON.parse every package.json', `${result.floorMs} ms`);
      console.log(`  ${cachedVsUncached.text} → the disk cache ${cachedVsUncached.met ? 'beats' : 'does NOT beat'} inference`);
      console.log(`  ${firstVsUncached.text}`);
      console.log(`  ${uncachedVsFloor.text}`);
    }
    finish({ smoke: args.smoke, goalsMet: result.pass });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
