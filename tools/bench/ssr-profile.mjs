// Where a page's time goes in the two servers of tools/bench/ssr.mjs (the composed host through the compiled
// runtime, and the single-bundle baseline): each runs in its own process with --cpu-prof under autocannon load (one
// after the other: compare kinds of work, not throughput, between the two); the
// samples of the steady state (from one second after the first socket write to the last) are summed by function
// and by kind, per request. A diagnosis tool beside the benchmark, not a benchmark: it asserts nothing.
//
//   node tools/bench/ssr-profile.mjs [--duration=6] [--connections=50] [--top=25] [--prebuilt] [--json]
//
// Sampling time is wall time: `writev` holds the kernel's send (and the wait for the CPU, on a busy machine).
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensurePlugin, forkServer, loadComposedHostFixture, log, parseBenchArgs, startWatchdog } from './lib.mjs';
import { baselineForPage } from './ssr-baseline.mjs';

const args = parseBenchArgs({
  duration: { type: 'string', default: '6' },
  connections: { type: 'string', default: '50' },
  top: { type: 'string', default: '25' },
});
const DURATION = args.smoke ? 2 : Number(args.duration);
const WARM_UP_US = 1_000_000;
const require = createRequire(import.meta.url);

/** The kind of a sampled frame: what part of the request path its time belongs to. */
function kindOf({ functionName, url }) {
  if (functionName === '(idle)') return 'idle';
  if (functionName === '(garbage collector)') return 'gc';
  if (functionName === 'writev' || functionName === 'writevGeneric') return 'socket write';
  if (/async_hooks/.test(url) || /^(executionAsyncResource|promise(Init|Before|After)Hook)$/.test(functionName)) return 'async hooks';
  if (/\/runtime\//.test(url)) return 'runtime';
  if (/\/dist\/server\/|baseline\.mjs/.test(url)) return 'app modules';
  if (url === '') return 'V8 and native';
  return 'Node internals';
}

/** Self time per function and per kind in µs per request, over the steady-state window of one profile. */
function summarize(profile, requestsPerSecond) {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const isWrite = (id) => nodes.get(id).callFrame.functionName === 'writev';
  let t = profile.startTime;
  const stamps = profile.timeDeltas.map((delta) => (t += delta));
  const firstWrite = stamps.find((_, i) => isWrite(profile.samples[i]));
  const lastWrite = stamps.findLast((_, i) => isWrite(profile.samples[i]));
  const from = firstWrite + WARM_UP_US;
  const byFunction = new Map();
  const byKind = new Map();
  profile.samples.forEach((id, i) => {
    if (stamps[i] < from || stamps[i] > lastWrite) return;
    const frame = nodes.get(id).callFrame;
    const name = `${frame.functionName || '(anonymous)'} ${frame.url.replace(/^.*\//, '')}:${frame.lineNumber + 1}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + profile.timeDeltas[i]);
    byKind.set(kindOf(frame), (byKind.get(kindOf(frame)) ?? 0) + profile.timeDeltas[i]);
  });
  const requests = (requestsPerSecond * (lastWrite - from)) / 1e6;
  const perRequest = (map) => Object.fromEntries([...map].sort((a, b) => b[1] - a[1]).map(([k, us]) => [k, Number((us / requests).toFixed(3))]));
  return { windowSeconds: Number(((lastWrite - from) / 1e6).toFixed(2)), byKind: perRequest(byKind), byFunction: perRequest(byFunction) };
}

async function profileServer(name, script, scriptArgs, workspace) {
  const dir = join(workspace, `profile-${name}`);
  // SIGUSR2 ends either server through process.exit, which is when --cpu-prof writes its file.
  const exitHook = join(workspace, 'exit-on-sigusr2.cjs');
  writeFileSync(exitHook, "process.on('SIGUSR2', () => process.exit(0));\n");
  const execArgv = ['--cpu-prof', `--cpu-prof-dir=${dir}`, '--cpu-prof-interval=50', `--require=${exitHook}`];
  const server = await forkServer(script, scriptArgs, { execArgv });
  try {
    const run = (seconds) =>
      new Promise((resolve, reject) =>
        require('autocannon')({ url: `http://127.0.0.1:${server.port}/`, connections: Number(args.connections), duration: seconds }, (error, result) =>
          error ? reject(error) : resolve(result),
        ),
      );
    const result = await run(DURATION + WARM_UP_US / 1e6);
    const exited = new Promise((resolve) => server.child.once('exit', resolve));
    server.child.kill('SIGUSR2');
    await exited;
    const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
    const summary = summarize(JSON.parse(readFileSync(join(dir, file), 'utf8')), result.requests.average);
    return { requestsPerSecond: Math.round(result.requests.average), p50Ms: result.latency.p50, p99Ms: result.latency.p99, ...summary };
  } finally {
    server.child.kill('SIGKILL');
  }
}

async function main() {
  ensurePlugin({ prebuilt: args.prebuilt });
  const { createComposedHost } = loadComposedHostFixture();
  const workspace = mkdtempSync(join(tmpdir(), 'esmx-bench-ssr-profile-'));
  startWatchdog('ssr-profile', 2 * DURATION + 90);
  try {
    const host = createComposedHost(workspace);
    const ssr = join(fileURLToPath(new URL('.', import.meta.url)), 'ssr.mjs');
    // The baseline is written from the composed page's head, exactly as ssr.mjs does.
    const probe = await forkServer(ssr, ['--child=composed', `--root=${host.root}`]);
    const page = await (await fetch(`http://127.0.0.1:${probe.port}/`)).text();
    probe.child.kill('SIGKILL');
    writeFileSync(join(workspace, 'baseline.mjs'), baselineForPage(page, false));
    const composed = await profileServer('composed', ssr, ['--child=composed', `--root=${host.root}`], workspace);
    const baseline = await profileServer('baseline', join(workspace, 'baseline.mjs'), [], workspace);
    const report = { node: process.version, durationSeconds: DURATION, composed, singleBundle: baseline };
    if (args.json) {
      process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      return;
    }
    const kinds = [...new Set([...Object.keys(composed.byKind), ...Object.keys(baseline.byKind)])];
    console.log(`  self time per request (µs), steady state   composed ${composed.requestsPerSecond} req/s   single bundle ${baseline.requestsPerSecond} req/s`);
    for (const kind of kinds) {
      const [c, b] = [composed.byKind[kind] ?? 0, baseline.byKind[kind] ?? 0];
      console.log(`  ${kind.padEnd(18)} ${c.toFixed(3).padStart(8)} ${b.toFixed(3).padStart(8)}   ${(c - b >= 0 ? '+' : '') + (c - b).toFixed(3)}`);
    }
    const top = Number(args.top);
    console.log(`\n  composed: top ${top} functions by self time per request (µs)`);
    for (const [name, us] of Object.entries(composed.byFunction).slice(0, top)) console.log(`  ${us.toFixed(3).padStart(8)}  ${name}`);
  } finally {
    rmSync(workspace, { recursive: true, force: true });
  }
}

await main().catch((error) => {
  console.error(`[esmx:bench] ${error.stack ?? error}`);
  process.exit(1);
});
