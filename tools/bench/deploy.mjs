// Deploying a host, measured against baselines run in the same process tree:
//
//   middleware: the runtime's `createRequestHandler` mounted in an Express 5 app (after a JSON route and a small
//     middleware, as a team would), against the built-in server (`startServer`, the same handler on plain node:http),
//     serving the same page of the runtime's composed fixture host (host, two remotes, a provider). Both in fresh
//     processes on 127.0.0.1, loaded by autocannon in alternating slices. Goal: express / built-in ≥ 0.9.
//   start-up: `node index.mjs` of a standalone folder to its first 200, against the same measure of a bare node:http
//     server that answers "ok" (Node's own start-up, the floor). Median of alternating runs; absolute ms reported
//     next to the ratio. Goal: the standalone's median under 300 ms.
//   size: the standalone folder in MB; with --npm-baseline, next to `npm install --omit=dev` of a host package that
//     depends on the packed @esmx/nx and React (what a server installs without the standalone output).
//
//   node tools/bench/deploy.mjs [--duration=10] [--connections=50] [--slices=5] [--runs=10] [--host-root=<built host>]
//                               [--standalone=<dir of a standalone output>] [--npm-baseline] [--json] [--prebuilt] [--smoke]
//
// Also reported, without a goal: the floor of the throughput ratio, Express vs node:http sending the same bytes from
// memory (Express's own per-request cost, which no mount can remove). --host-root serves a real built host (e.g. the
// generated React trio's apps/shell) instead of the fixture. --standalone measures the start-up and size of a real output (e.g. a generated React trio's apps/shell/dist/standalone)
// instead of the fixture's. Express is installed with npm into a temporary folder (it is not a dependency of the repo).
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensurePlugin, finish, forkServer, loadComposedHostFixture, log, median, parseBenchArgs, pluginDist, ratioLine, repo, round, startWatchdog } from './lib.mjs';

const args = parseBenchArgs({
  duration: { type: 'string', default: '10' },
  connections: { type: 'string', default: '50' },
  slices: { type: 'string', default: '5' },
  runs: { type: 'string', default: '10' },
  standalone: { type: 'string' },
  'host-root': { type: 'string' },
  'npm-baseline': { type: 'boolean', default: false },
  root: { type: 'string' },
  express: { type: 'string' },
});
const DURATION = args.smoke ? 2 : Number(args.duration);
const CONNECTIONS = args.smoke ? 10 : Number(args.connections);
const SLICES = args.smoke ? 2 : Number(args.slices);
const RUNS = args.smoke ? 3 : Number(args.runs);
const EXPRESS_VERSION = '5.2.0';
const GOAL_RATIO = 0.9;
const GOAL_STARTUP_MS = 300;

const require = createRequire(import.meta.url);
const autocannon = () => require('autocannon');
const requireFromDist = createRequire(join(pluginDist, 'package.json'));

function sizeOf(path) {
  const stat = statSync(path);
  return stat.isDirectory() ? readdirSync(path).reduce((sum, name) => sum + sizeOf(join(path, name)), 0) : stat.size;
}
const mb = (bytes) => round(bytes / 1024 / 1024, 2);

/** Child: the built-in server, or the handler in Express next to a JSON route. */
async function runChild(kind, root, expressDir) {
  const runtime = requireFromDist('@esmx/nx/runtime');
  if (kind === 'floor-node' || kind === 'floor-express') {
    // The floor of each server: the page's bytes from memory, no rendering (what no mount can beat).
    const page = Buffer.from(await fetch(process.env.ESMX_BENCH_PAGE_URL).then((r) => r.text()));
    const send = (req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': page.length });
      res.end(page);
    };
    let server;
    if (kind === 'floor-node') server = (await import('node:http')).createServer(send);
    else {
      const app = createRequire(join(expressDir, 'package.json'))('express')();
      app.get('/api/ping', (req, res) => res.json({ pong: true }));
      app.use((req, res, next) => {
        req.user = req.headers['x-user'] ?? 'anonymous';
        next();
      });
      app.use(send);
      server = (await import('node:http')).createServer(app);
    }
    server.keepAliveTimeout = 5_000;
    server.listen(0, '127.0.0.1', () => process.send({ type: 'ready', port: server.address().port }));
  } else if (kind === 'builtin') {
    const handle = await runtime.startServer({ root, port: 0, host: '127.0.0.1', log: () => undefined });
    process.send({ type: 'ready', port: handle.port });
  } else {
    const express = createRequire(join(expressDir, 'package.json'))('express');
    const app = express();
    app.get('/api/ping', (req, res) => res.json({ pong: true }));
    app.use((req, res, next) => {
      req.user = req.headers['x-user'] ?? 'anonymous';
      next();
    });
    app.use(await runtime.createRequestHandler({ root, log: () => undefined, extendParams: (req) => ({ user: req.user }) }));
    const server = app.listen(0, '127.0.0.1', () => process.send({ type: 'ready', port: server.address().port }));
    server.keepAliveTimeout = 5_000;
  }
  process.channel.unref();
}

