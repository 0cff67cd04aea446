// Build cost of module linking. Four modules (provider `shared` of react/react-dom, remotes `cart` and `account`,
// host `shell`) built the @esmx/nx way — for each, resolveModule + buildModule (client and server Rspack
// compilations, provided-package wrappers, manifests with integrity, dist swap) + linkModule — against:
//
//   plain-modules (THE baseline): plain Rspack over the same four modules, the same entries, loaders and output
//     settings (file names, chunking, a provider's minSize 0, uniqueName, publicPath, resolution, CSS names), and
//     the SAME externals (the bare specifiers esmx keeps bare: provided packages, other modules' exports), two
//     compilers (client and server) per module as esmx runs, with no protocol, wrappers, manifests, dist generations
//     or link step. esmx / plain-modules is the plugin's overhead.
//   plain-app (second, harsher baseline, reported beside it): one monolithic app, the host's two entries with the
//     remotes' code and react bundled in; what a workspace without micro-frontends would build.
//
// `esmx` keeps the bundler's cache (the provided packages' export names, read once per package version, and what was
// read from unchanged output files), as on any build after the first; `esmx-cold` runs with an empty temporary
// folder, as on a first build. Before every measurement each module with sources of its own (all but the provider)
// gets an edit, so that every esmx build writes a new generation (new hashed names to carry and copy), as a build
// that Nx does not take from its cache does. Every measurement is a fresh child process, repetitions rotate the
// order so machine load weighs on all kinds alike.
//
//   node tools/bench/build.mjs [--reps=5] [--mode=production] [--components=0] [--json] [--prebuilt] [--smoke]
//
// `--components=N` gives each module with sources of its own N more React components (a file each, all rendered),
// so the modules grow from a few files toward an app's size: the plugin's cost per module stays about the same while
// Rspack's grows, which this ratio then shows. The smoke run adds 2, so that this path runs in CI too.
//
// Goal: median esmx / median plain-modules ≤ 1.10, on the build work: each child's time minus loading its entry
// point (`@esmx/nx` with its generators and Nx devkit, or `@rspack/core`), which Nx's task process has already paid
// for an executor. The ratio with loading is printed beside it.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
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
  runChild,
} from './lib.mjs';

const args = parseBenchArgs({
  reps: { type: 'string', default: '5' },
  mode: { type: 'string', default: 'production' },
  ws: { type: 'string' },
  components: { type: 'string' },
});
const COMPONENTS = Number(args.components ?? (args.smoke ? 2 : 0));
const GOAL = 1.1;
const MODULES = ['shared', 'cart', 'account', 'shell'];
const PROVIDED = ['react', 'react-dom', 'react-dom/client', 'react-dom/server', 'react/jsx-runtime'];
const SSR_FLAG = '__ESMX_SSR__';

/** The bundler's link fixture (provider `shared`, remote `cart`, host `shell`) plus a second remote `account`. */
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
import { STAMP } from './stamp';
export function Badge({ user }: { user: string }) {
  const [n] = useState(3);
  const initials = useMemo(() => user.split(' ').map((p) => p[0]).join(''), [user]);
  return <b className="account-badge" data-stamp={STAMP}>{initials}:{n}</b>;
}
`,
  );
  writeFileSync(join(ws, 'account/src/badge.css'), '.account-badge { font-weight: 700; }\n');
  const shellPkg = join(ws, 'shell/package.json');
  const pkg = JSON.parse(readFileSync(shellPkg, 'utf8'));
  pkg.esmx.uses = ['shared', 'cart', 'account'];
  writeFileSync(shellPkg, JSON.stringify(pkg));
  writeFileSync(
    join(ws, 'shell/src/app.tsx'),
    `import { Widget } from 'cart/widget';
