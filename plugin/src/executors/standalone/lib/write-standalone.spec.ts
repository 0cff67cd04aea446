/**
 * The standalone folder of the runtime's composed fixture host (shell + cart + nav + provider shared): the runtime
 * really bundled by Rspack, the folder copied to a fresh temporary directory (no node_modules above it) and run with
 * `node index.mjs` and an environment of PATH and PORT only; its page equals startServer's over the workspace.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createComposedHost, type ComposedHost } from '../../../runtime/fixtures/composed-host/create-fixture';
import { httpRequest, spawnServer, type SpawnedServer } from '../../../runtime/fixtures/composed-host/spawn-server';
import { writeStandalone } from './write-standalone';

jest.setTimeout(120_000);

let workspace: string;
let host: ComposedHost;
let copy: string;
let result: Awaited<ReturnType<typeof writeStandalone>>;

function listFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? listFiles(path) : [path];
  });
}

function hasNodeModulesAbove(dir: string): boolean {
  for (let at = dir; ; at = dirname(at)) {
    if (existsSync(join(at, 'node_modules'))) return true;
    if (dirname(at) === at) return false;
  }
}

/** `node index.mjs` in `dir` with only PATH and PORT=0; resolves with the port it printed. */
function runStandalone(dir: string): Promise<{ child: ChildProcess; port: number; output: () => string }> {
  const child = spawn(process.execPath, ['index.mjs'], { cwd: dir, env: { PATH: process.env.PATH ?? '', PORT: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk;
      const match = /listening on http:\/\/127\.0\.0\.1:(\d+)\//.exec(output);
      if (match) resolve({ child, port: Number(match[1]), output: () => output });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => reject(new Error(`node index.mjs exited ${code}:\n${output}`)));
  });
}

beforeAll(async () => {
  workspace = mkdtempSync(join(tmpdir(), 'esmx-standalone-'));
  host = createComposedHost(join(workspace, 'ws'));
  result = await writeStandalone(host.root, join(workspace, 'out'));
  copy = mkdtempSync(join(tmpdir(), 'esmx-standalone-copy-'));
  cpSync(result.dir, copy, { recursive: true });
});

afterAll(() => {
  rmSync(workspace, { recursive: true, force: true });
  rmSync(copy, { recursive: true, force: true });
});

describe('writeStandalone', () => {
  it('writes index.mjs, a dependency-free ESM package.json, the bundled runtime and every linked module', () => {
    const pkg = JSON.parse(readFileSync(join(result.dir, 'package.json'), 'utf8'));
    expect(pkg.type).toBe('module');
    expect(pkg.dependencies).toBeUndefined();
    expect(existsSync(join(result.dir, 'index.mjs'))).toBe(true);
    expect(readdirSync(join(result.dir, 'runtime')).sort()).toEqual(['es-module-shims.js', 'index.cjs', 'loader-hooks.mjs']);
    expect(result.modules.map((m) => [m.name, m.source]).sort()).toEqual([
      ['cart', 'dir'],
      ['nav', 'dir'],
      ['shared', 'dir'],
      ['shell', 'dir'],
    ]);
    const link = JSON.parse(readFileSync(join(result.dir, 'modules/shell/dist/link.json'), 'utf8'));
    expect(link.modules).toEqual({ cart: { dir: '../cart' }, nav: { dir: '../nav' }, shared: { dir: '../shared' }, shell: { dir: '.' } });
  });

  it('imports nothing from npm: no node_modules, no require of a package, only node: built-ins', () => {
    const files = listFiles(result.dir);
    expect(files.some((file) => file.includes('node_modules'))).toBe(false);
    const runtime = readFileSync(join(result.dir, 'runtime/index.cjs'), 'utf8');
    const required = [...runtime.matchAll(/\brequire\(["']([^"']+)["']\)/g)].map((m) => m[1]);
    expect(required.length).toBeGreaterThan(0);
    expect(required.filter((name) => !name.startsWith('node:') && !/^[a-z_]+$/.test(name))).toEqual([]);
    expect(runtime).not.toMatch(/require\(["']@esmx\/nx|require\(["']@nx\/|require\(["']nx["']|@rspack\/core["']/);
  });

  it('serves, from a copy with an empty environment, the same page as startServer over the workspace', async () => {
    expect(hasNodeModulesAbove(copy)).toBe(false);
    const standalone = await runStandalone(copy);
    let reference: SpawnedServer | undefined;
    try {
      reference = await spawnServer(host.root);
      for (const path of ['/', '/missing', '/fallback']) {
        const [a, b] = await Promise.all([httpRequest(standalone.port, path), httpRequest(reference.port, path)]);
        expect([a.status, a.text]).toEqual([b.status, b.text]);
      }
      const page = await httpRequest(standalone.port, '/');
      expect(page.text).toContain('<section id="cart" data-version="v1">');
      const shim = /src:"(\/_esmx\/es-module-shims\.[0-9a-f]{8}\.final\.js)"/.exec(page.text)![1];
      expect((await httpRequest(standalone.port, shim)).status).toBe(200);
      const widget = /"cart\/widget":"([^"]+)"/.exec(page.text)![1];
      const [a, b] = await Promise.all([httpRequest(standalone.port, widget), httpRequest(reference.port, widget)]);
      expect(a.status).toBe(200);
      expect(a.body.equals(b.body)).toBe(true);
    } finally {
      standalone.child.kill('SIGKILL');
      reference?.child.kill('SIGKILL');
    }
  });
});

describe('writeStandalone refuses', () => {
  it('a host that was never built, naming the link file', async () => {
    await expect(writeStandalone(join(workspace, 'ws', 'nothing'), join(workspace, 'out2'))).rejects.toThrow(
      /^\[esmx:ssr\] expected the link file at .*link\.json, found no file\. Fix: build/,
    );
  });

  it('a linked module without built files, and leaves the previous output as it was', async () => {
    const before = readFileSync(join(result.dir, 'index.mjs'), 'utf8');
    writeFileSync(join(result.dir, 'marker'), 'previous');
    rmSync(join(host.roots.nav, 'dist', 'client'), { recursive: true });
    rmSync(join(host.roots.nav, 'dist', 'server'), { recursive: true });
    await expect(writeStandalone(host.root, result.dir)).rejects.toThrow(
      /^\[esmx:standalone\] expected the built files of nav in .*, found neither\. Fix: build it first/,
    );
    expect(readFileSync(join(result.dir, 'index.mjs'), 'utf8')).toBe(before);
    expect(readFileSync(join(result.dir, 'marker'), 'utf8')).toBe('previous');
    expect(readdirSync(dirname(result.dir)).filter((name) => name.includes('.tmp-'))).toEqual([]);
  });
});
