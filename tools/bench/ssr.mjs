// SSR throughput of the production runtime as it ships: `startServer` from the compiled `@esmx/nx/runtime`
// serving the runtime fixture's host composed of two remotes and a provider (import-map linked, four modules'
// server code loaded through the resolve hook), against:
//
//   single bundle (the baseline): the same render code in one file on plain node:http, answering the same bytes
//     (checked before measuring); `--sync-baseline` makes its render function synchronous (stricter).
//
// Both servers run in their own fresh process on 127.0.0.1 and are loaded by autocannon in alternating slices, so
// other load on the machine weighs on both alike; each server's slices are aggregated. Then a leak check: RSS and
// heap-after-GC of both after the measured window vs after a longer soak. Everything is bounded in time.
//
//   node tools/bench/ssr.mjs [--duration=10] [--soak=60] [--connections=50] [--slices=5] [--sync-baseline]
//                            [--calibrate] [--against=<dir>] [--json] [--prebuilt] [--smoke]
//
// `--against=<dir>` (A/B, no goal): the rows "single bundle" become the same composed host on another build of the
// plugin, `<dir>` being that build's package folder (a plugin/dist) inside this repository, so that its
// dependencies resolve from here. For a change to the request path: 48 slices of 1 s or more tell 0.3 µs apart
// (the per-slice-pair figure; an A/A reads within ±0.2 µs), where the totals of a default run cannot.
// `--calibrate` runs the single bundle on both sides (A/A, no goal): how far its ratio lands from 1 is the noise of
// the measurement on this machine (on a 2-core machine: 0.98–1.04 over three runs of --duration=6 --slices=6).
//
// Goals: composed / single-bundle requests per second ≥ 0.95; composed RSS growth over the soak ≤ 10 %. Reported
// beside them (Linux): each server's main-thread CPU per request over the same slices, and their ratio.
// Where a composed page's time goes: tools/bench/ssr-profile.mjs.
import { readFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensurePlugin, finish, forkServer, loadComposedHostFixture, loadPlugin, log, mainThreadCpuMs, parseBenchArgs, ratioLine, startWatchdog } from './lib.mjs';
import { answerHeapProbes, baselineForPage } from './ssr-baseline.mjs';

const args = parseBenchArgs({
  duration: { type: 'string', default: '10' },
  soak: { type: 'string', default: '60' },
  connections: { type: 'string', default: '50' },
  slices: { type: 'string', default: '5' },
  'sync-baseline': { type: 'boolean', default: false },
  calibrate: { type: 'boolean', default: false },
  against: { type: 'string' },
  root: { type: 'string' },
  dist: { type: 'string' },
});
if (args.against !== undefined && args.calibrate) {
  log('[esmx:bench] ssr: expected --against or --calibrate, found both; fix: run them one at a time');
  process.exit(1);
}
const DURATION = args.smoke ? 2 : Number(args.duration);
const SOAK = args.smoke ? 3 : Math.max(Number(args.soak), DURATION);
const CONNECTIONS = args.smoke ? 10 : Number(args.connections);
const SLICES = args.smoke ? 2 : Number(args.slices);
const GOAL_RATIO = 0.95;
const GOAL_RSS_GROWTH = 0.1;

const require = createRequire(import.meta.url);

/** The composed server's process: the compiled runtime's public entry point, nothing else of the plugin. */
async function runComposedChild(root, dist) {
  const { startServer } = loadPlugin('/runtime', dist);
  const handle = await startServer({ root, port: 0, host: '127.0.0.1', log: () => undefined });
  process.send({ type: 'ready', port: handle.port });
  process.channel.unref();
  answerHeapProbes();
}

/** Resident set size of a child, from /proc (Linux); the child is not asked, so measuring does not disturb it. */
function rssOf(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)[1]) * 1024;
}

function heapOf(child) {
  return new Promise((resolve) => {
    const onMessage = (m) => {
      if (m?.type !== 'heap') return;
      child.off('message', onMessage);
      resolve(m.heapUsed);
    };
    child.on('message', onMessage);
    child.send({ type: 'heap' });
  });
}

const autocannon = () => require('autocannon');

function load(port, seconds) {
  return new Promise((resolve, reject) => {
    autocannon()({ url: `http://127.0.0.1:${port}/`, connections: CONNECTIONS, duration: seconds }, (error, result) =>
      error ? reject(error) : resolve(result),
    );
  });
}

async function fetchText(port) {
  const res = await fetch(`http://127.0.0.1:${port}/`);
  return res.text();
}

/**
 * Alternating slices, so load from anything else on the machine falls on both servers alike; the order flips every
 * slice (A B, B A, …): the server measured second in a pair ran about 2 % slower in A/A calibration.
 */