import { Badge } from 'account/badge';
import { Frame } from './ui';
import { STAMP } from './stamp';
import type { Props } from './types';
export function App({ label }: Props) {
  return <Frame><Widget label={label} /><Badge user="Ada Lovelace" /><i data-stamp={STAMP} /></Frame>;
}
`,
  );
  const widget = join(ws, 'cart/src/widget.tsx');
  writeFileSync(
    widget,
    readFileSync(widget, 'utf8')
      .replace("import './widget.css';", "import './widget.css';\nimport { STAMP } from './stamp';")
      .replace('<span className="cart-widget">', '<span className="cart-widget" data-stamp={STAMP}>'),
  );
  if (COMPONENTS > 0) writeComponents(ws);
  stampSources(ws, 0);
  return ws;
}

/**
 * An edit in every module with sources of its own (all but the provider, whose code is react's), made before each
 * measurement: a build that Nx runs is one whose inputs changed, so its output names change too, and the plugin's work
 * on a new generation (carrying the previous hashed files, copying the linked generation) is what gets measured, not
 * a rebuild into identical files. Both kinds build the same edited sources.
 */
function stampSources(ws, n) {
  for (const name of ['cart', 'account', 'shell']) {
    const stamp = COMPONENTS === 0 ? `'build-${n}'` : `'build-${n}:' + COMPONENTS.length`;
    writeFileSync(join(ws, name, 'src/stamp.ts'), `${COMPONENTS === 0 ? '' : "import { COMPONENTS } from './gen';\n"}export const STAMP = ${stamp};\n`);
  }
}

/** `--components=N`: N component files under src/gen/ of each module with sources, listed (so kept) by src/gen/index.ts. */
function writeComponents(ws) {
  for (const name of ['cart', 'account', 'shell']) {
    const dir = join(ws, name, 'src/gen');
    mkdirSync(dir, { recursive: true });
    for (let i = 0; i < COMPONENTS; i++) {
      writeFileSync(
        join(dir, `c${i}.tsx`),
        `import { useMemo, useState } from 'react';
import { STAMP } from '../stamp';
export function C${i}({ items }: { items: string[] }) {
  const [open, setOpen] = useState(false);
  const sorted = useMemo(() => [...items].sort().map((item, j) => \`\${item}-\${j}-${i}\`), [items]);
  return (
    <ul className="${name}-c${i}" data-stamp={STAMP} onClick={() => setOpen(!open)}>
      {open ? sorted.map((item) => <li key={item}>{item}</li>) : <li>{sorted.length} items</li>}
    </ul>
  );
}
`,
      );
    }
    const list = Array.from({ length: COMPONENTS }, (_, i) => `C${i}`);
    writeFileSync(
      join(dir, 'index.ts'),
      `${list.map((c, i) => `import { ${c} } from './c${i}';`).join('\n')}\nexport const COMPONENTS = [${list.join(', ')}];\n`,
    );
  }
}

const LINKS = { shared: '../shared', cart: '../cart', account: '../account' };

/** One esmx build of the four modules, in dependency order; returns per-module and per-step times. */
async function buildEsmx(ws, mode) {
  const t0 = process.hrtime.bigint();
  const { buildModule, linkModule, resolveModule } = loadPlugin('');
  // Loaded here as in the plain child, so that neither side's build work includes loading Rspack.
  await import('@rspack/core');
  const parts = { load: elapsedMs(t0), resolve: 0, link: 0 };
  for (const name of MODULES) {
    const t = process.hrtime.bigint();
    const root = join(ws, name);
    const resolution = resolveModule(root, { links: LINKS, checkFiles: true });
    parts.resolve += elapsedMs(t);
    const result = await buildModule({ root, mode, resolution, log: () => undefined });
    if (!result.ok) throw new Error(`[esmx:bench] ${name} did not build:\n${result.errors.join('\n')}`);
    const tl = process.hrtime.bigint();
    const linked = linkModule(root, resolution);
    parts.link += elapsedMs(tl);
    const errors = linked.diagnostics.filter((d) => d.severity === 'error');
    if (errors.length) throw new Error(`[esmx:bench] ${name} did not link:\n${errors.map((d) => d.message).join('\n')}`);
    parts[name] = elapsedMs(t);
  }
  return parts;
}

