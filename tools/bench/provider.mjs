// Build cost of a provider of many real npm packages. One provider module that provides every specifier of
// PROVIDED (the compatibility suite's packages), installed in `--deps` (a folder whose node_modules holds them), is
// built by this checkout's compiled plugin and by `--baseline` (another compiled plugin/dist, e.g. an older commit's),
// alternating, each build in a fresh child process (resolveModule + buildModule, production). The first build of
// each kind warms its export-names cache and is not counted (as on every build after the first); `cold` is reported
// apart. Also reports the provider's client output: files and gzip bytes.
//
//   node tools/bench/provider.mjs --deps=<dir> [--baseline=<plugin dist>] [--reps=3] [--json] [--prebuilt]
//
// No goal is asserted: the ratio says what one runtime per build, explicit export names and the manifests' names cost.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { elapsedMs, ensurePlugin, log, median, parseBenchArgs, ratioLine, replyAsChild, round, runChild } from './lib.mjs';

export const PROVIDED = [
  'react', 'react/jsx-runtime', 'react-dom', 'react-dom/client', 'react-dom/server',
  'react-router', 'react-router-dom', 'react-router/dom', '@reduxjs/toolkit', 'redux', 'react-redux',
  'rxjs', 'rxjs/operators', 'jotai', 'jotai/utils', 'vue', 'vue/server-renderer', 'lodash', 'lodash/debounce',
  'dayjs', 'date-fns', 'zod', 'axios', '@tanstack/react-query', 'zustand', 'immer', '@emotion/react',
  'styled-components', 'framer-motion', 'i18next', 'preact', 'preact/hooks', 'tslib', 'clsx', 'nanoid',
];

const args = parseBenchArgs({
  deps: { type: 'string' },
  baseline: { type: 'string' },
  root: { type: 'string' },
  reps: { type: 'string', default: '3' },
});

async function buildOnce(plugin, root) {
  const { buildModule, resolveModule } = createRequire(join(plugin, 'package.json'))('@esmx/nx');
  const started = process.hrtime.bigint();
  const resolution = resolveModule(root, { checkFiles: true });
  const result = await buildModule({ root, mode: 'production', resolution, log: () => undefined });
  if (!result.ok) throw new Error(result.errors.join('\n'));
  const ms = elapsedMs(started);
  const manifest = JSON.parse(readFileSync(join(root, 'dist/client/manifest.json'), 'utf8'));
  const scripts = manifest.files.filter((f) => f.endsWith('.mjs'));
  const gzip = scripts.reduce((sum, f) => sum + gzipSync(readFileSync(join(root, 'dist/client', f))).length, 0);
  return { ms, files: scripts.length, gzipKB: round(gzip / 1024) };
}

/** A provider module in a fresh folder beside `deps` (so Node finds the packages in its node_modules). */
function createProvider(deps) {
  const root = mkdtempSync(join(deps, 'bench-provider-'));
  const installed = JSON.parse(readFileSync(join(deps, 'package.json'), 'utf8')).dependencies ?? {};
  const wanted = PROVIDED.filter((s) => installed[s.startsWith('@') ? s.split('/').slice(0, 2).join('/') : s.split('/')[0]]);
  writeFileSync(
    join(root, 'package.json'),
    JSON.stringify({ name: 'bench-provider', version: '1.0.0', dependencies: installed, esmx: { provides: wanted } }, null, 2),
  );
  return { root, count: wanted.length };
}

async function main() {
  if (args.child) return replyAsChild(() => buildOnce(args.child, args.root));
  if (!args.deps) throw new Error('[esmx:bench] --deps=<dir> is required: a folder whose node_modules holds the provided packages');
  const current = ensurePlugin({ prebuilt: args.prebuilt });
  const kinds = { current, ...(args.baseline ? { baseline: resolve(args.baseline) } : {}) };
  const script = fileURLToPath(import.meta.url);
  const deps = resolve(args.deps);
  const providers = Object.fromEntries(Object.keys(kinds).map((kind) => [kind, createProvider(deps)]));
  const times = Object.fromEntries(Object.keys(kinds).map((k) => [k, []]));
  const cold = {};
  const output = {};
  try {
    const reps = Number(args.reps);
    for (let rep = -1; rep < reps; rep++) {
      const order = Object.keys(kinds);
      if (rep % 2) order.reverse();
      for (const kind of order) {
        const r = await runChild(script, [`--child=${kinds[kind]}`, `--root=${providers[kind].root}`]);
        if (rep === -1) cold[kind] = round(r.ms);
        else times[kind].push(r.ms);
        output[kind] = { files: r.files, gzipKB: r.gzipKB };
      }
    }
  } finally {
    for (const { root } of Object.values(providers)) rmSync(root, { recursive: true, force: true });
  }
  const result = { specifiers: providers.current.count, median: {}, cold, output };
  for (const kind of Object.keys(kinds)) result.median[kind] = round(median(times[kind]));
  log(`provider of ${result.specifiers} specifiers: median build ${JSON.stringify(result.median)} ms, cold ${JSON.stringify(cold)} ms`);
  log(`client output: ${JSON.stringify(output)}`);
  if (args.baseline) log(ratioLine('current / baseline (median build)', result.median.current, result.median.baseline).text);
  if (args.json) process.stdout.write(`${JSON.stringify(result)}\n`);
}

await main();
