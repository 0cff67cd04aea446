// Cold build cost of module linking: a host + 2 remotes + 1 react provider built the @esmx/nx way (four
// buildModule calls: client + server MultiCompiler each, provider wrappers, manifests, dist swap) vs a plain Rspack
// build of the same sources as one app (remotes aliased to their source files, react bundled in, same loaders and
// output settings), measured in the same run. Every measurement runs in a fresh child process (cold: no module or
// Rspack state carried over), alternating esmx / plain so that other load on the machine weighs on both alike.
//
//   node tools/bench/build.mjs [--reps=5] [--mode=production] [--json]
//
// Two esmx figures: `esmx-cold` removes the bundler's cache folder (export names of provided packages, wrappers)
// before each run, as on a first build; `esmx` keeps it, as on any later build (the names are read once per
// package version). Two baselines: `plain-modules` (the same four packages and entries built one by one with plain
// Rspack, everything bundled) and `plain-app` (one monolithic app). `resolve` is resolveModule's share of esmx.
//
// Goal: esmx / plain-modules ≤ 1.15 (median of the repetitions).
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
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
const REPS = Number(args.reps ?? 5);
const MODE = args.mode ?? 'production';
const GOAL = 1.15;
const log = (line) => process.stderr.write(`${line}\n`);

/** The link fixture (provider `shared`, remote `cart`, host `shell`) plus a second remote `account`. */
function createWorkspace() {
  const ws = mkdtempSync(join(tmpdir(), 'esmx-bench-build-'));
  cpSync(join(repo, 'plugin/src/bundler/fixtures/link'), ws, { recursive: true });
  symlinkSync(join(repo, 'node_modules'), join(ws, 'node_modules'), 'dir');
  mkdirSync(join(ws, 'account/src'), { recursive: true });
  writeFileSync(
    join(ws, 'account/package.json'),
    JSON.stringify({
      name: 'account',
      version: '1.0.0',
      dependencies: { react: '^19.0.0' },
      esmx: { exports: { './badge': './src/badge.tsx' }, uses: ['shared'] },
    }),
  );
  writeFileSync(
    join(ws, 'account/src/badge.tsx'),
    `import { useMemo, useState } from 'react';
import './badge.css';
export function Badge({ user }: { user: string }) {
  const [n] = useState(3);
  const initials = useMemo(() => user.split(' ').map((p) => p[0]).join(''), [user]);
  return <b className="account-badge">{initials}:{n}</b>;
}
`,
  );
  writeFileSync(join(ws, 'account/src/badge.css'), '.account-badge { font-weight: 700; }\n');
  const shellPkg = join(ws, 'shell/package.json');
  const pkg = JSON.parse(execFileSync('cat', [shellPkg], { encoding: 'utf8' }));
  pkg.esmx.uses = ['shared', 'cart', 'account'];
  writeFileSync(shellPkg, JSON.stringify(pkg));
  writeFileSync(
    join(ws, 'shell/src/app.tsx'),
    `import { Widget } from 'cart/widget';
import { Badge } from 'account/badge';
import { Frame } from './ui';
import type { Props } from './types';
export function App({ label }: Props) {
  return <Frame><Widget label={label} /><Badge user="Ada Lovelace" /></Frame>;
}
`,
  );
  return ws;
}

