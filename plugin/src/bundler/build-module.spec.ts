import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { OUTPUT_CACHE_FILE, SOURCE_SCANS_FILE } from '../constants';
import type { BuildManifest } from '../protocol/types';
import { buildModule } from './build-module';
import { getCacheDir } from './provided-wrappers';
import type { BuildModuleOptions, RebuildResult } from './types';
import { copyFixture, makeResolution, removeFixtureCopies } from './fixtures/fixture-workspace';

jest.setTimeout(60_000);
afterAll(() => removeFixtureCopies());

type Name = 'shared' | 'cart' | 'shell';
const NAMES: Name[] = ['shared', 'cart', 'shell'];
const HASHED = '[0-9a-f]{8}\\.final';

function rootsOf(ws: string): Record<Name, string> {
  return { shared: join(ws, 'shared'), cart: join(ws, 'cart'), shell: join(ws, 'shell') };
}

/** A development build in watch mode; `nextRebuild` resolves with each later rebuild, in order. */
async function watchBuild(ws: string, name: Name, extra: Partial<BuildModuleOptions> = {}) {
  const results: RebuildResult[] = [];
  let wake: () => void = () => undefined;
  const { result } = await build(ws, name, {
    mode: 'development',
    watch: true,
    ...extra,
    onRebuild: (r) => {
      results.push(r);
      wake();
    },
  });
  const nextRebuild = async () => {
    while (results.length === 0) await new Promise<void>((res) => (wake = res));
    return results.shift()!;
  };
  return { result, nextRebuild };
}

async function build(ws: string, name: Name, extra: Partial<BuildModuleOptions> = {}) {
  const lines: string[] = [];
  const roots = rootsOf(ws);
  const result = await buildModule({
    root: roots[name],
    mode: 'production',
    resolution: makeResolution(name, roots),
    log: (line) => lines.push(line),
    ...extra,
  });
  return { result, lines };
}

function readManifest(root: string, target: 'client' | 'server'): BuildManifest {
  return JSON.parse(readFileSync(join(root, 'dist', target, 'manifest.json'), 'utf8'));
}

function snapshotDir(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (sub: string) => {
    for (const d of readdirSync(join(dir, sub), { withFileTypes: true })) {
      const rel = sub ? `${sub}/${d.name}` : d.name;
      if (d.isDirectory()) walk(rel);
      else out[rel] = createHash('sha1').update(readFileSync(join(dir, rel))).digest('hex');
    }
  };
  walk('');
  return out;
}

const isBare = (specifier: string) => !specifier.startsWith('.');

async function lexImports(file: string): Promise<{ static: string[]; dynamic: string[] }> {
  const lexer = await import('es-module-lexer');
  await lexer.init;
  const [imports] = lexer.parse(readFileSync(file, 'utf8'));
  return {
    static: imports.filter((i) => i.d === -1).map((i) => i.n!).sort(),
    dynamic: imports.filter((i) => i.d > -1).map((i) => i.n ?? '(expression)').sort(),
  };
}

/** Renders shell's entry.server in a fresh Node process whose resolve hook maps bare specifiers with the server manifests. */
function renderShell(roots: Record<Name, string>): string {
  const map: Record<string, string> = {};
  for (const name of NAMES) {
    const manifest = readManifest(roots[name], 'server');
    for (const exp of Object.values(manifest.exports)) {
      const url = pathToFileURL(join(roots[name], 'dist/server', exp.file)).href;
      map[exp.identifier] = url;
      if (exp.identifier.endsWith('/index')) map[exp.identifier.slice(0, -'/index'.length)] = url;
    }
  }
  const dir = join(roots.shell, '..');
  writeFileSync(
    join(dir, 'hook.mjs'),
    `let map = {};
export function initialize(data) { map = data; }
export async function resolve(specifier, context, next) {
  if (map[specifier]) return { url: map[specifier], format: 'module', shortCircuit: true };
  return next(specifier, context);
}
`,
  );
  writeFileSync(
    join(dir, 'render.mjs'),
    `import { register } from 'node:module';
const map = JSON.parse(process.argv[2]);
register(new URL('./hook.mjs', import.meta.url), { data: map });
const { default: render } = await import('shell/entry.server');
const rc = { html: '' };
try { await render(rc); process.stdout.write(rc.html); }
catch (error) { process.stdout.write('RENDER FAILED: ' + error.message.split('\\n')[0]); }
`,
  );
  return execFileSync(process.execPath, [join(dir, 'render.mjs'), JSON.stringify(map)], {
    env: { ...process.env, NODE_OPTIONS: '' },
    encoding: 'utf8',
  });
}

