// Scale benchmark of the graph plugin: a generated workspace of N esmx modules (default 500) with random `uses`.
// Times createNodesV2 + createDependencies cold (no cache), warm from disk (a fresh Nx process) and warm in memory
// (the daemon), each as a ratio to cold measured in the same run; cold is also given as a ratio to the floor any
// plugin pays (reading and parsing every package.json). Goals on this machine: cold < 1 s, cached < 100 ms.
//
//   node tools/bench/graph.mjs [--modules=500] [--runs=7] [--seed=42] [--json]
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '../..');
const args = Object.fromEntries(
  process.argv.slice(2).map((a) => {
    const [k, v] = a.replace(/^--/, '').split('=');
    return [k, v ?? 'true'];
  }),
);
const MODULES = Number(args.modules ?? 500);
const RUNS = Number(args.runs ?? 7);
const SEED = Number(args.seed ?? 42);
const GOAL_COLD_MS = 1000;
const GOAL_CACHED_MS = 100;

// Load the plugin from its TypeScript source, as Nx does for a local plugin (swc-node), unless a build is asked for.
const require = createRequire(import.meta.url);
process.env.SWC_NODE_PROJECT ??= join(repo, 'plugin/tsconfig.json');
require('@swc-node/register');
const plugin = require(join(repo, 'plugin/plugin.ts'));
const { clearMemoryCaches, findWorkspaceDataDirectory } = require(join(repo, 'plugin/src/graph/lib/json-cache.ts'));

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

async function measure(fn) {
  const start = performance.now();
  const value = await fn();
  return { ms: performance.now() - start, value };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const root = join(tmpdir(), `esmx-bench-graph-${process.pid}`);
rmSync(root, { recursive: true, force: true });
const files = generateWorkspace(root, MODULES, SEED);
const nodesContext = { workspaceRoot: root, nxJsonConfiguration: { namedInputs: { production: ['default'] } } };
const cacheDir = findWorkspaceDataDirectory(root);
const warnings = [];
const warn = console.warn;
console.warn = (line) => warnings.push(line);

// The createDependencies context (projects by name, a file map with hashes) is Nx's work: built outside the timed
// region, from the first cold createNodes result.
let depsContext;
rmSync(cacheDir, { recursive: true, force: true });
clearMemoryCaches();

async function timedRun() {
  const n = await measure(() => plugin.createNodesV2[1](files, {}, nodesContext));
  depsContext ??= makeDependenciesContext(root, n.value);
  const d = await measure(() => plugin.createDependencies({}, depsContext));
  return { total: n.ms + d.ms, nodes: n.ms, deps: d.ms, projects: n.value.length, edges: d.value.length };
}

function baseline() {
  const start = performance.now();
  for (const file of files) JSON.parse(readFileSync(join(root, file), 'utf8'));
  return performance.now() - start;
}

const samples = { firstCold: null, cold: [], disk: [], memory: [], floor: [] };
for (let run = 0; run < RUNS; run++) {
  samples.floor.push(baseline());
  rmSync(cacheDir, { recursive: true, force: true });
  clearMemoryCaches();
  const cold = await timedRun();
  if (run === 0) samples.firstCold = cold;
  samples.cold.push(cold);
  clearMemoryCaches();
  samples.disk.push(await timedRun());
  samples.memory.push(await timedRun());
}
console.warn = warn;

const pick = (key) => median(samples[key].map((s) => s.total));
const result = {
  modules: MODULES,
  packageJsonFiles: files.length,
  projects: samples.cold[0].projects,
  edges: samples.cold[0].edges,
  warnings: new Set(warnings).size,
  runs: RUNS,
  firstColdMs: +samples.firstCold.total.toFixed(1),
  coldMs: +pick('cold').toFixed(1),
  coldNodesMs: +median(samples.cold.map((s) => s.nodes)).toFixed(1),
  coldDepsMs: +median(samples.cold.map((s) => s.deps)).toFixed(1),
  diskCachedMs: +pick('disk').toFixed(1),
  memoryCachedMs: +pick('memory').toFixed(1),
  floorMs: +median(samples.floor).toFixed(1),
};
result.diskCachedRatio = +(result.diskCachedMs / result.coldMs).toFixed(3);
result.memoryCachedRatio = +(result.memoryCachedMs / result.coldMs).toFixed(3);
result.coldOverFloor = +(result.coldMs / result.floorMs).toFixed(2);
result.pass = result.firstColdMs < GOAL_COLD_MS && result.diskCachedMs < GOAL_CACHED_MS && result.memoryCachedMs < GOAL_CACHED_MS;
rmSync(root, { recursive: true, force: true });

if (args.json === 'true') {
  console.log(JSON.stringify(result));
} else {
  const line = (label, value) => console.log(`  ${label.padEnd(44)} ${value}`);
  console.log(`[esmx:graph] bench: ${MODULES} esmx modules + 50 plain packages, ${result.edges} uses edges, median of ${RUNS} runs`);
  line('cold, first in process (createNodes+createDeps)', `${result.firstColdMs} ms   goal < ${GOAL_COLD_MS} ms`);
  line('cold, median (createNodes / createDependencies)', `${result.coldMs} ms (${result.coldNodesMs} / ${result.coldDepsMs})`);
  line('floor: read + JSON.parse every package.json', `${result.floorMs} ms   cold = ${result.coldOverFloor}x floor`);
  line('cached from disk (fresh process)', `${result.diskCachedMs} ms = ${result.diskCachedRatio} x cold   goal < ${GOAL_CACHED_MS} ms`);
  line('cached in memory (daemon)', `${result.memoryCachedMs} ms = ${result.memoryCachedRatio} x cold   goal < ${GOAL_CACHED_MS} ms`);
  line('result', result.pass ? 'PASS' : 'FAIL');
}
process.exitCode = result.pass ? 0 : 1;