/** The plain Rspack config: the plugin's loaders and output settings, without anything of the plugin. */
function plainConfig(rspack, { name, root, outDir, target, mode, entry, externals, providedOnly = false }) {
  const prod = mode === 'production';
  const client = target === 'client';
  const swc = (tsx) => ({
    jsc: {
      target: 'es2022',
      parser: { syntax: 'typescript', tsx },
      transform: { react: { runtime: 'automatic', development: !prod, refresh: false } },
    },
  });
  return {
    name: target,
    mode,
    context: root,
    devtool: prod ? false : 'source-map',
    target: client ? ['web', 'es2022'] : ['node', 'es2022'],
    entry,
    output: {
      path: join(outDir, target),
      module: true,
      chunkFormat: 'module',
      chunkLoading: 'import',
      library: { type: 'module' },
      filename: '[name].[contenthash:8].final.mjs',
      chunkFilename: 'chunks/[name].[contenthash:8].final.mjs',
      cssFilename: '[name].[contenthash:8].final.css',
      cssChunkFilename: 'chunks/[name].[contenthash:8].final.css',
      assetModuleFilename: 'assets/[name].[contenthash:8].final[ext]',
      publicPath: client ? 'auto' : `/${name}/`,
      uniqueName: name,
      clean: true,
    },
    externalsType: 'module-import',
    externals: [
      // Same rule as the plugin's: a bare specifier that is provided or names a linked module stays bare, except
      // for an entry itself (no issuer).
      ({ request, contextInfo }, callback) => {
        const head = request?.startsWith('@') ? request.split('/', 2).join('/') : request?.split('/')[0];
        const keep = contextInfo?.issuer && request && (externals.specifiers.has(request) || externals.modules.has(head));
        callback(undefined, keep ? request : undefined);
      },
    ],
    externalsPresets: client ? { web: true } : { node: true },
    resolve: {
      extensions: ['.tsx', '.ts', '.jsx', '.mjs', '.js', '.json'],
      extensionAlias: { '.js': ['.ts', '.tsx', '.js'], '.mjs': ['.mts', '.mjs'] },
      mainFields: client ? ['browser', 'module', 'main'] : ['module', 'main'],
      conditionNames: client ? ['browser', 'import', 'module', 'default'] : ['node', 'import', 'module-sync', 'module', 'default'],
    },
    module: {
      parser: { javascript: { importMeta: false } },
      generator: { 'css/auto': { localIdentName: '[local]-[hash:6]', ...(client ? {} : { exportsOnly: true }) } },
      rules: [
        { test: /\.tsx$/, loader: 'builtin:swc-loader', options: swc(true) },
        { test: /\.ts$/, loader: 'builtin:swc-loader', options: swc(false) },
        { test: /\.css$/, type: 'css/auto' },
        { test: /\.svg$/, type: 'asset/resource', generator: client ? {} : { emit: false } },
      ],
    },
    node: client ? false : { global: false, __filename: 'node-module', __dirname: 'node-module' },
    // The plugin's chunking (an output setting, not overhead): entries of one build share a runtime chunk, and
    // modules shared by two chunks go to shared chunks, when there are two entries or more.
    optimization: {
      minimize: prod && client,
      ...(Object.keys(entry).length < 2
        ? { runtimeChunk: false, splitChunks: { chunks: 'async' } }
        : {
            runtimeChunk: { name: 'chunks/runtime' },
            splitChunks: {
              chunks: 'all',
              filename: 'chunks/[name].[contenthash:8].final.mjs',
              // The plugin's: a provider's shared modules go to shared chunks whatever their size.
              ...(providedOnly ? { minSize: 0 } : {}),
              cacheGroups: { defaultVendors: false, default: { minChunks: 2, reuseExistingChunk: true } },
            },
          }),
    },
    performance: false,
    plugins: [new rspack.DefinePlugin({ 'process.env.NODE_ENV': JSON.stringify(mode), [SSR_FLAG]: JSON.stringify(!client) })],
    stats: 'none',
    infrastructureLogging: { level: 'error' },
  };
}