describe('buildModule over a provider, a remote and a host (production)', () => {
  let ws: string;
  let roots: Record<Name, string>;
  const logs: Record<string, string[]> = {};

  beforeAll(async () => {
    ws = copyFixture('link');
    roots = rootsOf(ws);
    for (const name of NAMES) {
      const { result, lines } = await build(ws, name);
      logs[name] = lines;
      expect(result.errors).toEqual([]);
      expect(result.ok).toBe(true);
    }
  });

  it('keeps linked specifiers bare, static and dynamic, and sends own exports through the import map', async () => {
    const client = readManifest(roots.shell, 'client');
    const entry = await lexImports(join(roots.shell, 'dist/client', client.exports['entry.client'].file));
    expect(entry.static.filter(isBare)).toEqual(['cart/widget', 'react-dom/client', 'react/jsx-runtime', 'shell/ui']);
    // Two entries (entry.client and the exports) share one runtime chunk: one module cache per build.
    expect(entry.static).toContainEqual(expect.stringMatching(new RegExp(`^\\./chunks/runtime\\.${HASHED}\\.mjs$`)));
    // The lazy chunk is loaded by the shared runtime chunk; the linked dynamic import stays bare in the entry.
    expect(entry.dynamic).toEqual(['cart/widget']);
    const server = readManifest(roots.shell, 'server');
    const serverEntry = await lexImports(join(roots.shell, 'dist/server', server.exports['entry.server'].file));
    expect({ ...serverEntry, static: serverEntry.static.filter(isBare) }).toEqual({
      static: ['cart/widget', 'react-dom/server', 'react/jsx-runtime', 'shell/ui'],
      dynamic: [],
    });
    // shell's "." export re-exports ./ui: that goes through shell/ui too, so Frame has one instance.
    expect((await lexImports(join(roots.shell, 'dist/client', client.exports.index.file))).static.filter(isBare)).toEqual(['shell/ui']);
    // Inside the provider, react-dom/client reaches react bare (another provided package) and react-dom, its own
    // package, inside the build: the entries share one runtime, so react-dom runs once either way, and a subpath that
    // imports its package by name can never import the build's own entries back (an import cycle).
    const shared = readManifest(roots.shared, 'client');
    expect(shared.chunks['react-dom/client'].externals).toEqual(['react']);
    expect(shared.chunks['react-dom/client'].imports).toEqual(expect.arrayContaining([expect.stringMatching(/^chunks\//)]));
    // Modules two provided entries share are in shared chunks, whatever their size: each is downloaded once.
    const reactDom = shared.chunks['react-dom'];
    expect(shared.chunks['react-dom/client'].imports.filter((file) => reactDom.imports.includes(file)).length).toBeGreaterThan(1);
  });

  it('writes the remote manifest exactly', () => {
    const files = readdirSync(join(roots.cart, 'dist/client')).sort();
    const js = files.find((f) => new RegExp(`^widget\\.${HASHED}\\.mjs$`).test(f))!;
    const css = files.find((f) => new RegExp(`^widget\\.${HASHED}\\.css$`).test(f))!;
    expect(files).toEqual(['assets', js, css, 'manifest.json'].sort());
    const [svgName] = readdirSync(join(roots.cart, 'dist/client/assets'));
    expect(svgName).toMatch(new RegExp(`^cart\\.${HASHED}\\.svg$`));
    const svg = `assets/${svgName}`;
    const bytes = (f: string) => readFileSync(join(roots.cart, 'dist/client', f));
    const sri = (f: string) => `sha384-${createHash('sha384').update(bytes(f)).digest('base64')}`;
    expect(readManifest(roots.cart, 'client')).toEqual({
      protocol: 2,
      name: 'cart',
      version: '2.1.0',
      target: 'client',
      provides: {},
      uses: ['shared'],
      exports: { widget: { name: 'widget', pkg: false, file: js, identifier: 'cart/widget', names: ['Widget', 'default'] } },
      scopes: {
        react: 'shared',
        'react-dom': 'shared',
        'react-dom/client': 'shared',
        'react-dom/server': 'shared',
        'react/jsx-runtime': 'shared',
      },
      files: [svg, js, css].sort(),
      chunks: { widget: { js, css: [css], resources: [svg], imports: [], externals: ['react', 'react/jsx-runtime'] } },
      integrity: { [js]: sri(js), [css]: sri(css), [svg]: sri(svg) },
      // What the link step checks: the names its sources import from linked specifiers, and what they bundle.
      imports: { react: { useState: 'src/widget.tsx:1' } },
      bundled: [],
    });
    // Assets are emitted by the client build only; the server renders the same hashed URL under /cart/.
    expect(readdirSync(join(roots.cart, 'dist/server')).sort()).toEqual(['manifest.json', readManifest(roots.cart, 'server').exports.widget.file].sort());
    expect(readFileSync(join(roots.cart, 'dist/server', readManifest(roots.cart, 'server').exports.widget.file), 'utf8')).toContain(`"${svg}"`);
    // The server build extracts no CSS (class names only) and has the same export list.
    const server = readManifest(roots.cart, 'server');
    expect(Object.keys(server.exports)).toEqual(['widget']);
    expect(server.files).toEqual([server.exports.widget.file]);
    expect(server.chunks.widget.css).toEqual([]);
  });

  it('writes the provider manifest with installed versions and every provided specifier as a pkg export', () => {
    const version = JSON.parse(readFileSync(require.resolve('react/package.json'), 'utf8')).version;
    for (const target of ['client', 'server'] as const) {
      const manifest = readManifest(roots.shared, target);
      expect(manifest.provides).toEqual({ react: { version }, 'react-dom': { version } });
      expect(Object.values(manifest.exports).map((e) => [e.name, e.pkg, e.identifier])).toEqual([
        ['react', true, 'react'],
        ['react-dom', true, 'react-dom'],
        ['react-dom/client', true, 'react-dom/client'],
        ['react-dom/server', true, 'react-dom/server'],
        ['react/jsx-runtime', true, 'react/jsx-runtime'],
      ]);
      expect(manifest.exports['react-dom/client'].file).toMatch(new RegExp(`^react-dom/client\\.${HASHED}\\.mjs$`));
    }
  });

  it('records integrity equal to the sha384 of every file and the host transitive static graph', () => {
    for (const name of NAMES) {
      for (const target of ['client', 'server'] as const) {
        const manifest = readManifest(roots[name], target);
        expect(Object.keys(manifest.integrity).sort()).toEqual(manifest.files);
        for (const file of manifest.files) {
          const digest = createHash('sha384').update(readFileSync(join(roots[name], 'dist', target, file))).digest('base64');
          expect(manifest.integrity[file]).toBe(`sha384-${digest}`);
        }
      }
    }
    const client = readManifest(roots.shell, 'client');
    expect(client.chunks['entry.client'].externals).toEqual(['cart/widget', 'react-dom/client', 'react/jsx-runtime', 'shell/ui']);
    // The lazy chunk and the runtime chunk the host's two entries share.
    expect(client.files.filter((f) => f.startsWith('chunks/'))).toEqual([
      expect.stringMatching(new RegExp(`^chunks/\\d+\\.${HASHED}\\.mjs$`)),
      expect.stringMatching(new RegExp(`^chunks/runtime\\.${HASHED}\\.mjs$`)),
    ]);
  });

  it('puts no copy of react into the host or the remote', () => {
    const marker = 'react.transitional.element';
    const sharedReact = readManifest(roots.shared, 'client').exports.react.file;
    expect(readFileSync(join(roots.shared, 'dist/client', sharedReact), 'utf8')).toContain(marker);
    for (const name of ['cart', 'shell'] as const) {
      for (const target of ['client', 'server'] as const) {
        for (const file of readManifest(roots[name], target).files) {
          const text = readFileSync(join(roots[name], 'dist', target, file), 'utf8');
          expect({ file, copy: text.includes(marker) || text.includes('__CLIENT_INTERNALS') }).toEqual({ file, copy: false });
        }
      }
    }
  });

  it('renders host + remote in Node with one React instance (hooks in both)', () => {
    expect(renderShell(roots)).toBe(
      '<div id="root"><link rel="preload" as="image" href="/cart/assets/cart.1eec6f99.final.svg"/><main data-title="shell">' +
        '<span class="cart-widget"><img src="/cart/assets/cart.1eec6f99.final.svg" alt=""/>server<!-- -->:<!-- -->#7</span></main></div>',
    );
  });

  it('fails the same render when the remote bundles its own react (negative control)', async () => {
    const other = copyFixture('link');
    const otherRoots = rootsOf(other);
    const resolution = makeResolution('cart', otherRoots);
    resolution.supply = { groups: [], wiring: {} };
    const alone = await buildModule({ root: otherRoots.cart, mode: 'production', resolution, log: () => undefined });
    expect(alone.ok).toBe(true);
    const mixed = { ...roots, cart: otherRoots.cart };
    expect(renderShell(mixed)).toMatch(/^RENDER FAILED: .*(useState|hook)/i);
  });

  it('writes dist/index.mjs for the host only and prints a size table with a total', () => {
    expect(existsSync(join(roots.shell, 'dist/index.mjs'))).toBe(true);
    expect(existsSync(join(roots.cart, 'dist/index.mjs'))).toBe(false);
    // Here @esmx/nx resolves to the plugin's TypeScript sources (no compiled runtime): a clear message, no stack.
    let failure: { status: number; stderr: string } = { status: 0, stderr: '' };
    try {
      execFileSync(process.execPath, [join(roots.shell, 'dist/index.mjs')], { env: { ...process.env, NODE_OPTIONS: '' }, stdio: 'pipe' });
    } catch (error) {
      failure = { status: (error as { status: number }).status, stderr: String((error as { stderr: Buffer }).stderr) };
    }
    expect(failure.status).toBe(1);
    expect(failure.stderr).toMatch(/^\[esmx:start\] expected the runtime @esmx\/nx\/runtime to be importable from .*shell\/dist\/, but importing it failed: .*Fix: install @esmx\/nx/);
    expect(failure.stderr).not.toMatch(/\n\s+at /);
    const table = logs.cart.join('\n');
    expect(table).toMatch(/\[esmx:build\] cart client: compiling \(production\)/);
    expect(table).toMatch(/client\/widget\.[0-9a-f]{8}\.final\.mjs\s+\d+ B\s+\d+ B/);
    expect(table).toMatch(/\ntotal\s+[\d.]+ (B|KiB)\s+[\d.]+ (B|KiB)$/);
  });
});

describe('buildModule: hashes, failures, modes, hook and watch', () => {
  it('changes a hashed name if and only if its content changes; a remote change leaves the host untouched', async () => {
    const ws = copyFixture('link');
    const roots = rootsOf(ws);
    await build(ws, 'cart');
    await build(ws, 'shell');
    const cart1 = readManifest(roots.cart, 'client');
    const shell1 = snapshotDir(join(roots.shell, 'dist'));
    await build(ws, 'cart');
    expect(readManifest(roots.cart, 'client')).toEqual(cart1);
    writeFileSync(join(roots.cart, 'src/format.ts'), 'export const formatCount = (n: number): string => `No. ${n}`;\n');
    await build(ws, 'cart');
    await build(ws, 'shell');
    const cart2 = readManifest(roots.cart, 'client');
    expect(cart2.exports.widget.file).not.toBe(cart1.exports.widget.file);
    expect(cart2.chunks.widget.css).toEqual(cart1.chunks.widget.css);
    expect(snapshotDir(join(roots.shell, 'dist'))).toEqual(shell1);
  });

  it('reports a syntax error with file and line and keeps the previous dist', async () => {
    const ws = copyFixture('link');
    const roots = rootsOf(ws);
    expect((await build(ws, 'cart')).result.ok).toBe(true);
    const before = snapshotDir(join(roots.cart, 'dist'));
    writeFileSync(join(roots.cart, 'src/format.ts'), 'export const formatCount = (n: number): string => {\n  return `#${n}`;\n;\n');
    const { result, lines } = await build(ws, 'cart');
    expect(result.ok).toBe(false);
    // format.ts is compiled for both sides and fails the same way: one error, naming both.
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toMatch(/^\[esmx:build\] client and server error in src\/format\.ts/);
    expect(result.errors[0]).toMatch(/format\.ts:\d+:\d+/);
    expect(lines.join('\n')).toContain('the previous dist/ was left as it was');
    expect(snapshotDir(join(roots.cart, 'dist'))).toEqual(before);
  });

  it('refuses a bare import of an esmx module missing from uses with E_NOT_LINKED and the fix, not found or found on disk', async () => {
    const ws = copyFixture('link');
    const roots = rootsOf(ws);
    // shell is installed for cart the way npm workspaces install every package, but cart does not use it.
    mkdirSync(join(roots.cart, 'node_modules'), { recursive: true });
    symlinkSync('../../shell', join(roots.cart, 'node_modules/shell'), 'dir');
    const before = existsSync(join(roots.cart, 'dist')) ? snapshotDir(join(roots.cart, 'dist')) : {};
    const widget = join(roots.cart, 'src/widget.tsx');
    const original = readFileSync(widget, 'utf8');
    // "shell/ui" is an export name (Rspack alone: Module not found); "shell/src/ui" is a file (Rspack alone: a private copy).
    for (const specifier of ['shell/ui', 'shell/src/ui']) {
      writeFileSync(widget, `import { Frame } from '${specifier}';\n${original}\nexport const frame = Frame;\n`);
      const { result } = await build(ws, 'cart');
      expect(result.ok).toBe(false);
      const text = result.errors.join('\n');
      expect(text).toContain('error E_NOT_LINKED [esmx:build] cart: src/widget.tsx imports "' + specifier + '", but "shell" is not in the esmx.uses of cart');
      expect(text).toContain(`fix:      add "shell" to esmx.uses in ${join(roots.cart, 'package.json')}, or remove the import`);
      expect(text).not.toMatch(/Module not found/);
      expect(text).not.toMatch(/\n[\s│]*at /);
      expect(existsSync(join(roots.cart, 'dist')) ? snapshotDir(join(roots.cart, 'dist')) : {}).toEqual(before);
    }
    // A third-party package from the same node_modules is not a module: still bundled privately as before.
    writeFileSync(widget, original);
    expect((await build(ws, 'cart')).result.ok).toBe(true);
  });

  it('uses plain names and no integrity in development, and still renders with one React', async () => {
    const ws = copyFixture('link');
    const roots = rootsOf(ws);
    for (const name of NAMES) expect((await build(ws, name, { mode: 'development' })).result.errors).toEqual([]);
    expect(renderShell(roots)).toBe(
      '<div id="root"><link rel="preload" as="image" href="/cart/assets/cart.svg"/><main data-title="shell">' +
        '<span class="cart-widget"><img src="/cart/assets/cart.svg" alt=""/>server<!-- -->:<!-- -->#7</span></main></div>',
    );
    const client = readManifest(roots.shell, 'client');
    expect(client.integrity).toEqual({});
    expect(Object.values(client.exports).map((e) => e.file)).toEqual(['entry.client.mjs', 'ui.mjs', 'index.mjs']);
    // Server source maps name the source files by path: Node maps an SSR stack frame to src/…, not to dist/.
    const serverMap = JSON.parse(readFileSync(join(roots.cart, 'dist/server/widget.mjs.map'), 'utf8'));
    expect(serverMap.sources).toContain(join(roots.cart, 'src/widget.tsx'));
    // Development JSX (react/jsx-dev-runtime, not provided here) is shared by the entries through a chunk of its own.
    expect(client.files.filter((f) => f.endsWith('.mjs'))).toEqual([
      expect.stringMatching(/^chunks\/default-.*jsx-dev-runtime.*\.mjs$/),
      'chunks/runtime.mjs',
      'chunks/src_lazy_ts.mjs',
      'entry.client.mjs',
      'index.mjs',
      'ui.mjs',
    ]);
  });

  it('builds a client-only export and a module with nothing to build into empty-but-valid manifests', async () => {
    const ws = copyFixture('link');
    mkdirSync(join(ws, 'lib/src'), { recursive: true });
    writeFileSync(join(ws, 'lib/src/x.ts'), 'export const x = 1;\n');
    writeFileSync(
      join(ws, 'lib/package.json'),
      JSON.stringify({ name: 'lib', version: '1.0.0', esmx: { exports: { './x': { client: './src/x.ts', server: false } } } }),
    );
    mkdirSync(join(ws, 'empty'));
    writeFileSync(join(ws, 'empty/package.json'), JSON.stringify({ name: 'empty', version: '1.0.0', esmx: {} }));
    for (const name of ['lib', 'empty']) {
      const root = join(ws, name);
      const result = await buildModule({ root, mode: 'production', resolution: makeResolution(name, { [name]: root }), log: () => undefined });
      expect(result.errors).toEqual([]);
      const server = readManifest(root, 'server');
      expect([server.exports, server.files, server.chunks, server.integrity]).toEqual([{}, [], {}, {}]);
    }
    expect(Object.keys(readManifest(join(ws, 'lib'), 'client').exports)).toEqual(['x']);
    expect(readManifest(join(ws, 'empty'), 'client').files).toEqual([]);
  });

  it('passes each target config through esmx.rspack.mjs', async () => {
    const ws = copyFixture('link');
    const roots = rootsOf(ws);
    writeFileSync(
      join(roots.cart, 'esmx.rspack.mjs'),
      `export default function (config, { target, mode, root }) {
  config.optimization.minimize = target === 'server';
  config.output.environment = { ...config.output.environment };
  globalThis.__esmxHookCalls = [...(globalThis.__esmxHookCalls ?? []), target + ':' + mode + ':' + (root === ${JSON.stringify(roots.cart)})];
  return config;
}
`,
    );
    const { result } = await build(ws, 'cart');
    expect(result.ok).toBe(true);
    expect((globalThis as { __esmxHookCalls?: string[] }).__esmxHookCalls).toEqual(['client:production:true', 'server:production:true']);
    const read = (target: 'client' | 'server') =>
      readFileSync(join(roots.cart, 'dist', target, readManifest(roots.cart, target).exports.widget.file), 'utf8');
    expect(read('client')).toContain('function Widget(');
    expect(read('server')).not.toContain('function Widget(');
  });

  /** A client plugin of `root` that, after Rspack's emit, rewrites each widget file: `rewrite(text)` gives its new text. */
  function rewriteWidgetAfterEmit(root: string, rewrite: string) {
    writeFileSync(
      join(root, 'esmx.rspack.mjs'),
      `import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
const rewrite = ${rewrite};
export default function (config, { target }) {
  if (target !== 'client') return config;
  config.plugins.push({
    apply(compiler) {
      compiler.hooks.afterEmit.tap('rewrite-after-emit', () => {
        const dir = compiler.options.output.path;
        for (const file of readdirSync(dir)) {
          if (file.startsWith('widget.') && file.endsWith('.mjs')) writeFileSync(join(dir, file), rewrite(readFileSync(join(dir, file), 'utf8')));
        }
      });
    },
  });
  return config;
}
`,
    );
  }

  /**
   * Builds cart with its client widget rewritten after emit (what Rspack handed over while emitting no longer matches
   * the file) and checks that the manifest's integrity is that of the file on disk.
   */
  async function buildWithWidgetRewritten(rewrite: string) {
    const ws = copyFixture('link');
    const roots = rootsOf(ws);
    rewriteWidgetAfterEmit(roots.cart, rewrite);
    const { result, lines } = await build(ws, 'cart');
    expect(result.ok).toBe(true);
    const manifest = readManifest(roots.cart, 'client');
    const widget = manifest.exports.widget.file;
    const bytes = readFileSync(join(roots.cart, 'dist/client', widget));
    expect(manifest.integrity[widget]).toBe(`sha384-${createHash('sha384').update(bytes).digest('base64')}`);
    return { roots, result, lines, manifest, text: bytes.toString('utf8') };
  }

  it('describes the files on disk when a plugin rewrites one after Rspack emitted it (hashes, exports and sizes)', async () => {
    const { roots, result, lines, manifest, text } = await buildWithWidgetRewritten("(text) => text + '\\nexport const late = 1;\\n'");
    expect(text).toContain('export const late = 1;');
    expect(manifest.exports.widget.names).toContain('late');
    const { gzipSync } = await import('node:zlib');
    for (const row of result.sizes.filter((r) => r.target === 'client')) {
      const onDisk = readFileSync(join(roots.cart, 'dist/client', row.file));
      expect(row).toEqual({ target: 'client', file: row.file, raw: onDisk.length, gzip: gzipSync(onDisk, { level: 6 }).length });
    }
    expect(lines.join('\n')).toMatch(/client\/widget\.[0-9a-f]{8}\.final\.mjs/);
  });

  it('describes the file on disk when a plugin rewrites it after emit with the same length (integrity matches)', async () => {
    const { text } = await buildWithWidgetRewritten("(text) => text.replace('cart-widget', 'cart-widgeX')");
    expect(text).toContain('cart-widgeX');
  });

  it('takes what it read from unchanged production files from the output cache, and reads changed files again', async () => {
    const ws = copyFixture('link');
    const roots = rootsOf(ws);
    const first = await build(ws, 'cart');
    const manifests = { client: readManifest(roots.cart, 'client'), server: readManifest(roots.cart, 'server') };
    const cacheFile = join(getCacheDir(roots.cart), OUTPUT_CACHE_FILE);
    const cached = (JSON.parse(readFileSync(cacheFile, 'utf8')) as { entries: Array<[string, { gzip?: number }]> }).entries;
    expect(cached.map(([key]) => key).sort()).toEqual(
      [...manifests.client.files.map((f) => `client/${f}`), ...manifests.server.files.map((f) => `server/${f}`)].sort(),
    );
    // A cache hit is visible in the size table: the recorded gzip size is used as it is.
    const widget = manifests.client.exports.widget.file;
    const tampered = cached.map(([key, value]) => [key, key === `client/${widget}` ? { ...value, gzip: 1 } : value]);
    writeFileSync(cacheFile, JSON.stringify({ version: 2, entries: tampered }));
    const again = await build(ws, 'cart');
    expect(again.result.sizes.find((r) => r.file === widget)?.gzip).toBe(1);
    expect({ client: readManifest(roots.cart, 'client'), server: readManifest(roots.cart, 'server') }).toEqual(manifests);
    expect(first.result.sizes.find((r) => r.file === widget)?.gzip).toBeGreaterThan(1);
    // An edited source: a new file (new sha384), lexed and compressed again.
    writeFileSync(join(roots.cart, 'src/format.ts'), `${readFileSync(join(roots.cart, 'src/format.ts'), 'utf8')}\nexport const edited = 1;\n`);
    writeFileSync(join(roots.cart, 'src/widget.tsx'), `${readFileSync(join(roots.cart, 'src/widget.tsx'), 'utf8')}\nexport { edited } from './format';\n`);
    const edited = await build(ws, 'cart');
    const next = readManifest(roots.cart, 'client');
    expect(next.exports.widget.names).toContain('edited');
    const { gzipSync } = await import('node:zlib');
    const onDisk = readFileSync(join(roots.cart, 'dist/client', next.exports.widget.file));
    expect(edited.result.sizes.find((r) => r.file === next.exports.widget.file)?.gzip).toBe(gzipSync(onDisk, { level: 6 }).length);
  });

  it('reuses the source scans of unchanged files, and lists the named imports of an edited file at the next build', async () => {
    const ws = copyFixture('link');
    const roots = rootsOf(ws);
    await build(ws, 'cart');
    expect(readManifest(roots.cart, 'client').imports).toEqual({ react: { useState: 'src/widget.tsx:1' } });
    // The stored scan of the unchanged widget.tsx is what the next build lists: planted there, it shows up.
    const store = join(getCacheDir(roots.cart), SOURCE_SCANS_FILE);
    const widget = join(roots.cart, 'src/widget.tsx');
    const saved = JSON.parse(readFileSync(store, 'utf8')) as { entries: Array<[string, { imports: unknown[] }]> };
    const planted = { specifier: 'react', line: 1, names: ['planted'] };
    for (const [file, scan] of saved.entries) if (file === widget) scan.imports = [planted];
    writeFileSync(store, JSON.stringify(saved));
    await build(ws, 'cart');
    expect(readManifest(roots.cart, 'client').imports).toEqual({ react: { planted: 'src/widget.tsx:1' } });
    // A stored scan is taken only for the content it was made from: the edit moves useState and adds useMemo.
    const source = readFileSync(widget, 'utf8');
    writeFileSync(widget, `// edited\n${source.replace('useState', 'useMemo, useState')}`);
    const edited = await build(ws, 'cart');
    expect(edited.result.ok).toBe(true);
    expect(readManifest(roots.cart, 'client').imports).toEqual({ react: { useMemo: 'src/widget.tsx:2', useState: 'src/widget.tsx:2' } });
  });

  it('keeps a good build when its cache cannot be saved, with a warning', async () => {
    const ws = copyFixture('link');
    const roots = rootsOf(ws);
    // A folder where the store's file goes: the rename onto it fails.
    mkdirSync(join(getCacheDir(roots.cart), SOURCE_SCANS_FILE, 'blocker'), { recursive: true });
    const { result, lines } = await build(ws, 'cart');
    expect(result.ok).toBe(true);
    expect(readManifest(roots.cart, 'client').imports).toEqual({ react: { useState: 'src/widget.tsx:1' } });
    try {
      expect(lines).toContainEqual(expect.stringContaining('[esmx:build] cart: warning: the source scans could not be saved ('));
      // The other cache is saved all the same.
      expect(existsSync(join(getCacheDir(roots.cart), OUTPUT_CACHE_FILE))).toBe(true);
    } finally {
      rmSync(getCacheDir(roots.cart), { recursive: true, force: true });
    }
  });

  it('rebuilds in watch mode, reports each rebuild, and keeps dist on a failed rebuild', async () => {
    const ws = copyFixture('link');
    const roots = rootsOf(ws);
    const { result, nextRebuild } = await watchBuild(ws, 'cart');
    try {
      expect(result.ok).toBe(true);
      const file = join(roots.cart, 'dist/client/widget.mjs');
      expect(readFileSync(file, 'utf8')).not.toContain('WATCHED');
      writeFileSync(join(roots.cart, 'src/format.ts'), 'export const formatCount = (n: number): string => `WATCHED ${n}`;\n');
      const ok = await nextRebuild();
      expect(ok.ok).toBe(true);
      expect(ok.manifests.client?.exports.widget.file).toBe('widget.mjs');
      expect(readFileSync(file, 'utf8')).toContain('WATCHED');
      writeFileSync(join(roots.cart, 'src/format.ts'), 'export const = ;\n');
      const failed = await nextRebuild();
      expect(failed.ok).toBe(false);
      expect(failed.errors[0]).toMatch(/^\[esmx:build\] client and server error in src\/format\.ts:1:14/);
      expect(readFileSync(file, 'utf8')).toContain('WATCHED');
    } finally {
      await result.close?.();
    }
  });

  it('keeps a dev server\'s files when the same module is built once in another process meanwhile (its own stage)', async () => {
    const ws = copyFixture('link');
    const roots = rootsOf(ws);
    const { result, nextRebuild } = await watchBuild(ws, 'cart');
    const listClient = () => readdirSync(join(roots.cart, 'dist/client'), { recursive: true }).map(String).sort();
    try {
      expect(result.ok).toBe(true);
      const served = listClient();
      expect(served).toEqual(expect.arrayContaining(['widget.mjs', 'widget.css']));
      // `nx build cart` in another terminal, while the dev server watches.
      const once = execFileSync(process.execPath, ['-r', '@swc-node/register', join(__dirname, 'fixtures/build-once/build-once.ts'), ws, 'cart', 'production'], {
        cwd: join(__dirname, '../../..'),
        env: { ...process.env, NODE_OPTIONS: '' },
        encoding: 'utf8',
      });
      expect(once.trim()).toBe('ok');
      writeFileSync(join(roots.cart, 'src/format.ts'), 'export const formatCount = (n: number): string => `EDITED ${n}`;\n');
      const rebuilt = await nextRebuild();
      expect(rebuilt.ok).toBe(true);
      // The dev server's generation again, whole: every file of its first build (not only what the edit re-emitted),
      // beside the other build's hashed files, carried as a generation that was in dist/.
      expect(listClient()).toEqual(expect.arrayContaining(served));
      expect(readFileSync(join(roots.cart, 'dist/client/widget.mjs'), 'utf8')).toContain('EDITED');
    } finally {
      await result.close?.();
    }
    // The watch's stage goes when it stops; the other build's went when its build ended.
    expect(readdirSync(join(roots.cart, 'dist')).filter((entry) => entry.startsWith('.esmx-build'))).toEqual([]);
  });

  it('keeps the server manifest whole after a watch rebuild that only recompiled the client', async () => {
    const ws = copyFixture('link');
    const roots = rootsOf(ws);
    const { result, nextRebuild } = await watchBuild(ws, 'shell');
    try {
      expect(result.ok).toBe(true);
      const serverBefore = readManifest(roots.shell, 'server');
      expect(serverBefore.exports['entry.server'].file).toBe('entry.server.mjs');
      const entry = join(roots.shell, 'src/entry.client.tsx');
      writeFileSync(entry, `${readFileSync(entry, 'utf8')}\nconsole.info('client only');\n`);
      const rebuilt = await nextRebuild();
      expect(rebuilt.ok).toBe(true);
      expect(rebuilt.manifests.server?.exports).toEqual(serverBefore.exports);
      expect(readManifest(roots.shell, 'server').exports).toEqual(serverBefore.exports);
      expect(readFileSync(join(roots.shell, 'dist/client/entry.client.mjs'), 'utf8')).toContain('client only');
    } finally {
      await result.close?.();
    }
  });

  it('hot (the dev server): client rebuilds report their hash and write hot-update files, which manifests leave out', async () => {
    const ws = copyFixture('link');
    const roots = rootsOf(ws);
    const { result, nextRebuild } = await watchBuild(ws, 'cart', { hot: true });
    try {
      expect(result.ok).toBe(true);
      // The hot client runs in every entry of the client build (one instance: they share the runtime chunk).
      expect(readFileSync(join(roots.cart, 'dist/client/widget.mjs'), 'utf8')).toContain('esmx:hot');
      expect(readFileSync(join(roots.cart, 'dist/server/widget.mjs'), 'utf8')).not.toContain('esmx:hot');
      writeFileSync(join(roots.cart, 'src/format.ts'), 'export const formatCount = (n: number): string => `HOT ${n}`;\n');
      const rebuilt = await nextRebuild();
      expect(rebuilt.ok).toBe(true);
      expect(rebuilt.clientHash).toMatch(/^[0-9a-f]{16}$/);
      const hotFiles = readdirSync(join(roots.cart, 'dist/client/hot'), { recursive: true }).map(String);
      expect(hotFiles).toEqual(expect.arrayContaining([expect.stringMatching(/\.hot-update\.json\.mjs$/)]));
      const manifest = readManifest(roots.cart, 'client');
      expect(JSON.stringify(manifest)).not.toContain('hot-update');
      expect(manifest.exports.widget.file).toBe('widget.mjs');
    } finally {
      await result.close?.();
    }
  });

  it('builds without hot updates outside the dev server (production, or watch without hot)', async () => {
    const ws = copyFixture('link');
    const roots = rootsOf(ws);
    const { result } = await build(ws, 'cart', { hot: true });
    expect(result.ok).toBe(true);
    const widget = readManifest(roots.cart, 'client').exports.widget.file;
    expect(readFileSync(join(roots.cart, 'dist/client', widget), 'utf8')).not.toContain('esmx:hot');
    expect(existsSync(join(roots.cart, 'dist/client/hot'))).toBe(false);
  });
});
