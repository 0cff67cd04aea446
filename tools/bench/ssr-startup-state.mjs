// What a server's start-up work costs each of its later pages: the single-bundle baseline of ssr.mjs, started after
// doing nothing else (`clean`), after compressing a file with zlib's callback API on its main thread (`zlib-streams`,
// what the runtime did for the shim and each static file before compress.ts), after the same compression through the
// runtime's compression workers (`compress-workers`, what it does now), and the composed host on the runtime as it
// ships (`composed`). The render code is the same in every kind; only what ran before the first page differs. One more
// kind shows the same effect from Node itself: the baseline after sending one 9 MB response on a plain node:http server
// of its own (`large-response`), more than the socket takes at once, so that the write completes later, as any large
// file or slow client makes it do in production.
//
// Why: a stream of another class run on the main thread (zlib's callback API runs one) leaves Node's stream functions,
// which every HTTP request runs through, megamorphic for the life of the process. One server process per kind reads
// ±10 % on a 2-core machine (a process's JIT and cache state vary), so each kind runs in several processes, loaded in
// turn, and the medians are compared. No server gets any request before its measured load.
//
//   node tools/bench/ssr-startup-state.mjs [--processes=3] [--rounds=3] [--seconds=2] [--connections=50] [--json]
//                                          [--prebuilt] [--smoke]
//
// Reported, no goal: median requests per second and main-thread CPU per page of each kind, and each kind / clean.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { brotliCompress, constants as zlibConstants, gzip } from 'node:zlib';
import {
  ensurePlugin,
  forkServer,
  loadComposedHostFixture,
  loadPlugin,
  log,
  mainThreadCpuMs,
  median,
  parseBenchArgs,
  pluginDist,
  ratioLine,
  round,
  startWatchdog,
} from './lib.mjs';
import { baselineForPage } from './ssr-baseline.mjs';

const args = parseBenchArgs({
  processes: { type: 'string', default: '3' },
  rounds: { type: 'string', default: '3' },
  seconds: { type: 'string', default: '2' },
  connections: { type: 'string', default: '50' },
  baseline: { type: 'string' },
  root: { type: 'string' },
});
const PROCESSES = args.smoke ? 1 : Number(args.processes);
const ROUNDS = args.smoke ? 1 : Number(args.rounds);
const SECONDS = args.smoke ? 1 : Number(args.seconds);
const KINDS = ['clean', 'zlib-streams', 'compress-workers', 'composed', 'large-response'];
const require = createRequire(import.meta.url);
const self = fileURLToPath(import.meta.url);

/** The file compressed at start-up: es-module-shims, which the runtime compressed at every start before compress.ts. */
const sample = () => readFileSync(require.resolve('es-module-shims'));

/**
 * One 9 MB response from a node:http server of this process, fetched by a child process (a client here would run
 * streams of its own on this thread), then the server is closed.
 */
async function sendOneLargeResponse() {
  const body = Buffer.alloc(9 * 1024 * 1024, 'esmx');
  const server = createServer((req, res) => {
    res.writeHead(200, { 'content-length': body.length });
    res.end(body);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${server.address().port}/`;
  const client = `fetch(${JSON.stringify(url)}).then((r) => r.arrayBuffer()).then((b) => process.exit(b.byteLength === ${body.length} ? 0 : 1))`;
  const code = await new Promise((resolve) => spawn(process.execPath, ['-e', client], { stdio: 'ignore' }).on('exit', resolve));
  await new Promise((resolve) => server.close(resolve));
  if (code !== 0) throw new Error(`[esmx:bench] ssr-startup-state: the 9 MB response was not received whole (client exit ${code})`);
}

/** A server of one kind: its start-up work, then the baseline (which starts listening and reports ready itself). */
async function runChild(kind) {
  if (kind === 'composed') {
    const { startServer } = loadPlugin('/runtime');
    const handle = await startServer({ root: args.root, port: 0, host: '127.0.0.1', log: () => undefined });
    process.send({ type: 'ready', port: handle.port });
    process.channel.unref();
    return;
  }
  if (kind === 'large-response') await sendOneLargeResponse();
  if (kind === 'zlib-streams') {
    const data = sample();
    const params = { [zlibConstants.BROTLI_PARAM_QUALITY]: 11, [zlibConstants.BROTLI_PARAM_SIZE_HINT]: data.length };
    await Promise.all([promisify(gzip)(data, { level: 9 }), promisify(brotliCompress)(data, { params })]);
  }
  if (kind === 'compress-workers') {
    // Internal to the runtime (no public entry point): the compiled file as it ships.
    await require(join(pluginDist, 'src/runtime/compress.js')).compressBodies(sample());
  }
  await import(pathToFileURL(args.baseline).href);
}

function load(port, seconds) {
  return new Promise((resolve, reject) =>
    require('autocannon')({ url: `http://127.0.0.1:${port}/`, connections: Number(args.connections), duration: seconds }, (error, result) =>
      error ? reject(error) : resolve(result.requests.total),
    ),
  );
}