async function buildPlain(ws, mode, kind) {
  const t0 = process.hrtime.bigint();
  const { rspack } = await import('@rspack/core');
  const parts = { load: elapsedMs(t0) };
  const run = (configs) =>
    new Promise((resolve, reject) => {
      const compiler = rspack(configs);
      compiler.run((error, stats) => {
        if (error || stats.hasErrors()) reject(error ?? new Error(stats.toString('errors-only')));
        else compiler.close(resolve);
      });
    });
  const both = (name, outName, entries, externals) =>
    run(
      ['client', 'server'].map((target) =>
        plainConfig(rspack, {
          name,
          root: join(ws, name),
          outDir: join(ws, 'plain-dist', outName),
          target,
          mode,
          entry: entries(target),
          externals,
          providedOnly: name === 'shared',
        }),
      ),
    );
  if (kind === 'plain-app') {
    const none = { specifiers: new Set(), modules: new Set() };
    // One app: remotes resolved to their sources, react bundled in.
    await run(
      ['client', 'server'].map((target) => {
        const config = plainConfig(rspack, {
          name: 'shell',
          root: join(ws, 'shell'),
          outDir: join(ws, 'plain-dist', 'app'),
          target,
          mode,
          entry: { [`entry.${target}`]: `./src/entry.${target}.tsx` },
          externals: none,
        });
        config.resolve.alias = { 'cart/widget$': join(ws, 'cart/src/widget.tsx'), 'account/badge$': join(ws, 'account/src/badge.tsx') };
        return config;
      }),
    );
    return parts;
  }
  const externals = { specifiers: new Set(PROVIDED), modules: new Set(MODULES) };
  const entriesOf = {
    shared: () => Object.fromEntries(PROVIDED.map((p) => [p, p])),
    cart: () => ({ widget: './src/widget.tsx' }),
    account: () => ({ badge: './src/badge.tsx' }),
    shell: (t) => ({ [`entry.${t}`]: `./src/entry.${t}.tsx`, ui: './src/ui.tsx', index: './src/index.ts' }),
  };
  for (const name of MODULES) {
    const t = process.hrtime.bigint();
    await both(name, name, entriesOf[name], externals);
    parts[name] = elapsedMs(t);
  }
  return parts;
}

if (args.child) {
  await replyAsChild(async () => {
    const started = process.hrtime.bigint();
    const parts = args.child.startsWith('esmx') ? await buildEsmx(args.ws, args.mode) : await buildPlain(args.ws, args.mode, args.child);
    return { ms: elapsedMs(started), parts };
  });
} else {
  await main();
}