// The measured child: one cold build of the given kind; prints { ms } on stdout.
const CHILD = `
const [kind, ws, mode, repo] = process.argv.slice(1);
const { join } = require('node:path');
process.env.SWC_NODE_PROJECT = join(repo, 'plugin/tsconfig.json');
require('@swc-node/register');
(async () => {
  const { rspack } = await import('@rspack/core');
  const quiet = () => undefined;
  // The plugin's TypeScript is compiled on require here (the published plugin is JS): load it before timing.
  const { buildModule } = require(join(repo, 'plugin/src/bundler/index.ts'));
  const { resolveModule } = require(join(repo, 'plugin/src/protocol/index.ts'));
  const parts = {};
  if (kind === 'esmx-cold') {
    // Cold cache: no export names or wrappers from an earlier build (removed before the clock starts).
    const { getCacheDir } = require(join(repo, 'plugin/src/bundler/provided-wrappers.ts'));
    const { rmSync } = require('node:fs');
    for (const name of ['shared', 'cart', 'account', 'shell']) rmSync(getCacheDir(join(ws, name)), { recursive: true, force: true });
  }
  const started = process.hrtime.bigint();
  if (kind === 'esmx' || kind === 'esmx-cold') {
    const links = { shared: '../shared', cart: '../cart', account: '../account' };
    for (const name of ['shared', 'cart', 'account', 'shell']) {
      const t = process.hrtime.bigint();
      const root = join(ws, name);
      const resolution = resolveModule(root, { links, checkFiles: true });
      // Reported on its own: the first call in a process compiles the declaration schema (ajv), a fixed cost of the
      // protocol layer that every esmx build pays once.
      parts.resolve = (parts.resolve ?? 0) + Math.round(Number(process.hrtime.bigint() - t) / 1e6);
      const result = await buildModule({ root, mode, resolution, log: quiet });
      if (!result.ok) throw new Error(name + ': ' + result.errors.join('\\n'));
      parts[name] = Math.round(Number(process.hrtime.bigint() - t) / 1e6);
    }
  } else {
    const swc = (tsx) => ({ jsc: { target: 'es2022', parser: { syntax: 'typescript', tsx }, transform: { react: { runtime: 'automatic', development: mode !== 'production' } } } });
    const config = (root, out, target, entry) => ({
      name: target, mode, context: root, devtool: mode === 'production' ? false : 'source-map',
      target: target === 'client' ? ['web', 'es2022'] : ['node', 'es2022'],
      entry,
      output: {
        path: join(ws, 'plain-dist', out, target), module: true, chunkFormat: 'module', chunkLoading: 'import', library: { type: 'module' },
        filename: '[name].[contenthash:8].final.mjs', chunkFilename: 'chunks/[name].[contenthash:8].final.mjs',
        cssFilename: '[name].[contenthash:8].final.css', assetModuleFilename: 'assets/[name].[contenthash:8].final[ext]', clean: true,
      },
      resolve: {
        extensions: ['.tsx', '.ts', '.mjs', '.js', '.json'],
        alias: { 'cart/widget$': join(ws, 'cart/src/widget.tsx'), 'account/badge$': join(ws, 'account/src/badge.tsx') },
        conditionNames: target === 'client' ? ['browser', 'import', 'module', 'default'] : ['node', 'import', 'module', 'default'],
      },
      module: {
        parser: { javascript: { importMeta: false } },
        generator: target === 'client' ? {} : { 'css/auto': { exportsOnly: true } },
        rules: [
          { test: /\\.tsx$/, loader: 'builtin:swc-loader', options: swc(true) },
          { test: /\\.ts$/, loader: 'builtin:swc-loader', options: swc(false) },
          { test: /\\.css$/, type: 'css/auto' },
          { test: /\\.svg$/, type: 'asset/resource', generator: target === 'client' ? {} : { emit: false } },
        ],
      },
      optimization: { minimize: mode === 'production' && target === 'client', runtimeChunk: false, splitChunks: { chunks: 'async' } },
      plugins: [new rspack.DefinePlugin({ __ESMX_SSR__: JSON.stringify(target === 'server') })],
      stats: 'none', infrastructureLogging: { level: 'error' },
    });
    const run = (configs) => new Promise((resolve, reject) => {
      const compiler = rspack(configs);
      compiler.run((error, stats) => {
        if (error || stats.hasErrors()) reject(error ?? new Error(stats.toString('errors-only')));
        else compiler.close(resolve);
      });
    });
    const both = (root, out, entries) => run(['client', 'server'].map((t) => config(root, out, t, entries(t))));
    if (kind === 'plain-app') {
      // One app: the host's two entries with the remotes' code and react bundled in.
      await both(join(ws, 'shell'), 'app', (t) => ({ ['entry.' + t]: './src/entry.' + t + '.tsx' }));
    } else {
      // plain-modules: the same four packages and entries, each module on its own, everything bundled (no linking).
      const provided = ['react', 'react-dom', 'react-dom/client', 'react-dom/server', 'react/jsx-runtime'];
      const plainEntries = {
        shared: () => Object.fromEntries(provided.map((p) => [p, p])),
        cart: () => ({ widget: './src/widget.tsx' }),
        account: () => ({ badge: './src/badge.tsx' }),
        shell: (t) => ({ ['entry.' + t]: './src/entry.' + t + '.tsx', ui: './src/ui.tsx', index: './src/index.ts' }),
      };
      for (const [name, entries] of Object.entries(plainEntries)) {
        const t = process.hrtime.bigint();
        await both(join(ws, name), name, entries);
        parts[name] = Math.round(Number(process.hrtime.bigint() - t) / 1e6);
      }
    }
  }
  process.stdout.write(JSON.stringify({ ms: Number(process.hrtime.bigint() - started) / 1e6, parts }));
})().catch((error) => { console.error(error); process.exit(1); });
`;

