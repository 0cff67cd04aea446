// What the runtime's request path costs per page, with no socket, kernel or load generator in the way: the compiled
// runtime's `createRequestHandler` over the ssr benchmark's composed host, against the single-bundle baseline's
// handler (ssr-baseline.mjs), both called in this one process on the same fake request and response, in alternating
// rounds. Both render the same bytes (checked first) from the same render code, so the difference is the runtime:
// routing, rc and its params, the pending page and its deadline, the promise reaction, the response headers, the
// in-flight count. ssr.mjs measures whole servers, where this difference is one part of the gap; this isolates it.
//
//   node tools/bench/ssr-request-path.mjs [--requests=200000] [--rounds=7] [--json] [--prebuilt] [--smoke]
//
// Reported, no goal: µs per page of each, their difference (the runtime's cost) between medians and between the fastest
// rounds, and runtime / baseline.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ensurePlugin, loadComposedHostFixture, loadPlugin, log, median, parseBenchArgs, ratioLine } from './lib.mjs';
import { baselineForPage } from './ssr-baseline.mjs';

const args = parseBenchArgs({
  requests: { type: 'string', default: '200000' },
  rounds: { type: 'string', default: '7' },
});
const REQUESTS = args.smoke ? 5_000 : Number(args.requests);
const ROUNDS = args.smoke ? 2 : Number(args.rounds);

/** One page through `handle` on a fake exchange; resolves with the body it ended with. */
function serve(handle) {
  return new Promise((resolve) => {
    const res = {
      headersSent: false,
      destroyed: false,
      setHeader() {},
      writeHead() {
        this.headersSent = true;
      },
      end: resolve,
    };
    handle({ url: '/', method: 'GET', headers: { host: 'localhost' } }, res);
  });
}

/** µs per page over `count` pages served one after another. */
async function timePerPage(handle, count) {
  const started = process.hrtime.bigint();
  for (let i = 0; i < count; i++) await serve(handle);
  return Number(process.hrtime.bigint() - started) / count / 1000;
}

ensurePlugin({ prebuilt: args.prebuilt });
const { createComposedHost } = loadComposedHostFixture();
const workspace = mkdtempSync(join(tmpdir(), 'esmx-bench-request-path-'));
try {
  const host = createComposedHost(workspace);
  const { createRequestHandler } = loadPlugin('/runtime');
  const runtime = await createRequestHandler({ root: host.root, log: () => undefined });
  const page = await serve(runtime);
  writeFileSync(join(workspace, 'baseline.mjs'), baselineForPage(page, false));
  const { handle: baseline } = await import(pathToFileURL(join(workspace, 'baseline.mjs')).href);
  if ((await serve(baseline)) !== page) throw new Error('[esmx:bench] request path: the baseline does not render the same bytes as the runtime');
  log(`[esmx:bench] request path: ${ROUNDS} alternating rounds of ${REQUESTS} pages each${args.smoke ? ' (smoke)' : ''}`);
  const times = { baseline: [], runtime: [] };
  for (let round = 0; round < ROUNDS; round++) {
    // The order flips every round, as ssr.mjs's slices do.
    for (const kind of round % 2 ? ['runtime', 'baseline'] : ['baseline', 'runtime']) {
      times[kind].push(await timePerPage(kind === 'runtime' ? runtime : baseline, REQUESTS));
    }
  }
  const baselineUs = median(times.baseline);
  const runtimeUs = median(times.runtime);
  const ratio = ratioLine('runtime / baseline (µs per page, in one process)', runtimeUs, baselineUs);
  const report = {
    smoke: args.smoke,
    requests: REQUESTS,
    rounds: ROUNDS,
    baselineUsPerPage: Number(baselineUs.toFixed(3)),
    runtimeUsPerPage: Number(runtimeUs.toFixed(3)),
    runtimeCostUs: Number((runtimeUs - baselineUs).toFixed(3)),
    // Fastest rounds: steadier than medians for an A/B of a small change (a round slowed by GC or a neighbour drops out).
    runtimeCostOfFastestUs: Number((Math.min(...times.runtime) - Math.min(...times.baseline)).toFixed(3)),
    ratio: ratio.ratio,
  };
  if (args.json) process.stdout.write(`${JSON.stringify(report)}\n`);
  else {
    console.log(`  baseline  ${report.baselineUsPerPage} µs per page   [${times.baseline.map((t) => t.toFixed(3)).join(', ')}]`);
    console.log(`  runtime   ${report.runtimeUsPerPage} µs per page   [${times.runtime.map((t) => t.toFixed(3)).join(', ')}]`);
    console.log(`  the runtime's request path: ${report.runtimeCostUs} µs per page (medians), ${report.runtimeCostOfFastestUs} (fastest rounds)`);
    console.log(`  ${ratio.text}`);
  }
} finally {
  rmSync(workspace, { recursive: true, force: true });
}
