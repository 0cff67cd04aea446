// SSR throughput of the production runtime: the fixture host composed of two remotes and a provider (import-map
// linked, four modules' server code loaded through the resolve hook) vs a single-bundle server that renders the
// same bytes with plain node:http, measured in the same run with the same load. Then a leak check: RSS of the
// composed server after 10 s of load vs after 60 s of load.
//
//   node tools/bench/ssr.mjs [--duration=10] [--soak=60] [--connections=50] [--slices=5] [--sync-baseline] [--json]
//
// The two servers are loaded in alternating slices (5 × 2 s each by default) so that other work on the machine
// weighs on both alike; each server's slices are aggregated into one result (autocannon.aggregateResult).
//
// Goal: composed / single-bundle throughput >= 0.9; RSS(60 s) within 10 % of RSS(10 s).
import { fork } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '../..');
const args = Object.fromEntries(
  process.argv.slice(2).map((a) => {
    const [k, v] = a.replace(/^--/, '').split('=');
    return [k, v ?? 'true'];
  }),
);
const DURATION = Number(args.duration ?? 10);
const SOAK = Math.max(Number(args.soak ?? 60), DURATION);
const CONNECTIONS = Number(args.connections ?? 50);
const SLICES = Number(args.slices ?? 5);
const GOAL_RATIO = 0.9;
const GOAL_RSS_GROWTH = 0.1;

const require = createRequire(import.meta.url);
const autocannon = require('autocannon');
process.env.SWC_NODE_PROJECT ??= join(repo, 'plugin/tsconfig.json');
require('@swc-node/register');
const { createComposedHost } = require(join(repo, 'plugin/src/runtime/fixtures/composed-host/create-fixture.ts'));

const log = (line) => process.stderr.write(`${line}\n`);

function startChild(script, argv) {
  const child = fork(script, argv, { execArgv: ['--expose-gc'], stdio: ['ignore', 'ignore', 'inherit', 'ipc'], env: { ...process.env, NODE_OPTIONS: '' } });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${script} did not start in 20 s`)), 20_000);
    child.on('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
    child.on('message', (message) => {
      if (message?.type !== 'ready') return;
      clearTimeout(timer);
      resolve({ child, port: message.port });
    });
  });
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

function load(port, seconds) {
  return new Promise((resolve, reject) => {
    autocannon({ url: `http://127.0.0.1:${port}/`, connections: CONNECTIONS, duration: seconds }, (error, result) =>
      error ? reject(error) : resolve(result),
    );
  });
}

async function fetchText(port) {
  const res = await fetch(`http://127.0.0.1:${port}/`);
  return res.text();
}

// Both servers answer {type:'heap'} with heapUsed after a full GC (they run with --expose-gc): RSS alone cannot
// tell a leak from V8 growing its young generation under load, which both servers show alike.
const HEAP_PROBE = `process.on('message', (m) => { if (m && m.type === 'heap') { globalThis.gc(); process.send({ type: 'heap', heapUsed: process.memoryUsage().heapUsed }); } });`;

const BASELINE = (head, sync) => `// Single-bundle baseline: the same render code as the fixture's four modules, in one file, on plain node:http.
import { createServer } from 'node:http';
const table = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escape = (value) => String(value).replace(/[&<>"']/g, (c) => table[c]);
const html = (strings, ...values) => strings.reduce((out, s, i) => out + s + (i < values.length ? escape(values[i]) : ''), '');
const label = (n) => 'Cart ' + "v1" + ' (' + n + ' items)';
const version = "v1";
function renderWidget(user) { return '<section id="cart" data-version="' + version + '">' + escape(label(2)) + ' for ' + escape(user) + '</section>'; }
function renderMenu() { return '<nav id="nav"><a href="/">Home</a><a href="/cart">Cart</a></nav>'; }
const title = 'Shell <composed>';
const HEAD = ${JSON.stringify(head)};
const unsafe = { '<': '\\\\u003c', '>': '\\\\u003e', '&': '\\\\u0026', '\\u2028': '\\\\u2028', '\\u2029': '\\\\u2029' };
const serialize = (data) => JSON.stringify(data).replace(/[<>&\\u2028\\u2029]/g, (c) => unsafe[c]);
// The fixture host's render function is async (app code, identical in both servers), so it is here too;
// --sync-baseline makes it a plain function (a stricter baseline: it also saves the app's own promise).
${sync ? '' : 'async '}function render(url) {
  const state = url.searchParams.has('state') ? JSON.parse(url.searchParams.get('state')) : { user: 'alice' };
  return '<!doctype html><html><head><title>' + html\`\${title}\` + '</title>' + HEAD + '</head><body>' + renderMenu() +
    '<main>' + renderWidget('<alice>') + '</main>' + '<script>window["__SHELL_STATE__"]=' + serialize(state) + ';</script>' +
    '<script type="module">import "shell/entry.client";</script></body></html>';
}
const server = createServer((req, res) => {
  const send = (body) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  };
  ${sync ? 'send(render(new URL(req.url, \'http://localhost\')));' : 'render(new URL(req.url, \'http://localhost\')).then(send);'}
});
server.keepAliveTimeout = 5000;
server.listen(0, '127.0.0.1', () => { process.send({ type: 'ready', port: server.address().port }); process.channel.unref(); });
${HEAP_PROBE}
`;