async function main() {
  const reps = args.smoke ? 1 : Number(args.reps);
  ensurePlugin({ prebuilt: args.prebuilt });
  const ws = createWorkspace();
  const self = fileURLToPath(import.meta.url);
  const KINDS = ['esmx-cold', 'esmx', 'plain-modules', 'plain-app'];
  // The bundler's cache of the `esmx` kind lives in a folder of this run (removed at the end, like the workspace).
  const warmCache = mkdtempSync(join(tmpdir(), 'esmx-bench-warm-'));
  const cacheDirs = [warmCache];
  let edits = 0;
  const measure = async (kind) => {
    stampSources(ws, ++edits);
    // An empty os.tmpdir() for the child: no export names or wrappers from an earlier build.
    const env = kind === 'esmx' ? { TMPDIR: warmCache } : {};
    if (kind === 'esmx-cold') {
      const dir = mkdtempSync(join(tmpdir(), 'esmx-bench-cold-'));
      cacheDirs.push(dir);
      env.TMPDIR = dir;
    }
    return runChild(self, [`--child=${kind}`, `--ws=${ws}`, `--mode=${args.mode}`, `--components=${COMPONENTS}`], { env });
  };
  try {
    const size = COMPONENTS === 0 ? '' : `, ${COMPONENTS} more components in each of cart, account and shell`;
    const warmUp = args.smoke ? 'no warm-up (smoke)' : 'after one warm-up per kind';
    log(`[esmx:bench] build: ${reps} repetition(s) ${warmUp}, mode ${args.mode}${size}`);
    const times = Object.fromEntries(KINDS.map((k) => [k, []]));
    const work = Object.fromEntries(KINDS.map((k) => [k, []]));
    const parts = Object.fromEntries(KINDS.map((k) => [k, []]));
    // Warm-up: the OS file cache and Rspack's native binding loaded once from disk.
    if (!args.smoke) for (const kind of KINDS) await measure(kind);
    for (let i = 0; i < reps; i++) {
      const order = KINDS.map((_, j) => KINDS[(i + j) % KINDS.length]);
      for (const kind of order) {
        const r = await measure(kind);
        times[kind].push(r.ms);
        work[kind].push(r.ms - (r.parts.load ?? 0));
        parts[kind].push(r.parts);
      }
      log(`  rep ${i + 1}: ${KINDS.map((k) => `${k} ${times[k].at(-1).toFixed(0)} ms`).join(', ')}`);
    }
    const med = (k) => median(work[k]);
    const medTotal = (k) => median(times[k]);
    const partMedians = (k) =>
      Object.fromEntries(Object.keys(parts[k][0] ?? {}).map((name) => [name, Math.round(median(parts[k].map((p) => p[name])))]));
    const overhead = ratioLine('esmx / plain-modules (same modules and externals, no linking)', med('esmx'), med('plain-modules'), { max: GOAL });
    const total = ratioLine('with module loading (@esmx/nx vs @rspack/core alone)', medTotal('esmx'), medTotal('plain-modules'));
    const cold = ratioLine('esmx-cold / plain-modules', med('esmx-cold'), med('plain-modules'));
    const app = ratioLine('esmx / plain-app (one monolithic app)', med('esmx'), med('plain-app'));
    const summary = {
      mode: args.mode,
      components: COMPONENTS,
      reps,
      smoke: args.smoke,
      ms: Object.fromEntries(KINDS.map((k) => [k, times[k].map(Math.round)])),
      medianMs: Object.fromEntries(KINDS.map((k) => [k, Math.round(med(k))])),
      medianTotalMs: Object.fromEntries(KINDS.map((k) => [k, Math.round(medTotal(k))])),
      partsMedianMs: Object.fromEntries(KINDS.slice(0, 3).map((k) => [k, partMedians(k)])),
      ratioVsPlainModules: overhead.ratio,
      totalRatioVsPlainModules: total.ratio,
      coldRatioVsPlainModules: cold.ratio,
      ratioVsPlainApp: app.ratio,
      goal: GOAL,
      pass: overhead.met,
    };
    if (args.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
    else {
      for (const k of KINDS) {
        console.log(
          `  ${k.padEnd(13)} median ${String(summary.medianMs[k]).padStart(6)} ms build work, ` +
            `${String(summary.medianTotalMs[k]).padStart(6)} ms with module loading  [${summary.ms[k].join(', ')}]`,
        );
      }
      for (const k of KINDS.slice(0, 3)) console.log(`  parts ${k.padEnd(13)} ${JSON.stringify(summary.partsMedianMs[k])}`);
      console.log(`  ${overhead.text}${args.smoke ? '' : overhead.met ? '  PASS' : '  FAIL'}`);
      console.log(`  ${total.text}`);
      console.log(`  ${cold.text}`);
      console.log(`  ${app.text}`);
    }
    finish({ smoke: args.smoke, goalsMet: overhead.met });
  } finally {
    rmSync(ws, { recursive: true, force: true });
    for (const dir of cacheDirs) rmSync(dir, { recursive: true, force: true });
  }
}