async function loadAlternating(servers, seconds, slices) {
  const results = servers.map(() => []);
  const cpuMs = servers.map(() => 0);
  const sliceCpuUs = servers.map(() => []);
  for (let i = 0; i < slices; i++) {
    const order = [...servers.keys()];
    if (i % 2 === 1) order.reverse();
    for (const k of order) {
      const server = servers[k];
      const cpuBefore = mainThreadCpuMs(server.child.pid);
      results[k].push(
        await new Promise((resolve, reject) =>
          autocannon()(
            { url: `http://127.0.0.1:${server.port}/`, connections: CONNECTIONS, duration: seconds / slices, skipAggregateResult: true },
            (error, result) => (error ? reject(error) : resolve(result)),
          ),
        ),
      );
      const sliceMs = mainThreadCpuMs(server.child.pid) - cpuBefore;
      cpuMs[k] += sliceMs;
      sliceCpuUs[k].push((sliceMs * 1000) / results[k].at(-1).totalCompletedRequests);
    }
  }
  return results.map((list, k) => {
    const aggregated = autocannon().aggregateResult(list, { url: 'http://127.0.0.1/', connections: CONNECTIONS });
    // Throughput over the slices' wall time: completed requests / seconds under load.
    const completed = list.reduce((n, r) => n + r.totalCompletedRequests, 0);
    aggregated.requests = { average: completed / seconds, total: completed };
    aggregated.cpuUsPerRequest = Number.isFinite(cpuMs[k]) ? (cpuMs[k] * 1000) / completed : undefined;
    aggregated.sliceCpuUs = sliceCpuUs[k];
    return aggregated;
  });
}

const mib = (bytes) => Number((bytes / 2 ** 20).toFixed(1));

/** Mean of the middle half of `values` (a slice slowed by a neighbour drops out on either side). */
function middleMean(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const cut = Math.floor(sorted.length / 4);
  const middle = sorted.slice(cut, sorted.length - cut);
  return middle.reduce((sum, v) => sum + v, 0) / middle.length;
}

const summarize = (r) => ({
  requestsPerSecond: Math.round(r.requests.average),
  p50Ms: r.latency.p50,
  p99Ms: r.latency.p99,
  cpuUsPerRequest: r.cpuUsPerRequest === undefined ? undefined : Number(r.cpuUsPerRequest.toFixed(2)),
  errors: r.errors + r.non2xx,
  requests: r.requests.total,
});

