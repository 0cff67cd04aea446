// Scale of module linking: one host linking N remotes and 3 providers, generated on disk and built for real with
// the compiled plugin (buildModule), for N = 10, 30, 100. The remotes are tiny (one React component each; every
// third also uses semver); the providers serve packages already installed: `p-react` (react, react/jsx-runtime),
// `p-dom` (react-dom, react-dom/client, react-dom/server), `p-semver` (semver). For each N, in a fresh process:
//
//   link step    resolveModule + linkModule of the host (what its `build` target runs over a built `bundle`),
//                the first call in the process (cold, as one Nx task runs it) and the median of later calls (warm).
//   import map   the host's client import map, bytes raw and gzip.
//   first page   the host's page rendering 20 remotes (all of them when N < 20): JS requests and JS bytes, counted
//                by walking the static import graph from the host's client entry: the manifest's `imports` and
//                `externals`, each external resolved through the composed import map with the spec-exact
//                resolver (`@esmx/nx/import-map`), as the browser does.
//
// Baselines: N = 10 is the baseline of N = 30 and 100; the per-remote slope (Δcost / Δremotes) between 10→30
// and 30→100 must stay flat for the cost to grow linearly (ratio of the two slopes reported).
//
//   node tools/bench/scale.mjs [--sizes=10,30,100] [--reps=5] [--json] [--prebuilt] [--smoke]
//
// Goals at N = 100: link step < 1 s (cold), import map < 30 KB gzip; slopes 30→100 / 10→30 ≤ 2 for both.
import { mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import {
  countFirstPage,
  elapsedMs,
  ensurePlugin,
  finish,
  loadPlugin,
  log,
  median,
  parseBenchArgs,
  ratioLine,
  replyAsChild,
  repo,
  round,
  runChild,
} from './lib.mjs';

const args = parseBenchArgs({
  sizes: { type: 'string', default: '10,30,100' },
  reps: { type: 'string', default: '5' },
  ws: { type: 'string' },
  host: { type: 'string' },
});
const PAGE_REMOTES = 20;
const GOAL_LINK_MS = 1000;
const GOAL_MAP_GZIP = 30 * 1024;
const GOAL_SLOPE_RATIO = 2;

const PROVIDERS = {
  'p-react': { provides: ['react', 'react/jsx-runtime'], dependencies: { react: '^19.0.0' }, uses: [] },
  'p-dom': {
    provides: ['react-dom', 'react-dom/client', 'react-dom/server'],
    dependencies: { react: '^19.0.0', 'react-dom': '^19.0.0' },
    uses: ['p-react'],
  },
  'p-semver': { provides: ['semver'], dependencies: { semver: '^7.0.0' }, uses: [] },
};

const remoteName = (i) => `remote-${String(i).padStart(3, '0')}`;

function writePackage(root, pkg, files) {
  mkdirSync(join(root, 'src'), { recursive: true });
  writeFileSync(join(root, 'package.json'), JSON.stringify({ version: '1.0.0', private: true, ...pkg }, null, 2));
  for (const [file, text] of Object.entries(files)) writeFileSync(join(root, file), text);
}

function writeRemote(ws, i) {
  const name = remoteName(i);
  const semver = i % 3 === 0;
  writePackage(
    join(ws, name),
    {
      name,
      dependencies: { react: '^19.0.0', ...(semver ? { semver: '^7.0.0' } : {}) },
      esmx: { exports: { './widget': './src/widget.ts' }, uses: semver ? ['p-react', 'p-semver'] : ['p-react'] },
    },
    {
      'src/widget.ts':
        `import { createElement } from 'react';\n` +
        (semver ? `import { valid } from 'semver';\n` : '') +
        `export function Widget() {\n  return createElement('p', { className: '${name}' }, '${name}'${semver ? ` + (valid('1.2.3') ?? '')` : ''});\n}\n`,
    },
  );
}

function writeHost(ws, n) {
  const name = `host-${n}`;
  const shown = Array.from({ length: Math.min(n, PAGE_REMOTES) }, (_, i) => remoteName(i));
  const imports = shown.map((r, k) => `import { Widget as W${k} } from '${r}/widget';`).join('\n');
  const app = `import { createElement } from 'react';\n${imports}\nexport function App() {\n  return createElement('main', null, ${shown.map((_, k) => `createElement(W${k})`).join(', ')});\n}\n`;
  writePackage(
    join(ws, name),
    {
      name,
      dependencies: { react: '^19.0.0', 'react-dom': '^19.0.0' },
      esmx: {
        entry: { client: './src/entry.client.ts', server: './src/entry.server.ts' },
        uses: ['p-react', 'p-dom', 'p-semver', ...Array.from({ length: n }, (_, i) => remoteName(i))],
      },
    },
    {
      'src/app.ts': app,
      'src/entry.client.ts': `import { createElement } from 'react';\nimport { hydrateRoot } from 'react-dom/client';\nimport { App } from './app';\nhydrateRoot(document.getElementById('root'), createElement(App));\n`,
      'src/entry.server.ts': `import { createElement } from 'react';\nimport { renderToString } from 'react-dom/server';\nimport { App } from './app';\nexport default async function render(rc) {\n  rc.html = '<div id="root">' + renderToString(createElement(App)) + '</div>';\n}\n`,
    },
  );
  return name;
}

/** Every module of the workspace by name → folder, as explicit links (no npm install in a generated workspace). */
function linksOf(ws, n) {
  const names = [...Object.keys(PROVIDERS), ...Array.from({ length: n }, (_, i) => remoteName(i))];
  return Object.fromEntries(names.map((name) => [name, join(ws, name)]));
}

/** Generates and builds (with the compiled plugin) the providers, max(sizes) remotes and one host per size. */
async function generateWorkspace(ws, sizes) {
  const { buildModule, resolveModule } = loadPlugin('');
  const max = Math.max(...sizes);
  symlinkSync(join(repo, 'node_modules'), join(ws, 'node_modules'), 'dir');
  for (const [name, p] of Object.entries(PROVIDERS)) {
    writePackage(join(ws, name), { name, dependencies: p.dependencies, esmx: { provides: p.provides, uses: p.uses } }, {});
  }
  for (let i = 0; i < max; i++) writeRemote(ws, i);
  const hosts = sizes.map((n) => writeHost(ws, n));
  const links = linksOf(ws, max);
  const build = async (name) => {
    const root = join(ws, name);
    const resolution = resolveModule(root, { links });
    const errors = resolution.diagnostics.filter((d) => d.severity === 'error');
    if (errors.length) throw new Error(`[esmx:bench] ${name}: ${errors.map((d) => d.message).join('\n')}`);
    const result = await buildModule({ root, mode: 'production', resolution, log: () => undefined });
    if (!result.ok) throw new Error(`[esmx:bench] ${name} did not build:\n${result.errors.join('\n')}`);
  };
  const started = process.hrtime.bigint();
  for (const name of Object.keys(PROVIDERS)) await build(name);
  for (let i = 0; i < max; i++) await build(remoteName(i));
  for (const host of hosts) await build(host);
  return { buildMs: elapsedMs(started), hosts };
}

/** The child: the link step of one host in this fresh process, then its outputs measured. */
function measureHost(ws, host, reps) {
  const t0 = process.hrtime.bigint();
  const { linkModule, resolveModule } = loadPlugin('');
  const loadMs = elapsedMs(t0);
  const n = Number(host.slice('host-'.length));
  const links = linksOf(ws, n);
  const root = join(ws, host);
  const linkOnce = () => {
    const t = process.hrtime.bigint();
    const resolution = resolveModule(root, { links, requireBuilt: true });
    const resolveMs = elapsedMs(t);
    const linked = linkModule(root, resolution);
    const totalMs = elapsedMs(t);
    const errors = [...resolution.diagnostics, ...linked.diagnostics].filter((d) => d.severity === 'error');
    if (errors.length) throw new Error(`[esmx:bench] ${host} did not link:\n${errors.map((d) => d.message).join('\n')}`);
    return { resolveMs, totalMs, linked };
  };
  const cold = linkOnce();
  const warm = Array.from({ length: reps }, () => linkOnce().totalMs);
  const mapText = JSON.stringify(cold.linked.importMap);
  return {
    n,
    loadMs: round(loadMs),
    linkColdMs: round(cold.totalMs),
    resolveColdMs: round(cold.resolveMs),
    linkWarmMs: round(median(warm)),
    importMapBytes: Buffer.byteLength(mapText),
    importMapGzipBytes: gzipSync(mapText).length,
    importMapOnDiskBytes: statSync(join(root, 'dist/importmap.json')).size,
    pageRemotes: Math.min(n, PAGE_REMOTES),
    ...withoutBreakdown(countFirstPage(root, cold.linked.importMap)),
  };
}

/** The first-page totals (the per-module breakdown is first-page.mjs's, not this table's). */
function withoutBreakdown({ byModule: _byModule, ...totals }) {
  return totals;
}

if (args.child === 'link') {
  await replyAsChild(() => measureHost(args.ws, args.host, Number(args.reps)));
} else if (args.child === 'generate') {
  await replyAsChild(() => generateWorkspace(args.ws, args.sizes.split(',').map(Number)));
} else {
  await main();
}

async function main() {
  const sizes = args.smoke ? [2, 4, 6] : args.sizes.split(',').map(Number);
  const reps = args.smoke ? 1 : Number(args.reps);
  ensurePlugin({ prebuilt: args.prebuilt });
  const self = fileURLToPath(import.meta.url);
  const ws = mkdtempSync(join(tmpdir(), 'esmx-bench-scale-'));
  try {
    log(`[esmx:bench] scale: building 3 providers, ${Math.max(...sizes)} remotes and ${sizes.length} hosts${args.smoke ? ' (smoke)' : ''}`);
    const { buildMs, hosts } = await runChild(self, ['--child=generate', `--ws=${ws}`, `--sizes=${sizes.join(',')}`], { timeoutMs: 900_000 });
    log(`[esmx:bench] scale: built in ${Math.round(buildMs)} ms`);
    const rows = [];
    for (const host of hosts) rows.push(await runChild(self, ['--child=link', `--ws=${ws}`, `--host=${host}`, `--reps=${reps}`]));
    const [a, b, c] = rows;
    const slope = (key, from, to) => (to[key] - from[key]) / (to.n - from.n);
    const slopes = Object.fromEntries(
      ['linkColdMs', 'linkWarmMs', 'importMapBytes', 'importMapGzipBytes'].map((key) => [
        key,
        { first: round(slope(key, a, b), 3), second: round(slope(key, b, c), 3) },
      ]),
    );
    const linear = {
      link: ratioLine(`link (warm) per-remote slope ${b.n}→${c.n} / ${a.n}→${b.n}`, slopes.linkWarmMs.second, slopes.linkWarmMs.first, { max: GOAL_SLOPE_RATIO }),
      map: ratioLine(`import map bytes per-remote slope ${b.n}→${c.n} / ${a.n}→${b.n}`, slopes.importMapBytes.second, slopes.importMapBytes.first, { max: GOAL_SLOPE_RATIO }),
    };
    const top = rows.at(-1);
    const goals = {
      link: top.linkColdMs < GOAL_LINK_MS,
      map: top.importMapGzipBytes < GOAL_MAP_GZIP,
      linear: linear.link.met && linear.map.met,
    };
    const result = { sizes, reps, buildMs: Math.round(buildMs), rows, slopes, slopeRatios: { link: linear.link.ratio, map: linear.map.ratio }, goals };
    result.pass = Object.values(goals).every(Boolean);
    if (args.json) console.log(JSON.stringify(result));
    else {
      console.log('     N  link cold  (resolve)  link warm   map raw   map gzip   page: JS req   JS bytes  (gzip)');
      for (const r of rows) {
        console.log(
          `  ${String(r.n).padStart(4)}  ${String(r.linkColdMs).padStart(7)} ms ${String(r.resolveColdMs).padStart(7)} ms ${String(r.linkWarmMs).padStart(7)} ms` +
            ` ${String(r.importMapBytes).padStart(8)} B ${String(r.importMapGzipBytes).padStart(8)} B  ${String(r.jsRequests).padStart(6)} (${r.pageRemotes} remotes)` +
            ` ${String(r.jsBytes).padStart(9)} B ${String(r.jsGzipBytes).padStart(8)} B`,
        );
      }
      console.log(`  per-remote slopes ${a.n}→${b.n} / ${b.n}→${c.n}: ${Object.entries(slopes).map(([k, s]) => `${k} ${s.first} / ${s.second}`).join('; ')}`);
      console.log(`  ${linear.link.text}`);
      console.log(`  ${linear.map.text}`);
      console.log(`  at N = ${top.n}: link ${top.linkColdMs} ms (goal < ${GOAL_LINK_MS}), import map ${top.importMapGzipBytes} B gzip (goal < ${GOAL_MAP_GZIP})`);
      if (!args.smoke) console.log(`  ${result.pass ? 'PASS' : 'FAIL'}`);
    }
    finish({ smoke: args.smoke, goalsMet: result.pass });
  } finally {
    rmSync(ws, { recursive: true, force: true });
  }
}