/**
 * The runtime as production runs it: compiled to CommonJS (as tsc does for the published package), not through
 * swc-node's on-the-fly hooks. @swc/core transpiles the runtime and the layers it imports into `outDir`.
 */
function compileRuntime(outDir) {
  const swc = require('@swc/core');
  const { readdirSync, mkdirSync, copyFileSync } = require('node:fs');
  const walk = (dir) =>
    readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
      const path = join(dir, d.name);
      if (d.isDirectory()) return d.name === 'fixtures' ? [] : walk(path);
      return /\.spec\.ts$/.test(d.name) ? [] : [path];
    });
  const sources = [...walk(join(repo, 'plugin/src/runtime')), ...walk(join(repo, 'plugin/src/import-map')), join(repo, 'plugin/src/constants.ts')];
  for (const file of sources) {
    const target = join(outDir, file.slice(join(repo, 'plugin').length));
    mkdirSync(dirname(target), { recursive: true });
    if (file.endsWith('.mjs')) copyFileSync(file, target);
    else if (file.endsWith('.ts')) {
      const { code } = swc.transformFileSync(file, {
        jsc: { target: 'es2022', parser: { syntax: 'typescript' } },
        module: { type: 'commonjs', ignoreDynamic: true },
      });
      writeFileSync(target.replace(/\.ts$/, '.js'), code);
    }
  }
  const runner = join(outDir, 'run.cjs');
  writeFileSync(
    runner,
    `const { startServer } = require('./src/runtime/index.js');
startServer({ root: process.argv[2], port: 0, log: () => {} }).then((h) => { process.send({ type: 'ready', port: h.port }); process.channel.unref(); });
${HEAP_PROBE}
`,
  );
  return runner;
}

/** Alternating slices, so load from anything else on the machine falls on both servers alike. */
async function loadAlternating(servers, seconds, slices) {
  const results = servers.map(() => []);
  for (let i = 0; i < slices; i++) {
    for (const [k, server] of servers.entries()) {
      results[k].push(
        await new Promise((resolve, reject) =>
          autocannon(
            { url: `http://127.0.0.1:${server.port}/`, connections: CONNECTIONS, duration: seconds / slices, skipAggregateResult: true },
            (error, result) => (error ? reject(error) : resolve(result)),
          ),
        ),
      );
    }
  }
  return results.map((list) => {
    const aggregated = autocannon.aggregateResult(list, { url: 'http://127.0.0.1/', connections: CONNECTIONS });
    // Throughput over the slices' wall time: completed requests / seconds under load.
    const completed = list.reduce((n, r) => n + r.totalCompletedRequests, 0);
    aggregated.requests = { average: completed / seconds, total: completed };
    return aggregated;
  });
}

const mib = (bytes) => Number((bytes / 2 ** 20).toFixed(1));

const summarize = (r) => ({
  requestsPerSecond: Math.round(r.requests.average),
  p50Ms: r.latency.p50,
  p99Ms: r.latency.p99,
  errors: r.errors + r.non2xx,
  requests: r.requests.total,
});

