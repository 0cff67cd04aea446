// SSR throughput of the production runtime: the fixture host composed of two remotes and a provider (import-map
// linked, four modules' server code loaded through the resolve hook) vs a single-bundle server that renders the
// same bytes with plain node:http, measured in the same run with the same load. Then a leak check: RSS of the
// composed server after 10 s of load vs after 60 s of load.
//
//   node tools/bench/ssr.mjs [--duration=10] [--soak=60] [--connections=50] [--slices=5] [--json]
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

function startChild(script, argv, execArgv = []) {
  const child = fork(script, argv, { execArgv, stdio: ['ignore', 'ignore', 'inherit', 'ipc'], env: { ...process.env, NODE_OPTIONS: '' } });
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

const BASELINE = (head) => `// Single-bundle baseline: the same render code as the fixture's four modules, in one file, on plain node:http.
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
const server = createServer((req, res) => {
  const url = new URL(req.url, 'http://localhost');
  const state = url.searchParams.has('state') ? JSON.parse(url.searchParams.get('state')) : { user: 'alice' };
  const body = '<!doctype html><html><head><title>' + html\`\${title}\` + '</title>' + HEAD + '</head><body>' + renderMenu() +
    '<main>' + renderWidget('<alice>') + '</main>' + '<script>window["__SHELL_STATE__"]=' + serialize(state) + ';</script>' +
    '<script type="module">import "shell/entry.client";</script></body></html>';
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
});
server.keepAliveTimeout = 5000;
server.listen(0, '127.0.0.1', () => process.send({ type: 'ready', port: server.address().port }));
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
    writeFileSync(join(workspace, 'baseline.mjs'), BASELINE(head));
    const baseline = await startChild(join(workspace, 'baseline.mjs'), []);
    children.push(baseline.child);
    const baselinePage = await fetchText(baseline.port);
    if (baselinePage !== page) throw new Error('the baseline does not render the same bytes as the composed host');
    log(`[esmx:bench] same ${Buffer.byteLength(page)}-byte page from both servers; ${CONNECTIONS} connections, ${DURATION} s each`);

    // Warm both (JIT, first imports) so neither pays its start-up inside the measured window.
    await load(baseline.port, 1);
    await load(composed.port, 1);
    const [baseRun, composedRun] = await loadAlternating([baseline, composed], DURATION, SLICES);
    baseline.child.kill('SIGTERM');
    log(`[esmx:bench] single bundle: ${Math.round(baseRun.requests.average)} req/s`);
    const rss10 = rssOf(composed.child.pid);
    log(`[esmx:bench] composed: ${Math.round(composedRun.requests.average)} req/s; RSS after ${DURATION} s of load ${(rss10 / 2 ** 20).toFixed(1)} MiB`);
    const soakRun = await load(composed.port, SOAK - DURATION);
    const rss60 = rssOf(composed.child.pid);
    log(`[esmx:bench] RSS after ${SOAK} s of load ${(rss60 / 2 ** 20).toFixed(1)} MiB`);

    const ratio = composedRun.requests.average / baseRun.requests.average;
    const growth = (rss60 - rss10) / rss10;
    const report = {
      node: process.version,
      connections: CONNECTIONS,
      durationSeconds: DURATION,
      pageBytes: Buffer.byteLength(page),
      singleBundle: summarize(baseRun),
      composed: summarize(composedRun),
      ratio: Number(ratio.toFixed(3)),
      ratioGoal: GOAL_RATIO,
      soak: { ...summarize(soakRun), seconds: SOAK - DURATION },
      rssAfter10sMiB: Number((rss10 / 2 ** 20).toFixed(1)),
      rssAfterSoakMiB: Number((rss60 / 2 ** 20).toFixed(1)),
      rssGrowth: Number(growth.toFixed(3)),
      rssGrowthGoal: GOAL_RSS_GROWTH,
      pass: ratio >= GOAL_RATIO && growth <= GOAL_RSS_GROWTH,
    };
    if (args.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    else {
      const row = (name, r) => `${name.padEnd(14)} ${String(r.requestsPerSecond).padStart(8)} req/s   p50 ${r.p50Ms} ms   p99 ${r.p99Ms} ms   errors ${r.errors}`;
      console.log(row('single bundle', report.singleBundle));
      console.log(row('composed', report.composed));
      console.log(`ratio ${report.ratio} (goal >= ${GOAL_RATIO})`);
      console.log(`RSS ${report.rssAfter10sMiB} MiB after ${DURATION} s, ${report.rssAfterSoakMiB} MiB after ${SOAK} s: ${(growth * 100).toFixed(1)} % (goal <= ${GOAL_RSS_GROWTH * 100} %)`);
      console.log(report.pass ? 'PASS' : 'FAIL');
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
