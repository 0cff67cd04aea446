// `npm run bench:smoke`: compiles the plugin once, then runs every benchmark (and the SSR profiler) in smoke mode
// (seconds each, tiny repetitions, no goal asserted) so that none of them can rot unnoticed. Fails when a benchmark
// itself breaks.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ensurePlugin, log, repo } from './lib.mjs';

// Each with its extra arguments: ssr's A/B mode runs too, against this same build (A/A).
const BENCHMARKS = [['build'], ['graph'], ['ssr'], ['ssr', '--against=plugin/dist'], ['ssr-profile'], ['ssr-request-path'], ['ssr-startup-state'], ['scale'], ['deploy']];
const started = Date.now();
ensurePlugin();
log(`[esmx:bench] smoke: plugin compiled in ${Date.now() - started} ms`);
const failed = [];
for (const [script, ...extra] of BENCHMARKS) {
  const name = [script, ...extra].join(' ');
  const t = Date.now();
  const run = spawnSync(process.execPath, [join(repo, 'tools/bench', `${script}.mjs`), '--smoke', '--prebuilt', ...extra], {
    cwd: repo,
    stdio: 'inherit',
    env: { ...process.env, NODE_OPTIONS: '' },
    timeout: 120_000,
  });
  const ok = run.status === 0;
  if (!ok) failed.push(name);
  log(`[esmx:bench] smoke: ${name} ${ok ? 'ran' : `FAILED (${run.error?.message ?? `exit ${run.status ?? run.signal}`})`} in ${Date.now() - t} ms`);
}
log(`[esmx:bench] smoke: ${BENCHMARKS.length - failed.length}/${BENCHMARKS.length} benchmarks ran in ${Date.now() - started} ms`);
if (failed.length) {
  log(`[esmx:bench] smoke: expected every benchmark to run, ${failed.join(', ')} failed; run it alone (node tools/bench/<name>.mjs --smoke) to see why`);
  process.exit(1);
}