async function main() {
  const workspace = mkdtempSync(join(tmpdir(), 'esmx-bench-ssr-'));
  const children = [];
  let runtimeDir;
  try {
    const host = createComposedHost(workspace);
    // Inside the repo so the compiled runtime resolves its dependencies (es-module-shims) from node_modules.
    runtimeDir = join(repo, 'node_modules/.cache/esmx-bench-ssr', String(process.pid));
    const runner = compileRuntime(runtimeDir);
    const composed = await startChild(runner, [host.root]);
    children.push(composed.child);
    const page = await fetchText(composed.port);
    const head = page.slice(page.indexOf('</title>') + '</title>'.length, page.indexOf('</head>'));
    writeFileSync(join(workspace, 'baseline.mjs'), BASELINE(head, args['sync-baseline'] === 'true'));
    const baseline = await startChild(join(workspace, 'baseline.mjs'), []);
    children.push(baseline.child);
    const baselinePage = await fetchText(baseline.port);
    if (baselinePage !== page) throw new Error('the baseline does not render the same bytes as the composed host');
    log(`[esmx:bench] same ${Buffer.byteLength(page)}-byte page from both servers; ${CONNECTIONS} connections, ${DURATION} s each`);

    // Warm both (JIT, first imports) so neither pays its start-up inside the measured window.
    await load(baseline.port, 1);
    await load(composed.port, 1);
    const [baseRun, composedRun] = await loadAlternating([baseline, composed], DURATION, SLICES);
    log(`[esmx:bench] single bundle: ${Math.round(baseRun.requests.average)} req/s; composed: ${Math.round(composedRun.requests.average)} req/s`);
    const memory = async () => ({
      composedRss: rssOf(composed.child.pid),
      baselineRss: rssOf(baseline.child.pid),
      composedHeap: await heapOf(composed.child),
      baselineHeap: await heapOf(baseline.child),
    });
    // Read before the forced GC of the heap probe, which could shrink RSS.
    const at10 = await memory();
    log(`[esmx:bench] after ${DURATION} s of load: RSS composed ${mib(at10.composedRss)} MiB, single bundle ${mib(at10.baselineRss)} MiB`);
    // The soak goes on alternating, so both servers see the same load for the same time (the control).
    const [baseSoak, soakRun] = await loadAlternating([baseline, composed], SOAK - DURATION, SLICES);
    const at60 = await memory();
    log(`[esmx:bench] after ${SOAK} s of load: RSS composed ${mib(at60.composedRss)} MiB, single bundle ${mib(at60.baselineRss)} MiB`);
    baseline.child.kill('SIGTERM');

    const ratio = composedRun.requests.average / baseRun.requests.average;
    const growth = (a, b) => Number(((b - a) / a).toFixed(3));
    const report = {
      node: process.version,
      connections: CONNECTIONS,
      durationSeconds: DURATION,
      slices: SLICES,
      pageBytes: Buffer.byteLength(page),
      baseline: args['sync-baseline'] === 'true' ? 'sync (stricter)' : 'async, like the fixture host',
      singleBundle: summarize(baseRun),
      composed: summarize(composedRun),
      ratio: Number(ratio.toFixed(3)),
      ratioGoal: GOAL_RATIO,
      soak: { seconds: SOAK - DURATION, composed: summarize(soakRun), singleBundle: summarize(baseSoak) },
      memory: {
        composed: {
          rssAfter10sMiB: mib(at10.composedRss),
          rssAfterSoakMiB: mib(at60.composedRss),
          rssGrowth: growth(at10.composedRss, at60.composedRss),
          heapAfterGcGrowth: growth(at10.composedHeap, at60.composedHeap),
        },
        singleBundle: {
          rssAfter10sMiB: mib(at10.baselineRss),
          rssAfterSoakMiB: mib(at60.baselineRss),
          rssGrowth: growth(at10.baselineRss, at60.baselineRss),
          heapAfterGcGrowth: growth(at10.baselineHeap, at60.baselineHeap),
        },
      },
      rssGrowthGoal: GOAL_RSS_GROWTH,
    };
    report.pass = ratio >= GOAL_RATIO && report.memory.composed.rssGrowth <= GOAL_RSS_GROWTH;
    if (args.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    else {
      const row = (name, r) => `${name.padEnd(14)} ${String(r.requestsPerSecond).padStart(8)} req/s   p50 ${r.p50Ms} ms   p99 ${r.p99Ms} ms   errors ${r.errors}`;
      const mem = (name, m) =>
        `${name.padEnd(14)} RSS ${m.rssAfter10sMiB} MiB after ${DURATION} s, ${m.rssAfterSoakMiB} MiB after ${SOAK} s (${(m.rssGrowth * 100).toFixed(1)} %); ` +
        `heap after GC ${(m.heapAfterGcGrowth * 100).toFixed(1)} %`;
      console.log(`baseline render function: ${report.baseline}`);
      console.log(row('single bundle', report.singleBundle));
      console.log(row('composed', report.composed));
      console.log(`ratio ${report.ratio} (goal >= ${GOAL_RATIO})`);
      console.log(mem('single bundle', report.memory.singleBundle));
      console.log(mem('composed', report.memory.composed));
      console.log(`${report.pass ? 'PASS' : 'FAIL'} (goals: ratio >= ${GOAL_RATIO}, composed RSS growth <= ${GOAL_RSS_GROWTH * 100} %)`);
    }
    process.exitCode = report.pass ? 0 : 1;
  } finally {
    for (const child of children) child.kill('SIGKILL');
    rmSync(workspace, { recursive: true, force: true });
    if (runtimeDir) rmSync(runtimeDir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(`[esmx:bench] ${error.stack ?? error}`);
  process.exit(1);
});
