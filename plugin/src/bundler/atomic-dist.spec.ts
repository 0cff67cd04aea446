import { cpSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { linkModule } from '../link/link-module';
import type { BuildManifest } from '../protocol/types';
import { buildModule } from './build-module';
import { getLastLinkedDir, PENDING_FILE } from './dist-generations';
import { hashTree } from '../testing/hash-tree';
import { copyFixture, makeResolution, removeFixtureCopies } from './fixtures/fixture-workspace';

jest.setTimeout(120_000);
afterAll(() => removeFixtureCopies());

type Name = 'shared' | 'cart' | 'shell';

let ws: string;
let roots: Record<Name, string>;
const sources: Record<string, string> = {};

async function bundle(name: Name) {
  const result = await buildModule({ root: roots[name], mode: 'production', resolution: makeResolution(name, roots), log: () => undefined });
  return result;
}

function link(name: Name) {
  return linkModule(roots[name], makeResolution(name, roots));
}

function readManifest(root: string, target: 'client' | 'server'): BuildManifest {
  return JSON.parse(readFileSync(join(root, 'dist', target, 'manifest.json'), 'utf8'));
}

/** Every file the manifests of a generation list, with its bytes' hash, as `client/…` / `server/…`. */
function listGeneration(tree: Record<string, string>, root: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const target of ['client', 'server'] as const) {
    for (const file of readManifest(root, target).files) out[`${target}/${file}`] = tree[`${target}/${file}`];
  }
  return out;
}

function edit(name: Name, file: string, change: (text: string) => string) {
  const path = join(roots[name], file);
  sources[path] ??= readFileSync(path, 'utf8');
  writeFileSync(path, change(readFileSync(path, 'utf8')));
}

function revertSources() {
  for (const [path, text] of Object.entries(sources)) writeFileSync(path, text);
}

const addMissingExport = (text: string) => `import { nope } from 'cart/nope';\n${text}\nexport const missing = nope;\n`;

beforeAll(async () => {
  ws = copyFixture('link');
  roots = { shared: join(ws, 'shared'), cart: join(ws, 'cart'), shell: join(ws, 'shell') };
  for (const name of ['shared', 'cart', 'shell'] as const) {
    expect((await bundle(name)).errors).toEqual([]);
    expect(link(name).diagnostics).toEqual([]);
  }
});

afterEach(async () => {
  // Every case ends on a good, linked build of the original sources, so the next one starts from a served state.
  revertSources();
  for (const name of ['cart', 'shell'] as const) {
    if (!existsSync(join(roots[name], 'dist', PENDING_FILE)) && existsSync(join(roots[name], 'dist/link.json'))) continue;
    expect((await bundle(name)).ok).toBe(true);
    expect(link(name).diagnostics).toEqual([]);
  }
});