function installExpress() {
  if (args.express) return args.express;
  const dir = mkdtempSync(join(tmpdir(), 'esmx-bench-express-'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ private: true }));
  execFileSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', `express@${EXPRESS_VERSION}`], { cwd: dir, stdio: 'ignore' });
  return dir;
}

async function loadAlternating(ports, seconds, slices) {
  const results = ports.map(() => []);
  for (let i = 0; i < slices; i++) {
    for (const [k, port] of ports.entries()) {
      results[k].push(
        await new Promise((resolve, reject) =>
          autocannon()({ url: `http://127.0.0.1:${port}/`, connections: CONNECTIONS, duration: seconds / slices }, (e, r) => (e ? reject(e) : resolve(r))),
        ),
      );
    }
  }
  return results.map((list) => ({
    requestsPerSecond: list.reduce((n, r) => n + r.requests.total, 0) / seconds,
    errors: list.reduce((n, r) => n + r.errors + r.non2xx, 0),
  }));
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** Milliseconds from spawning `node <file>` in `cwd` (env: PATH and PORT only) to its first 200 on `/`. */
async function timeToFirst200(cwd, file) {
  const port = await freePort();
  const started = process.hrtime.bigint();
  const child = spawn(process.execPath, [file], { cwd, env: { PATH: process.env.PATH, PORT: String(port) }, stdio: 'ignore' });
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`[esmx:bench] node ${file} in ${cwd} exited ${child.exitCode}`);
      const status = await fetch(`http://127.0.0.1:${port}/`).then((r) => r.arrayBuffer().then(() => r.status), () => 0);
      if (status === 200) return Number(process.hrtime.bigint() - started) / 1e6;
      if (Number(process.hrtime.bigint() - started) > 30e9) throw new Error(`[esmx:bench] node ${file} gave no 200 within 30 s`);
      await new Promise((r) => setTimeout(r, 2));
    }
  } finally {
    child.kill('SIGKILL');
  }
}

function npmBaseline(workdir) {
  const tarball = join(repo, 'dist/esmx-nx.tgz');
  if (!existsSync(tarball)) execFileSync(process.execPath, [join(repo, 'tools/pack-plugin.mjs')], { stdio: 'ignore' });
  const dir = join(workdir, 'npm-host');
  mkdirSync(dir);
  // The versions a generated React host pins.
  const { reactVersion, reactDomVersion } = requireFromDist('./src/versions.js');
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name: 'shell', private: true, type: 'module', dependencies: { '@esmx/nx': `file:${tarball}`, react: reactVersion, 'react-dom': reactDomVersion } }),
  );
  execFileSync('npm', ['install', '--omit=dev', '--prefer-offline', '--no-audit', '--no-fund'], { cwd: dir, stdio: 'ignore' });
  return sizeOf(join(dir, 'node_modules'));
}