async function main() {
  ensurePlugin({ prebuilt: args.prebuilt });
  const { createComposedHost } = loadComposedHostFixture();
  const workspace = mkdtempSync(join(tmpdir(), 'esmx-bench-ssr-'));
  const children = [];
  // Bounded: whatever happens, the benchmark ends (and fails) well after its planned load time (both servers are
  // loaded through the whole soak, the measured window being its start, and each slice has a start-up).
  startWatchdog('ssr', 2 * SOAK + 2 * SLICES + 90, () => children);
  try {
    const host = createComposedHost(workspace);
    // The composed host on this build, or with `dist` on another one.
    const forkComposed = (dist) =>
      forkServer(fileURLToPath(import.meta.url), ['--child=composed', `--root=${host.root}`, ...(dist ? [`--dist=${dist}`] : [])]);
    let composed = await forkComposed();
    children.push(composed.child);
    const page = await fetchText(composed.port);
    // The server of the "single bundle" rows: the baseline, or with --against the same host on the other build.
    let baseline;
    if (args.against) {
      baseline = await forkComposed(resolve(args.against));
      children.push(baseline.child);
      if ((await fetchText(baseline.port)) !== page) throw new Error(`[esmx:bench] ssr: the build at ${args.against} does not render the same bytes`);
      log(`[esmx:bench] ssr: A/B — rows "single bundle" are the composed host on the build at ${args.against}`);
    } else {
      writeFileSync(join(workspace, 'baseline.mjs'), baselineForPage(page, args['sync-baseline']));
      baseline = await forkServer(join(workspace, 'baseline.mjs'), []);
      children.push(baseline.child);
      if ((await fetchText(baseline.port)) !== page) throw new Error('[esmx:bench] the baseline does not render the same bytes as the composed host');
    }
    if (args.calibrate) {
      composed.child.kill('SIGKILL');
      composed = await forkServer(join(workspace, 'baseline.mjs'), []);
      children.push(composed.child);
      log('[esmx:bench] ssr: calibration — the single bundle on both sides (rows "composed" are its second copy)');
    }
    log(`[esmx:bench] ssr: same ${Buffer.byteLength(page)}-byte page from both servers; ${CONNECTIONS} connections, ${DURATION} s each${args.smoke ? ' (smoke)' : ''}`);

    // Warm both (JIT, first imports) so neither pays its start-up inside the measured window.
    await load(baseline.port, 1);
    await load(composed.port, 1);
    const [baseRun, composedRun] = await loadAlternating([baseline, composed], DURATION, SLICES);
    const memory = async () => ({
      composedRss: rssOf(composed.child.pid),
      baselineRss: rssOf(baseline.child.pid),
      composedHeap: await heapOf(composed.child),
      baselineHeap: await heapOf(baseline.child),
    });
    // Read before the forced GC of the heap probe, which could shrink RSS.
    const atEnd = await memory();
    const [baseSoak, soakRun] = await loadAlternating([baseline, composed], SOAK - DURATION || 1, SLICES);
    const afterSoak = await memory();

    const throughput = ratioLine('composed / single bundle (req/s)', composedRun.requests.average, baseRun.requests.average, { min: GOAL_RATIO });
    const growth = (a, b) => Number(((b - a) / a).toFixed(3));
    const report = {
      node: process.version,
      smoke: args.smoke,
      connections: CONNECTIONS,
      durationSeconds: DURATION,
      soakSeconds: SOAK,
      slices: SLICES,
      pageBytes: Buffer.byteLength(page),
      baseline: args['sync-baseline'] ? 'sync (stricter)' : 'async, like the fixture host',
      singleBundle: summarize(baseRun),
      composed: summarize(composedRun),
      ratio: throughput.ratio,
      ratioGoal: GOAL_RATIO,
      // Reported, not a goal: how much more main-thread CPU a composed page costs (1.1 = 10 % more).
      cpuRatio: composedRun.cpuUsPerRequest === undefined ? undefined : Number((composedRun.cpuUsPerRequest / baseRun.cpuUsPerRequest).toFixed(3)),
      // The same per slice pair (composed − single bundle, in alternating slices): the mean of the middle half of the
      // differences, steadier than the totals for an A/B of two builds (--against).
      cpuDiffUsPerRequest: composedRun.cpuUsPerRequest === undefined ? undefined : Number(middleMean(composedRun.sliceCpuUs.map((c, i) => c - baseRun.sliceCpuUs[i])).toFixed(3)),
      soak: { composed: summarize(soakRun), singleBundle: summarize(baseSoak) },
      memory: Object.fromEntries(
        [['composed', 'composed'], ['singleBundle', 'baseline']].map(([name, key]) => [
          name,
          {
            rssAfterWindowMiB: mib(atEnd[`${key}Rss`]),
            rssAfterSoakMiB: mib(afterSoak[`${key}Rss`]),
            rssGrowth: growth(atEnd[`${key}Rss`], afterSoak[`${key}Rss`]),
            heapAfterGcGrowth: growth(atEnd[`${key}Heap`], afterSoak[`${key}Heap`]),
          },
        ]),
      ),
      rssGrowthGoal: GOAL_RSS_GROWTH,
    };
    const errors = report.composed.errors + report.singleBundle.errors + report.soak.composed.errors + report.soak.singleBundle.errors;
    if (errors > 0) throw new Error(`[esmx:bench] ssr: ${errors} failed or non-2xx responses under load; expected none`);
    report.pass = throughput.met && report.memory.composed.rssGrowth <= GOAL_RSS_GROWTH;
    if (args.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    else {
      const cpu = (r) => (r.cpuUsPerRequest === undefined ? '' : `   CPU ${r.cpuUsPerRequest} µs/request`);
      const row = (name, r) => `  ${name.padEnd(14)} ${String(r.requestsPerSecond).padStart(8)} req/s   p50 ${r.p50Ms} ms   p99 ${r.p99Ms} ms${cpu(r)}`;
      const mem = (name, m) =>
        `  ${name.padEnd(14)} RSS ${m.rssAfterWindowMiB} MiB after ${DURATION} s, ${m.rssAfterSoakMiB} MiB after ${SOAK} s ` +
        `(${(m.rssGrowth * 100).toFixed(1)} %); heap after GC ${(m.heapAfterGcGrowth * 100).toFixed(1)} %`;
      if (!args.against) console.log(`  baseline render function: ${report.baseline}`);
      console.log(row('single bundle', report.singleBundle));
      console.log(row('composed', report.composed));
      console.log(`  ${throughput.text}`);
      if (report.cpuRatio !== undefined) console.log(`  composed / single bundle (main-thread CPU per request) = ${report.cpuRatio}`);
      if (report.cpuDiffUsPerRequest !== undefined) console.log(`  composed − single bundle, per slice pair (middle half): ${report.cpuDiffUsPerRequest} µs CPU per request`);
      console.log(mem('single bundle', report.memory.singleBundle));
      console.log(mem('composed', report.memory.composed));
      if (!args.smoke && !args.calibrate && !args.against) console.log(`  ${report.pass ? 'PASS' : 'FAIL'} (goals: ratio ≥ ${GOAL_RATIO}, composed RSS growth ≤ ${GOAL_RSS_GROWTH * 100} %)`);
    }
    finish({ smoke: args.smoke || args.calibrate || args.against !== undefined, goalsMet: report.pass });
  } finally {
    for (const child of children) child.kill('SIGKILL');
    rmSync(workspace, { recursive: true, force: true });
  }
}

if (args.child) {
  await runComposedChild(args.root, args.dist);
} else {
  await main().catch((error) => {
    console.error(`[esmx:bench] ${error.stack ?? error}`);
    process.exit(1);
  });
}
