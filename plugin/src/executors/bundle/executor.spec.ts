import type { ExecutorContext } from '@nx/devkit';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { copyFixture, removeFixtureCopies } from '../../bundler/fixtures/fixture-workspace';
import runLinkExecutor from '../link/executor';
import runBundleExecutor from './executor';
import type { BundleExecutorSchema } from './schema';

jest.setTimeout(60_000);
afterAll(() => removeFixtureCopies());

const LINKS: Record<string, Record<string, string>> = {
  shared: {},
  cart: { shared: '../shared' },
  shell: { shared: '../shared', cart: '../cart' },
};

/** sha1 of every file under dir, by relative path. */
function hashTree(dir: string): Record<string, string> {
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

function contextOf(ws: string, project: string): ExecutorContext {
  return {
    root: ws,
    cwd: ws,
    isVerbose: false,
    projectName: project,
    projectsConfigurations: { version: 2, projects: { [project]: { root: project } } },
  } as unknown as ExecutorContext;
}

async function runLink(ws: string, project: string) {
  const out: string[] = [];
  const capture = (...args: unknown[]) => void out.push(args.map(String).join(' '));
  const spies = [jest.spyOn(console, 'log'), jest.spyOn(console, 'error'), jest.spyOn(console, 'warn')].map((s) =>
    s.mockImplementation(capture),
  );
  try {
    const result = await runLinkExecutor({ links: LINKS[project] }, contextOf(ws, project));
    return { success: result.success, output: out.join('\n') };
  } finally {
    spies.forEach((s) => s.mockRestore());
  }
}

async function run(ws: string, project: string, options: BundleExecutorSchema = {}) {
  const out: string[] = [];
  const capture = (...args: unknown[]) => void out.push(args.map(String).join(' '));
  const spies = [jest.spyOn(console, 'log'), jest.spyOn(console, 'error'), jest.spyOn(console, 'warn')].map((s) =>
    s.mockImplementation(capture),
  );
  // A bad option or a run without a project is printed on stderr, as by every executor.
  const stderr = jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => (capture(String(chunk).trimEnd()), true));
  const context = contextOf(ws, project);
  try {
    const results: boolean[] = [];
    for await (const result of runBundleExecutor({ links: LINKS[project], ...options }, context)) results.push(result.success);
    return { results, output: out.join('\n') };
  } finally {
    spies.forEach((s) => s.mockRestore());
    stderr.mockRestore();
  }
}

describe('@esmx/nx:bundle', () => {
  it('builds provider, remote and host and links the host once everything it uses is built', async () => {
    const ws = copyFixture('link');
    const shared = await run(ws, 'shared');
    expect(shared.results).toEqual([true]);
    const cart = await run(ws, 'cart', { link: false });
    expect(cart.results).toEqual([true]);
    expect(existsSync(join(ws, 'cart/dist/link.json'))).toBe(false);
    const shell = await run(ws, 'shell');
    expect(shell.results).toEqual([true]);
    expect(shell.output).toContain('[esmx:link] shell: linked 3 module(s).');
    const map = JSON.parse(readFileSync(join(ws, 'shell/dist/importmap.json'), 'utf8'));
    const widget = JSON.parse(readFileSync(join(ws, 'cart/dist/client/manifest.json'), 'utf8')).exports.widget.file;
    expect(Object.values(map.imports)).toContain(`/cart/${widget}`);
  });

  it('skips the link step with a note when a used module is not built yet', async () => {
    const ws = copyFixture('link');
    const cart = await run(ws, 'cart');
    expect(cart.results).toEqual([true]);
    expect(cart.output).toContain('[esmx:build] cart: link step skipped because shared is not built yet');
  });

  it('stops with E_TARGET_MISSING before Rspack starts', async () => {
    const ws = copyFixture('link');
    rmSync(join(ws, 'cart/src/widget.tsx'));
    const { results, output } = await run(ws, 'cart');
    expect(results).toEqual([false]);
    expect(output).toContain('E_TARGET_MISSING');
    expect(output).not.toContain('compiling');
    expect(existsSync(join(ws, 'cart/dist'))).toBe(false);
  });

  it('stops on a protocol error with its diagnostic and builds nothing', async () => {
    const ws = copyFixture('link');
    const pkg = JSON.parse(readFileSync(join(ws, 'cart/package.json'), 'utf8'));
    pkg.esmx.uses = 'shared';
    writeFileSync(join(ws, 'cart/package.json'), JSON.stringify(pkg));
    const { results, output } = await run(ws, 'cart');
    expect(results).toEqual([false]);
    expect(output).toContain('E_SCHEMA');
    expect(output).toContain('[esmx:build] cart: not built because the declaration has errors');
    expect(existsSync(join(ws, 'cart/dist'))).toBe(false);
  });

  it('fails on a syntax error and rejects a bad mode', async () => {
    const ws = copyFixture('link');
    writeFileSync(join(ws, 'cart/src/format.ts'), 'export const = ;\n');
    const broken = await run(ws, 'cart', { link: false });
    expect(broken.results).toEqual([false]);
    expect(broken.output).toMatch(/\[esmx:build\] client and server error in src\/format\.ts:\d+:\d+/);
    const bad = await run(ws, 'cart', { mode: 'fast' as 'production' });
    expect(bad.results).toEqual([false]);
    expect(bad.output).toContain('option "mode" must be "production" or "development", found "fast"');
  });

  it('keeps every byte of the served dist when the link finds an import of a missing export (bundle + build, and bundle alone)', async () => {
    const ws = copyFixture('link');
    for (const name of ['shared', 'cart', 'shell']) expect((await run(ws, name)).results).toEqual([true]);
    const dist = join(ws, 'shell/dist');
    const before = hashTree(dist);
    const app = join(ws, 'shell/src/app.tsx');
    writeFileSync(app, `import { nope } from 'cart/nope';\n${readFileSync(app, 'utf8')}\nexport const missing = nope;\n`);

    // The inferred targets: `bundle` (link: false) swaps in the new bundle, `build` (the link executor) refuses it.
    expect((await run(ws, 'shell', { link: false })).results).toEqual([true]);
    expect(hashTree(dist)).not.toEqual(before);
    const linked = await runLink(ws, 'shell');
    expect(linked.success).toBe(false);
    expect(linked.output).toContain('E_NO_EXPORT');
    expect(linked.output).toContain('kept the previous build of shell: dist/ is back to its last linked build, byte for byte');
    expect(hashTree(dist)).toEqual(before);

    // The bundle executor's own mode, which links after bundling.
    const standalone = await run(ws, 'shell');
    expect(standalone.results).toEqual([false]);
    expect(standalone.output).toContain('E_NO_EXPORT');
    expect(standalone.output).toContain('kept the previous build of shell');
    expect(hashTree(dist)).toEqual(before);

    // Linking again on the restored dist changes nothing and removes nothing.
    expect((await runLink(ws, 'shell')).success).toBe(true);
    expect(hashTree(dist)).toEqual(expect.objectContaining({ 'link.json': before['link.json'], 'importmap.json': before['importmap.json'] }));
  });
});