async function main() {
  ensurePlugin({ prebuilt: args.prebuilt });
  const { createComposedHost } = loadComposedHostFixture();
  const { writeStandalone } = requireFromDist('./src/executors/standalone/lib/write-standalone.js');
  const workspace = mkdtempSync(join(tmpdir(), 'esmx-bench-deploy-'));
  const children = [];
  startWatchdog('deploy', DURATION + RUNS * 2 + 300, () => children);
  try {
    const host = args['host-root'] ? { root: args['host-root'] } : createComposedHost(join(workspace, 'ws'));
    const expressDir = installExpress();

    // Throughput: Express + handler vs the built-in server, same page.
    const self = fileURLToPath(import.meta.url);
    const builtin = await forkServer(self, ['--child=builtin', `--root=${host.root}`]);
    children.push(builtin.child);
    const inExpress = await forkServer(self, ['--child=express', `--root=${host.root}`, `--express=${expressDir}`]);
    children.push(inExpress.child);
    const [a, b] = await Promise.all([builtin.port, inExpress.port].map((port) => fetch(`http://127.0.0.1:${port}/`).then((r) => r.text())));
    if (a !== b) throw new Error('[esmx:bench] deploy: Express and the built-in server answer different pages');
    log(`[esmx:bench] deploy: same ${Buffer.byteLength(a)}-byte page from both servers; ${CONNECTIONS} connections, ${DURATION} s each${args.smoke ? ' (smoke)' : ''}`);
    await loadAlternating([builtin.port, inExpress.port], 2, 1);
    const [builtinRun, expressRun] = await loadAlternating([builtin.port, inExpress.port], DURATION, SLICES);
    if (builtinRun.errors + expressRun.errors > 0) throw new Error('[esmx:bench] deploy: failed or non-2xx responses under load');
    const throughput = ratioLine('express + handler / built-in server (req/s)', expressRun.requestsPerSecond, builtinRun.requestsPerSecond, { min: GOAL_RATIO });

    // The same comparison with rendering taken out: Express's own cost per request on this machine.
    process.env.ESMX_BENCH_PAGE_URL = `http://127.0.0.1:${builtin.port}/`;
    const floorNode = await forkServer(self, ['--child=floor-node']);
    children.push(floorNode.child);
    const floorExpress = await forkServer(self, ['--child=floor-express', `--express=${expressDir}`]);
    children.push(floorExpress.child);
    await loadAlternating([floorNode.port, floorExpress.port], 2, 1);
    const [floorNodeRun, floorExpressRun] = await loadAlternating([floorNode.port, floorExpress.port], DURATION, SLICES);
    const floor = ratioLine('express / node:http, same bytes without rendering (req/s)', floorExpressRun.requestsPerSecond, floorNodeRun.requestsPerSecond);
    for (const child of children.splice(0)) child.kill('SIGKILL');

    // Start-up and size of a standalone folder, copied outside any workspace.
    const source = args.standalone ?? (await writeStandalone(host.root, join(workspace, 'standalone'))).dir;
    const copy = join(workspace, 'copy');
    cpSync(source, copy, { recursive: true });
    const bare = join(workspace, 'bare');
    mkdirSync(bare);
    writeFileSync(join(bare, 'index.mjs'), "import { createServer } from 'node:http';\ncreateServer((req, res) => res.end('ok')).listen(Number(process.env.PORT), '127.0.0.1');\n");
    const standaloneMs = [];
    const bareMs = [];
    for (let i = 0; i < RUNS; i++) {
      bareMs.push(await timeToFirst200(bare, 'index.mjs'));
      standaloneMs.push(await timeToFirst200(copy, 'index.mjs'));
    }
    const startup = ratioLine('standalone / bare node:http (ms to first 200)', median(standaloneMs), median(bareMs));
    const report = {
      node: process.version,
      smoke: args.smoke,
      throughput: {
        builtinRequestsPerSecond: Math.round(builtinRun.requestsPerSecond),
        expressRequestsPerSecond: Math.round(expressRun.requestsPerSecond),
        ratio: throughput.ratio,
        goal: GOAL_RATIO,
        floor: {
          nodeRequestsPerSecond: Math.round(floorNodeRun.requestsPerSecond),
          expressRequestsPerSecond: Math.round(floorExpressRun.requestsPerSecond),
          ratio: floor.ratio,
        },
      },
      startup: {
        of: args.standalone ?? 'the composed fixture host',
        standaloneMedianMs: round(median(standaloneMs)),
        bareNodeMedianMs: round(median(bareMs)),
        ratio: startup.ratio,
        goalMs: GOAL_STARTUP_MS,
      },
      size: { standaloneMB: mb(sizeOf(copy)) },
    };
    if (args['npm-baseline']) report.size.npmInstallOmitDevMB = mb(npmBaseline(workspace));
    report.pass = throughput.met && report.startup.standaloneMedianMs < GOAL_STARTUP_MS;
    if (args.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    else {
      console.log(`  built-in server     ${report.throughput.builtinRequestsPerSecond} req/s`);
      console.log(`  Express + handler   ${report.throughput.expressRequestsPerSecond} req/s`);
      console.log(`  ${throughput.text}`);
      console.log(`  floor: node:http ${report.throughput.floor.nodeRequestsPerSecond} req/s, Express ${report.throughput.floor.expressRequestsPerSecond} req/s; ${floor.text}`);
      console.log(`  start-up to first 200 (median of ${RUNS}): standalone ${report.startup.standaloneMedianMs} ms, bare node:http ${report.startup.bareNodeMedianMs} ms`);
      console.log(`  ${startup.text}`);
      console.log(`  standalone folder ${report.size.standaloneMB} MB${report.size.npmInstallOmitDevMB !== undefined ? `; npm install --omit=dev of a host ${report.size.npmInstallOmitDevMB} MB` : ''}`);
      if (!args.smoke) console.log(`  ${report.pass ? 'PASS' : 'FAIL'} (goals: ratio ≥ ${GOAL_RATIO}, start-up < ${GOAL_STARTUP_MS} ms)`);
    }
    finish({ smoke: args.smoke, goalsMet: report.pass });
    if (!args.express) rmSync(expressDir, { recursive: true, force: true });
  } finally {
    for (const child of children) child.kill('SIGKILL');
    rmSync(workspace, { recursive: true, force: true });
  }
}

if (args.child) {
  await runChild(args.child, args.root, args.express);
} else {
  await main().catch((error) => {
    console.error(`[esmx:bench] ${error.stack ?? error}`);
    process.exit(1);
  });
}