function measure(kind, ws) {
  const out = execFileSync(process.execPath, ['-e', CHILD, kind, ws, MODE, repo], {
    cwd: repo,
    encoding: 'utf8',
    env: { ...process.env, NODE_OPTIONS: '' },
    timeout: 120_000,
  });
  const { ms, parts } = JSON.parse(out);
  lastParts = parts;
  return ms;
}
let lastParts = {};

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const ws = createWorkspace();
try {
  log(`[esmx:bench] build: ${REPS} repetitions (rotating order, +1 warm-up each), mode ${MODE}, workspace ${ws}`);
  // esmx: a second build (the provided packages' export names are cached on disk, as on a user's machine after the
  // first build); esmx-cold: the bundler's cache folder removed first (a first build on a fresh machine).
  const KINDS = ['esmx-cold', 'esmx', 'plain-modules', 'plain-app'];
  const times = Object.fromEntries(KINDS.map((k) => [k, []]));
  const partsOf = Object.fromEntries(KINDS.map((k) => [k, []]));
  for (const kind of KINDS) measure(kind, ws);
  for (let i = 0; i < REPS; i++) {
    // Rotate the order so that no side always runs right after the same other one.
    const order = KINDS.map((_, j) => KINDS[(i + j) % KINDS.length]);
    for (const kind of order) {
      times[kind].push(measure(kind, ws));
      partsOf[kind].push(lastParts);
    }
    log(`  rep ${i + 1}: ` + KINDS.map((k) => `${k} ${times[k].at(-1).toFixed(0)} ms`).join(', '));
  }
  const medianOf = (k) => median(times[k]);
  const partMedians = (k) =>
    Object.fromEntries(Object.keys(partsOf[k][0] ?? {}).map((name) => [name, Math.round(median(partsOf[k].map((p) => p[name])))]));
  const summary = {
    mode: MODE,
    reps: REPS,
    ms: Object.fromEntries(KINDS.map((k) => [k, times[k].map((x) => Math.round(x))])),
    medianMs: Object.fromEntries(KINDS.map((k) => [k, Math.round(medianOf(k))])),
    perModuleMedianMs: {
      'esmx-cold': partMedians('esmx-cold'),
      esmx: partMedians('esmx'),
      'plain-modules': partMedians('plain-modules'),
    },
    ratioVsPlainModules: Number((medianOf('esmx') / medianOf('plain-modules')).toFixed(3)),
    ratioVsPlainApp: Number((medianOf('esmx') / medianOf('plain-app')).toFixed(3)),
    coldRatioVsPlainModules: Number((medianOf('esmx-cold') / medianOf('plain-modules')).toFixed(3)),
    coldRatioVsPlainApp: Number((medianOf('esmx-cold') / medianOf('plain-app')).toFixed(3)),
    goal: GOAL,
  };
  if (args.json) process.stdout.write(JSON.stringify(summary) + '\n');
  else {
    for (const k of KINDS) log(`  ${k.padEnd(13)} median ${String(summary.medianMs[k]).padStart(5)} ms  [${summary.ms[k].join(', ')}]`);
    log(`  per module (median ms): esmx-cold ${JSON.stringify(summary.perModuleMedianMs['esmx-cold'])}`);
    log(`                          esmx      ${JSON.stringify(summary.perModuleMedianMs.esmx)}`);
    log(`                          plain     ${JSON.stringify(summary.perModuleMedianMs['plain-modules'])}`);
    log(`  ratio esmx (names cached) / plain-modules (same packages and entries, no linking) = ${summary.ratioVsPlainModules} (goal ≤ ${GOAL})`);
    log(`  ratio esmx-cold (empty cache) / plain-modules = ${summary.coldRatioVsPlainModules}`);
    log(`  ratio esmx / plain-app (one monolithic app, remotes and react bundled in) = ${summary.ratioVsPlainApp}`);
    log(`  ratio esmx-cold / plain-app = ${summary.coldRatioVsPlainApp}`);
  }
} finally {
  rmSync(ws, { recursive: true, force: true });
}