describe('a build that fails leaves every byte of the previous dist', () => {
  it('an import of a missing export: the new bundle waits with the old files readable, the failed link restores the old dist', async () => {
    const before = hashTree(join(roots.shell, 'dist'));
    const served = listGeneration(before, roots.shell);
    edit('shell', 'src/app.tsx', addMissingExport);
    const bundled = await bundle('shell');
    expect(bundled.ok).toBe(true);
    // Pending: a new generation is in dist/, marked, and every file of the generation being served is still there.
    const pending = hashTree(join(roots.shell, 'dist'));
    expect(pending).not.toEqual(before);
    expect(pending[PENDING_FILE]).toBeDefined();
    for (const [file, hash] of Object.entries(served)) expect([file, pending[file]]).toEqual([file, hash]);
    expect(pending['link.json']).toBe(before['link.json']);
    expect(pending['importmap.json']).toBe(before['importmap.json']);

    const linked = link('shell');
    expect(linked.diagnostics.map((d) => d.code)).toContain('E_NO_EXPORT');
    expect(linked.kept).toBe('restored');
    expect(hashTree(join(roots.shell, 'dist'))).toEqual(before);
  });

  it('a copy of the linked build that lost a file (cache folder partly cleared): the failed link leaves the new bundle, no crash', async () => {
    const finals = join(getLastLinkedDir(roots.shell), '..', 'files', 'client');
    const lost = readdirSync(finals).find((file) => file.endsWith('.mjs'))!;
    rmSync(join(finals, lost));
    edit('shell', 'src/app.tsx', addMissingExport);
    expect((await bundle('shell')).ok).toBe(true);
    const pending = hashTree(join(roots.shell, 'dist'));
    const linked = link('shell');
    expect(linked.diagnostics.map((d) => d.code)).toContain('E_NO_EXPORT');
    expect(linked.kept).toBe('unlinked');
    expect(hashTree(join(roots.shell, 'dist'))).toEqual(pending);
  });

  it('where hard links are refused (another filesystem), copies: the failed link restores byte for byte, no partial file left', async () => {
    // The module object the code under test calls through (an `import * as` namespace here would be a copy).
    const refuse = jest.spyOn(jest.requireActual<typeof import('node:fs')>('node:fs'), 'linkSync').mockImplementation(() => {
      throw Object.assign(new Error('EXDEV: cross-device link not permitted'), { code: 'EXDEV' });
    });
    try {
      const before = hashTree(join(roots.shell, 'dist'));
      edit('shell', 'src/app.tsx', addMissingExport);
      expect((await bundle('shell')).ok).toBe(true);
      expect(link('shell').kept).toBe('restored');
      expect(refuse).toHaveBeenCalled();
      expect(hashTree(join(roots.shell, 'dist'))).toEqual(before);
      const base = join(getLastLinkedDir(roots.shell), '..');
      expect(Object.keys(hashTree(base)).filter((file) => file.endsWith('.partial'))).toEqual([]);
    } finally {
      refuse.mockRestore();
    }
  });

  it('a named import that the provided package does not export: the link fails with the file and name, the old dist comes back', async () => {
    const before = hashTree(join(roots.cart, 'dist'));
    edit('cart', 'src/widget.tsx', (text) => text.replace("import { useState } from 'react';", "import { useState, useStat } from 'react';\nconsole.log(useStat);"));
    expect((await bundle('cart')).ok).toBe(true);
    expect(readManifest(roots.cart, 'client').imports).toEqual({ react: { useStat: 'src/widget.tsx:1', useState: 'src/widget.tsx:1' } });
    const linked = link('cart');
    expect(linked.diagnostics.map((d) => [d.code, d.found])).toEqual([['E_NO_EXPORT', 'import { useStat } from "react" in src/widget.tsx:1']]);
    expect(linked.diagnostics[0].fix).toMatch(/^import "useState" instead of "useStat"/);
    expect(linked.kept).toBe('restored');
    expect(hashTree(join(roots.cart, 'dist'))).toEqual(before);
  });

  it('a provided specifier that is not installed: E_NOT_INSTALLED with the fix, no build, dist untouched', async () => {
    const before = hashTree(join(roots.shared, 'dist'));
    const resolution = makeResolution('shared', roots);
    resolution.modules.shared = { ...resolution.modules.shared, provides: [...resolution.modules.shared.provides, 'not-installed-pkg', 'react/no-such-subpath'] };
    const result = await buildModule({ root: roots.shared, mode: 'production', resolution, log: () => undefined });
    expect(result.ok).toBe(false);
    expect(result.errors).toHaveLength(2);
    expect(result.errors[0]).toMatch(/^error E_NOT_INSTALLED \[esmx:build\] shared: esmx\.provides lists "not-installed-pkg", which does not resolve/);
    expect(result.errors[0]).toMatch(/fix: +add "not-installed-pkg" to the dependencies of .*package\.json and run npm install/);
    expect(result.errors.join('\n')).not.toMatch(/^\s+at /m);
    expect(hashTree(join(roots.shared, 'dist'))).toEqual(before);
  });

  it('a syntax error: the bundler never swaps, dist is untouched', async () => {
    const before = hashTree(join(roots.cart, 'dist'));
    edit('cart', 'src/format.ts', () => 'export const = ;\n');
    const bundled = await bundle('cart');
    expect(bundled.ok).toBe(false);
    expect(bundled.errors[0]).toMatch(/^\[esmx:build\] client and server error in src\/format\.ts/);
    expect(hashTree(join(roots.cart, 'dist'))).toEqual(before);
  });

  it('a link error with no new bundle (a used module lost its build): the link outputs stay as they were', async () => {
    const before = hashTree(join(roots.shell, 'dist'));
    const cartDist = join(ws, 'cart-dist-aside');
    cpSync(join(roots.cart, 'dist'), cartDist, { recursive: true });
    rmSync(join(roots.cart, 'dist', 'server'), { recursive: true });
    try {
      const linked = link('shell');
      expect(linked.diagnostics.map((d) => d.code)).toEqual(['E_NOT_BUILT']);
      expect(linked.kept).toBe('unchanged');
      expect(hashTree(join(roots.shell, 'dist'))).toEqual(before);
    } finally {
      rmSync(join(roots.cart, 'dist'), { recursive: true });
      cpSync(cartDist, join(roots.cart, 'dist'), { recursive: true });
    }
  });

  it('a link error in the pending window (a used manifest is corrupt): the last linked dist comes back', async () => {
    const before = hashTree(join(roots.shell, 'dist'));
    edit('shell', 'src/ui.tsx', (text) => `${text}\nexport const edited = 1;\n`);
    expect((await bundle('shell')).ok).toBe(true);
    const manifest = join(roots.cart, 'dist/client/manifest.json');
    const good = readFileSync(manifest);
    writeFileSync(manifest, '{ "protocol": 1 }');
    try {
      const linked = link('shell');
      expect(linked.diagnostics.map((d) => d.code)).toEqual(['E_PROTOCOL']);
      expect(linked.kept).toBe('restored');
      expect(hashTree(join(roots.shell, 'dist'))).toEqual(before);
    } finally {
      writeFileSync(manifest, good);
    }
  });

  it('two bundles in a row without a link: both earlier generations stay readable, a failed link goes back to the linked one', async () => {
    const before = hashTree(join(roots.shell, 'dist'));
    const served = listGeneration(before, roots.shell);
    edit('shell', 'src/ui.tsx', (text) => `${text}\nexport const first = 1;\n`);
    expect((await bundle('shell')).ok).toBe(true);
    const first = listGeneration(hashTree(join(roots.shell, 'dist')), roots.shell);
    edit('shell', 'src/app.tsx', addMissingExport);
    expect((await bundle('shell')).ok).toBe(true);
    const second = hashTree(join(roots.shell, 'dist'));
    for (const [file, hash] of Object.entries({ ...served, ...first })) expect([file, second[file]]).toEqual([file, hash]);
    expect(link('shell').kept).toBe('restored');
    expect(hashTree(join(roots.shell, 'dist'))).toEqual(before);
  });

  it('a bundle that Nx restores from its cache behind the bundle step: a failed link still goes back to the linked dist', async () => {
    const before = hashTree(join(roots.shell, 'dist'));
    edit('shell', 'src/app.tsx', addMissingExport);
    expect((await bundle('shell')).ok).toBe(true);
    // What Nx would store as the bundle target's outputs (dist/client, dist/server, dist/index.mjs).
    const cached = join(ws, 'nx-cache-shell');
    for (const item of ['client', 'server', 'index.mjs']) cpSync(join(roots.shell, 'dist', item), join(cached, item), { recursive: true });
    expect(link('shell').kept).toBe('restored');
    expect(hashTree(join(roots.shell, 'dist'))).toEqual(before);
    // "Run it again": a cache hit of the bundle target replaces its outputs without running the bundle step (no mark).
    for (const item of ['client', 'server', 'index.mjs']) {
      rmSync(join(roots.shell, 'dist', item), { recursive: true, force: true });
      cpSync(join(cached, item), join(roots.shell, 'dist', item), { recursive: true });
    }
    const linked = link('shell');
    expect(linked.diagnostics.map((d) => d.code)).toContain('E_NO_EXPORT');
    expect(linked.kept).toBe('restored');
    expect(hashTree(join(roots.shell, 'dist'))).toEqual(before);
  });

  it('the copy of the last linked generation holds what dist/ holds, its hashed files once, and no older ones', async () => {
    for (const n of [1, 2, 3]) {
      edit('shell', 'src/ui.tsx', (text) => `${text}\nexport const round${n} = ${n};\n`);
      expect((await bundle('shell')).ok).toBe(true);
      expect(link('shell').diagnostics).toEqual([]);
    }
    const dist = hashTree(join(roots.shell, 'dist'));
    const tree = hashTree(getLastLinkedDir(roots.shell));
    const shared = hashTree(join(getLastLinkedDir(roots.shell), '..', 'files'));
    const isFinal = (file: string) => file.includes('.final.');
    // The tree holds the files that are not content-hashed; the shared folder exactly the hashed files of dist/.
    expect(Object.keys(tree).filter(isFinal)).toEqual([]);
    expect(shared).toEqual(Object.fromEntries(Object.entries(dist).filter(([file]) => isFinal(file))));
    expect(Object.fromEntries(Object.entries(tree).filter(([file]) => file !== 'generation.json'))).toEqual(
      Object.fromEntries(Object.entries(dist).filter(([file]) => !isFinal(file))),
    );
    // And a failed link after all this still puts that generation back.
    const before = hashTree(join(roots.shell, 'dist'));
    edit('shell', 'src/app.tsx', addMissingExport);
    expect((await bundle('shell')).ok).toBe(true);
    expect(link('shell').kept).toBe('restored');
    expect(hashTree(join(roots.shell, 'dist'))).toEqual(before);
  });

  it('a copy kept in the layout of earlier versions (one whole tree) still puts the linked generation back', async () => {
    const base = join(getLastLinkedDir(roots.shell), '..');
    const { fingerprint } = JSON.parse(readFileSync(join(base, 'generation.json'), 'utf8')) as { fingerprint: string };
    rmSync(base, { recursive: true });
    for (const item of ['client', 'server', 'index.mjs', 'importmap.json', 'link.json']) {
      cpSync(join(roots.shell, 'dist', item), join(base, item), { recursive: true });
    }
    writeFileSync(join(base, 'generation.json'), JSON.stringify({ fingerprint }));
    const before = hashTree(join(roots.shell, 'dist'));
    edit('shell', 'src/app.tsx', addMissingExport);
    expect((await bundle('shell')).ok).toBe(true);
    expect(link('shell').kept).toBe('restored');
    expect(hashTree(join(roots.shell, 'dist'))).toEqual(before);
    // The next good link writes the current layout and drops the old one.
    revertSources();
    edit('shell', 'src/ui.tsx', (text) => `${text}\nexport const upgraded = 1;\n`);
    expect((await bundle('shell')).ok).toBe(true);
    expect(link('shell').diagnostics).toEqual([]);
    expect(readdirSync(base).sort()).toEqual(['files', 'generation.json', expect.stringMatching(/^tree-[ab]$/)]);
  });

  it('a good build after a failed one is consistent: new files, new map, no mark, old hashed files still readable', async () => {
    const before = hashTree(join(roots.shell, 'dist'));
    const served = listGeneration(before, roots.shell);
    edit('shell', 'src/app.tsx', addMissingExport);
    expect((await bundle('shell')).ok).toBe(true);
    expect(link('shell').kept).toBe('restored');
    revertSources();
    edit('shell', 'src/ui.tsx', (text) => `${text}\nexport const later = 2;\n`);
    expect((await bundle('shell')).ok).toBe(true);
    const linked = link('shell');
    expect(linked.diagnostics).toEqual([]);
    const after = hashTree(join(roots.shell, 'dist'));
    expect(after[PENDING_FILE]).toBeUndefined();
    const map = JSON.parse(readFileSync(join(roots.shell, 'dist/importmap.json'), 'utf8')) as { imports: Record<string, string> };
    const client = readManifest(roots.shell, 'client');
    expect(map.imports['shell/ui']).toBe(`/shell/${client.exports.ui.file}`);
    expect(served[`client/${client.exports.ui.file}`]).toBeUndefined();
    for (const url of Object.values(map.imports)) {
      const [, owner, ...rest] = url.split('/');
      expect(existsSync(join(roots[owner as Name], 'dist/client', rest.join('/')))).toBe(true);
    }
    for (const [file, hash] of Object.entries(served)) if (file.includes('.final.')) expect([file, after[file]]).toEqual([file, hash]);
    // The copy kept for the next failure is this linked build.
    expect(hashTree(getLastLinkedDir(roots.shell))).toEqual(expect.objectContaining({ 'link.json': after['link.json'] }));
  });
});