async function main() {
  ensurePlugin({ prebuilt: args.prebuilt });
  const { createComposedHost } = loadComposedHostFixture();
  const workspace = mkdtempSync(join(tmpdir(), 'esmx-bench-startup-state-'));
  const servers = [];
  startWatchdog('ssr-startup-state', KINDS.length * PROCESSES * (ROUNDS + 1) * (SECONDS + 1) + 90, () => servers.map((s) => s.child));
  try {
    const host = createComposedHost(workspace);
    // The baseline renders the composed page's bytes: its head is read from a probe process, which is then stopped,
    // so that no measured server answers anything before its load.
    const probe = await forkServer(self, ['--child=composed', `--root=${host.root}`]);
    const page = await (await fetch(`http://127.0.0.1:${probe.port}/`)).text();
    probe.child.kill('SIGKILL');
    const baseline = join(workspace, 'baseline.mjs');
    writeFileSync(baseline, baselineForPage(page, false));
    for (let p = 0; p < PROCESSES; p++) {
      for (const kind of KINDS) {
        const server = await forkServer(self, [`--child=${kind}`, `--root=${host.root}`, `--baseline=${baseline}`]);
        servers.push({ kind, ...server, perSecond: [], cpuUs: [] });
      }
    }
    log(`[esmx:bench] ssr-startup-state: ${PROCESSES} process(es) per kind, ${ROUNDS} round(s) of ${SECONDS} s each, in turn`);
    // Warm-up: every process optimizes its request path before it is measured.
    for (const server of servers) await load(server.port, SECONDS);
    for (let r = 0; r < ROUNDS; r++) {
      for (const server of servers) {
        const cpu = mainThreadCpuMs(server.child.pid);
        const requests = await load(server.port, SECONDS);
        server.perSecond.push(requests / SECONDS);
        server.cpuUs.push(((mainThreadCpuMs(server.child.pid) - cpu) * 1000) / requests);
      }
    }
    const pages = await Promise.all(servers.map(async ({ port }) => (await fetch(`http://127.0.0.1:${port}/`)).text()));
    if (pages.some((p) => p !== page)) throw new Error('[esmx:bench] ssr-startup-state: the servers did not all render the same bytes');
    const kinds = Object.fromEntries(
      KINDS.map((kind) => {
        const mine = servers.filter((s) => s.kind === kind);
        return [kind, { requestsPerSecond: Math.round(median(mine.flatMap((s) => s.perSecond))), cpuUsPerPage: round(median(mine.flatMap((s) => s.cpuUs)), 2) }];
      }),
    );
    const ratios = Object.fromEntries(
      KINDS.slice(1).map((kind) => [kind, ratioLine(`${kind} / clean (req/s)`, kinds[kind].requestsPerSecond, kinds.clean.requestsPerSecond)]),
    );
    if (args.json) process.stdout.write(`${JSON.stringify({ processes: PROCESSES, rounds: ROUNDS, seconds: SECONDS, kinds, ratios }, null, 2)}\n`);
    else {
      for (const kind of KINDS) {
        console.log(`  ${kind.padEnd(17)} ${String(kinds[kind].requestsPerSecond).padStart(7)} req/s   ${kinds[kind].cpuUsPerPage} µs main-thread CPU per page`);
      }
      for (const { text } of Object.values(ratios)) console.log(`  ${text}`);
    }
  } finally {
    for (const { child } of servers) child.kill('SIGKILL');
    rmSync(workspace, { recursive: true, force: true });
  }
}

if (args.child) await runChild(args.child);
else
  await main().catch((error) => {
    console.error(`[esmx:bench] ${error.stack ?? error}`);
    process.exit(1);
  });
