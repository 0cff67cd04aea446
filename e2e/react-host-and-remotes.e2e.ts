/**
 * What a user types, end to end: a fresh Nx workspace with the packed plugin, a React provider,
 * a React host with a React remote and an HTML remote, built, served in production and in dev,
 * and looked at in a real Chromium.
 */
import { createServer } from 'node:http';
import { join } from 'node:path';
import { hashTree } from '../plugin/src/testing/hash-tree';
import { launchChromium } from './utils/browser';
import { fetchIdempotent, fetchText, findFreePort as freePort } from './utils/net';
import { commitAll, createWorkspace, parseTaskOutcomes, run, startProcess, type Workspace } from './utils/workspace';

/** Polls until the page shows `text`; the deadline only turns a hang into a failure, no duration is asserted. */
async function waitForText(url: string, text: string, timeoutMs: number): Promise<void> {
  const started = Date.now();
  for (;;) {
    const { body } = await fetchText(url).catch(() => ({ status: 0, body: '' }));
    if (body.includes(text)) return;
    if (Date.now() - started > timeoutMs) throw new Error(`${url} did not show "${text}" within ${timeoutMs} ms:\n${body}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('react host with a react remote and an html remote', () => {
  let ws: Workspace;

  beforeAll(() => {
    ws = createWorkspace('mfe');
    ws.nxOk(['g', '@esmx/nx:init']);
    ws.nxOk(['g', '@esmx/nx:app', 'libs/shared', '--role=provider', '--framework=react']);
    // The short form: the host and its remote (generated beside it and rendered on the page) in one command.
    ws.nxOk(['g', '@esmx/nx:host', 'apps/shell', '--framework=react', '--remotes=cart']);
    ws.nxOk(['g', '@esmx/nx:app', 'apps/promo', '--role=remote', '--framework=html', '--host=shell']);
    const install = run(ws.root, 'npm', ['install', '--prefer-offline', '--no-audit', '--no-fund']);
    if (install.code !== 0) throw new Error(install.output);
    commitAll(ws, 'generated');
  });

  afterAll(() => {
    if (process.env.KEEP_E2E !== '1') ws?.remove();
  });

  it('registers the plugin and infers the targets', () => {
    const nxJson = ws.readJson('nx.json');
    expect(JSON.stringify(nxJson.plugins)).toContain('@esmx/nx/plugin');
    const shell = JSON.parse(ws.nxOk(['show', 'project', 'shell', '--json']).stdout);
    expect(Object.keys(shell.targets)).toEqual(expect.arrayContaining(['build', 'bundle', 'serve', 'start', 'validate', 'test', 'typecheck']));
    expect(shell.tags).toContain('esmx:host');
    // A remote that uses the provider is a remote, not a host: shell uses it.
    const cart = JSON.parse(ws.nxOk(['show', 'project', 'cart', '--json']).stdout);
    expect(cart.tags).toEqual(expect.arrayContaining(['esmx:module', 'esmx:remote']));
    expect(cart.tags).not.toContain('esmx:host');
    const graph = ws.nxOk(['graph', '--file=graph.json']);
    expect(graph.code).toBe(0);
    const deps = ws.readJson('graph.json').graph.dependencies;
    expect(deps.shell.map((d: { target: string }) => d.target)).toEqual(expect.arrayContaining(['cart', 'promo', 'shared']));
  });

  it('runs the specs (Jest) and the type check of every module; a type error fails typecheck (in a module or across modules), a failing expectation fails test', () => {
    const checks = ws.nx(['run-many', '-t', 'test', 'typecheck', '--outputStyle=static']);
    if (checks.code !== 0) throw new Error(`nx run-many -t test typecheck failed:\n${checks.output.slice(-6000)}`);
    const { ran } = parseTaskOutcomes(checks.output);
    expect(ran).toEqual(expect.arrayContaining(['shell:test', 'shell:typecheck', 'cart:test', 'cart:typecheck', 'promo:test', 'shared:test']));
    // Jest ran each module's specs through its jest.config.mjs (the @esmx/nx preset).
    expect(checks.output).toMatch(/PASS\s+cart\s+src\/widget\.spec\.tsx/);
    expect(checks.output).toMatch(/PASS\s+shell\s+src\/entry\.server\.spec\.tsx/);
    // `npx jest` in a module's folder runs the same specs without Nx.
    const byHand = run(join(ws.root, 'apps/promo'), 'npx', ['jest']);
    expect(byHand.code).toBe(0);
    expect(byHand.output).toMatch(/Tests:\s+1 passed, 1 total/);

    const widget = 'apps/cart/src/widget.tsx';
    const source = ws.read(widget);
    ws.write(widget, `${source}\nexport const count: number = 'zero';\n`);
    try {
      const typecheck = ws.nx(['run', 'cart:typecheck', '--skip-nx-cache', '--outputStyle=static']);
      expect(typecheck.code).not.toBe(0);
      expect(typecheck.output).toMatch(/src\/widget\.tsx\(\d+,\d+\): error TS2322/);
    } finally {
      ws.write(widget, source);
    }

    // Cross-module imports are typed: a widget whose mount needs a second argument is valid in cart, but no longer
    // satisfies what the host's remotes list expects of `cart/widget`, so the host's typecheck fails.
    ws.write(widget, source.replace('export function mount(element: Element): void {', 'export function mount(element: Element, start: number): void {\n  void start;'));
    try {
      expect(ws.nx(['run', 'cart:typecheck', '--skip-nx-cache', '--outputStyle=static']).code).toBe(0);
      const host = ws.nx(['run', 'shell:typecheck', '--skip-nx-cache', '--outputStyle=static']);
      expect(host.code).not.toBe(0);
      expect(host.output).toMatch(/src\/remotes\.ts\(\d+,\d+\): error TS2322/);
    } finally {
      ws.write(widget, source);
    }

    // The widget renders another count than its spec expects: the test target fails, naming the expectation.
    const view = 'apps/cart/src/widget-view.tsx';
    const viewSource = ws.read(view);
    ws.write(view, viewSource.replace('useState(0)', 'useState(1)'));
    try {
      const test = ws.nx(['run', 'cart:test', '--outputStyle=static']);
      expect(test.code).not.toBe(0);
      expect(test.output).toMatch(/✕ the widget of cart renders its counter at 0/);
      expect(test.output).toMatch(/Received: ".*Count: 1<\/button><\/section>"/);
    } finally {
      ws.write(view, viewSource);
    }
  });

  it('builds every module and serves the composed page to a real browser', async () => {
    const build = ws.nxOk(['run-many', '-t', 'build', '--outputStyle=static']);
    expect(build.output).toMatch(/Successfully ran target build/);
    const importMap = ws.readJson('apps/shell/dist/importmap.json');
    expect(importMap.imports['cart/widget']).toMatch(/^\/cart\/widget\.[0-9a-f]{8}\.final\.mjs$/);
    expect(importMap.imports.react).toMatch(/^\/shared\//);

    const port = await freePort();
    const server = startProcess(ws.root, 'node_modules/.bin/nx', ['run', 'shell:start', `--port=${port}`, '--outputStyle=stream']);
    try {
      await server.waitFor(new RegExp(`127\\.0\\.0\\.1:${port}`));
      const url = `http://127.0.0.1:${port}/`;

      // Server-rendered markup of every module, before any script runs.
      const { status, body } = await fetchText(url);
      expect(status).toBe(200);
      expect(body).toContain('<h1>shell</h1>');
      expect(body).toContain('data-esmx-widget="cart"');
      expect(body).toContain('data-esmx-widget="promo"');
      // Each remote is an island of its own, rendered in isolation, and none fell back.
      expect(body).toContain('<section data-esmx-remote="cart"><section data-esmx-widget="cart">');
      expect(body).toContain('<section data-esmx-remote="promo"><section data-esmx-widget="promo">');
      expect(body).not.toContain('data-esmx-failed');
      expect(body).toContain('<script type="importmap"');
      expect(body).toMatch(/<link rel="modulepreload"[^>]+integrity="sha384-/);
      // Which module provided react: the host's footer lists what each linked module provides.
      expect(body).toMatch(/<code>shared@[^<]+<\/code> provides react@19\.3\.1, react-dom@19\.3\.1/);

      const browser = await launchChromium();
      try {
        const page = await browser.context.newPage();
        const consoleProblems: string[] = [];
        page.on('console', (message) => {
          if (message.type() === 'error' || message.type() === 'warning') consoleProblems.push(message.text());
        });
        page.on('pageerror', (error) => consoleProblems.push(error.message));
        const scripts: string[] = [];
        page.on('response', (response) => {
          if (/\.m?js(\?|$)/.test(new URL(response.url()).pathname)) scripts.push(new URL(response.url()).pathname);
        });
        await page.goto(url, { waitUntil: 'networkidle' });

        // Hydrated: the React remote's counter reacts to clicks, so does the HTML remote's.
        const cartButton = page.locator('[data-esmx-widget="cart"] button');
        await cartButton.click();
        await cartButton.click();
        await expect(cartButton.textContent()).resolves.toBe('Count: 2');
        const promoButton = page.locator('[data-esmx-widget="promo"] button');
        await promoButton.click();
        await expect(promoButton.textContent()).resolves.toBe('Count: 1');
        // The host's own UI hydrates beside the remotes' islands.
        const hostButton = page.locator('#root button');
        await hostButton.click();
        await expect(hostButton.textContent()).resolves.toBe('Clicks: 1');

        // One copy of react, every script a target of the import map (or a chunk of one), no console noise.
        expect(scripts.filter((path) => path === importMap.imports.react)).toHaveLength(1);
        expect(new Set(scripts).size).toBe(scripts.length);
        const mapped = new Set(Object.values(importMap.imports) as string[]);
        for (const path of scripts) expect(mapped.has(path) || /\/chunks\//.test(path)).toBe(true);
        expect(consoleProblems).toEqual([]);
      } finally {
        await browser.close();
      }
    } finally {
      await server.stop();
    }
  });

  it('rebuilds only the changed remote and re-links the host', async () => {
    const widget = 'apps/cart/src/widget-view.tsx';
    ws.write(widget, ws.read(widget).replace('Hello from cart', 'Hello again from cart'));
    const affected = ws.nxOk(['affected', '-t', 'build', '--base=HEAD', '--outputStyle=static']);
    const { ran, cached } = parseTaskOutcomes(affected.output);
    expect(ran).toEqual(expect.arrayContaining(['cart:bundle', 'cart:build', 'shell:build']));
    expect(cached).toContain('shell:bundle');
    expect(ran).not.toContain('shell:bundle');

    const port = await freePort();
    const server = startProcess(ws.root, 'node_modules/.bin/nx', ['run', 'shell:start', `--port=${port}`, '--outputStyle=stream']);
    try {
      await server.waitFor(new RegExp(`127\\.0\\.0\\.1:${port}`));
      const browser = await launchChromium();
      try {
        const page = await browser.context.newPage();
        await page.goto(`http://127.0.0.1:${port}/`, { waitUntil: 'networkidle' });
        await expect(page.locator('[data-esmx-widget="cart"] h2').textContent()).resolves.toBe('Hello again from cart');
      } finally {
        await browser.close();
      }
    } finally {
      await server.stop();
    }
  });

  it('a build that fails (missing export, syntax error) leaves every byte of the served dist; the server keeps serving', async () => {
    const entry = 'apps/shell/src/entry.server.tsx';
    const source = ws.read(entry);
    const dist = join(ws.root, 'apps/shell/dist');
    const before = hashTree(dist);
    const port = await freePort();
    const server = startProcess(ws.root, 'node_modules/.bin/nx', ['run', 'shell:start', `--port=${port}`, '--outputStyle=stream']);
    try {
      await server.waitFor(new RegExp(`127\\.0\\.0\\.1:${port}`));
      const url = `http://127.0.0.1:${port}/`;
      const served = await fetchText(url);
      expect(served.status).toBe(200);
      const scripts = [...served.body.matchAll(/<link rel="modulepreload" href="([^"]+)"/g)].map((m) => m[1]);
      expect(scripts.length).toBeGreaterThan(0);

      const failures = [
        { name: 'an import of an export the remote does not have', code: `import { nope } from 'cart/nope';\nconsole.log(nope);\n${source}`, says: /E_NO_EXPORT/ },
        {
          name: 'a named import that the provided react does not export',
          code: `import { useStat } from 'react';\nconsole.log(useStat);\n${source}`,
          says: /E_NO_EXPORT[^\n]*src\/entry\.server\.tsx:1 has import \{ useStat \} from "react"[\s\S]*import "useState" instead/,
          // validate sees it in the sources, before any build.
          validates: true,
        },
        { name: 'a syntax error', code: `${source}\nexport const broken = ;\n`, says: /Syntax Error/ },
      ];
      for (const failure of failures) {
        ws.write(entry, failure.code);
        if (failure.validates) {
          const validate = ws.nx(['run', 'shell:validate', '--skip-nx-cache', '--outputStyle=static']);
          expect({ failure: failure.name, code: validate.code }).toEqual({ failure: failure.name, code: 1 });
          expect(validate.output).toMatch(failure.says);
        }
        const build = ws.nx(['run', 'shell:build', '--skip-nx-cache', '--outputStyle=static']);
        expect({ failure: failure.name, failed: build.code !== 0 }).toEqual({ failure: failure.name, failed: true });
        expect(build.output).toMatch(failure.says);
        expect(build.output).not.toMatch(/^\s+at .+\(.+:\d+:\d+\)$/m);
        expect({ failure: failure.name, dist: hashTree(dist) }).toEqual({ failure: failure.name, dist: before });
        // The running server still answers the page and every script it names.
        expect((await fetchText(url)).status).toBe(200);
        for (const script of scripts) expect((await fetchIdempotent(new URL(script, url))).status).toBe(200);
      }
      expect(server.child.exitCode).toBeNull();
    } finally {
      ws.write(entry, source);
      await server.stop();
    }
    // A later good build goes through as before.
    ws.nxOk(['run', 'shell:build', '--skip-nx-cache', '--outputStyle=static']);
  });

  it('validate refuses a page where two modules bundle their own react because the provider dropped it', () => {
    const manifest = 'libs/shared/package.json';
    const original = ws.read(manifest);
    const pkg = JSON.parse(original);
    pkg.esmx.provides = pkg.esmx.provides.filter((s: string) => s !== 'react');
    ws.write(manifest, JSON.stringify(pkg, null, 2));
    try {
      const validate = ws.nx(['run', 'shell:validate', '--skip-nx-cache', '--outputStyle=static']);
      expect(validate.code).toBe(1);
      expect(validate.output).toMatch(/E_SINGLETON[^\n]*"react" is imported by shell, cart and provided to none of them \(shared provides only react\/jsx-runtime\)/);
      expect(validate.output).toMatch(/fix: +add "react" \(and the subpaths the modules import\) to the esmx\.provides of shared,/);
      expect(validate.output).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
    } finally {
      ws.write(manifest, original);
    }
  });

  it('dev server: a busy port fails before any build; --devRemotes watches only the listed remote; a remote generated while it runs joins without a restart', async () => {
    const busyPort = await freePort();
    const blocker = createServer();
    await new Promise<void>((listening) => blocker.listen(busyPort, '127.0.0.1', listening));
    try {
      const busy = startProcess(ws.root, 'node_modules/.bin/nx', ['serve', 'shell', `--port=${busyPort}`, '--outputStyle=stream']);
      // The deadline only turns a dev server that wrongly keeps running into a failure.
      const code = await new Promise<number | null>((exited) => {
        const timer = setTimeout(() => exited(null), 120_000);
        busy.child.once('exit', (status) => (clearTimeout(timer), exited(status)));
      });
      if (code === null) await busy.stop();
      expect({ code: code === null ? 'still running' : code === 0 ? 0 : 'failed' }).toEqual({ code: 'failed' });
      expect(busy.output()).toMatch(new RegExp(`expected to listen on 127\\.0\\.0\\.1:${busyPort}, found EADDRINUSE`));
      expect(busy.output()).not.toMatch(/compiling/);
    } finally {
      blocker.close();
    }

    const port = await freePort();
    const server = startProcess(ws.root, 'node_modules/.bin/nx', ['serve', 'shell', `--port=${port}`, '--devRemotes=cart', '--outputStyle=stream']);
    try {
      // The host, the listed remote and the provider (its React must be the host's development build); not promo.
      const [, watching] = await server.waitFor(/dev server at http:\/\/127\.0\.0\.1:\d+\/ \(watching ([^)]*)\)/, 180_000);
      expect(watching.split(', ').sort()).toEqual(['cart', 'shared', 'shell']);
      const url = `http://127.0.0.1:${port}/`;
      await waitForText(url, 'data-esmx-widget="promo"', 60_000).catch((error) => {
        throw server.explain(error);
      });
      const generate = ws.nx(['g', '@esmx/nx:app', 'apps/wish', '--role=remote', '--framework=react', '--host=shell']);
      expect(generate.code).toBe(0);
      await server.waitFor(/shell's uses changed: added wish; re-linked without a restart/, 180_000);
      await waitForText(url, 'data-esmx-widget="wish"', 120_000).catch((error) => {
        throw server.explain(error);
      });
      expect(server.child.exitCode).toBeNull();
    } finally {
      await server.stop();
    }
  });

  it('dev server: edits apply in place with React Fast Refresh (state kept, no reload), SSR is fresh, other edits reload, a render that throws shows its stack', async () => {
    const port = await freePort();
    const server = startProcess(ws.root, 'node_modules/.bin/nx', ['serve', 'shell', `--port=${port}`, '--outputStyle=stream']);
    const edited: string[] = [];
    const edit = (file: string, from: string | RegExp, to: string) => {
      const source = ws.read(file);
      const next = source.replace(from, to);
      expect(next).not.toBe(source);
      edited.push(file);
      ws.write(file, next);
      return Date.now();
    };
    try {
      await server.waitFor(new RegExp(`127\\.0\\.0\\.1:${port}`), 180_000);
      const url = `http://127.0.0.1:${port}/`;
      await waitForText(url, 'data-esmx-widget="cart"', 60_000);
      const browser = await launchChromium();
      try {
        const page = await browser.context.newPage();
        const problems: string[] = [];
        page.on('pageerror', (error) => problems.push(error.message));
        page.on('console', (message) => message.type() === 'error' && problems.push(message.text()));
        await page.goto(url, { waitUntil: 'networkidle' });
        // State the page must keep: a marker on window (gone after a reload) and both counters at 3.
        await page.evaluate(() => Object.assign(window, { esmxMarker: 'kept' }));
        const cartButton = '[data-esmx-widget="cart"] button';
        const hostButton = 'main button';
        for (let i = 0; i < 3; i++) {
          await page.click(cartButton);
          await page.click(hostButton);
        }
        const state = () =>
          page.evaluate(
            ([cart, host]) => ({
              marker: (window as unknown as { esmxMarker?: string }).esmxMarker,
              cart: document.querySelector(cart)?.textContent,
              host: document.querySelector(host)?.textContent,
            }),
            [cartButton, hostButton],
          );
        const figures: Record<string, number> = {};

        // A remote's component: swapped in place, its count stays at 3, the host's too.
        let started = edit('apps/cart/src/widget-view.tsx', /Hello (again )?from cart/, 'Edited live in cart');
        await page.waitForFunction(() => document.body.textContent?.includes('Edited live in cart'), null, { timeout: 30_000 });
        figures['remote component'] = Date.now() - started;
        expect(await state()).toEqual({ marker: 'kept', cart: 'Count: 3', host: 'Clicks: 3' });
        // The server renders the new code on the next request.
        await waitForText(url, 'Edited live in cart', 30_000);

        // The host's own component, likewise.
        started = edit('apps/shell/src/app.tsx', 'This page is the host shell.', 'Edited live in the shell.');
        await page.waitForFunction(() => document.body.textContent?.includes('Edited live in the shell.'), null, { timeout: 30_000 });
        figures['host component'] = Date.now() - started;
        expect(await state()).toEqual({ marker: 'kept', cart: 'Count: 3', host: 'Clicks: 3' });

        // A CSS module: the new rule applies without touching the component's state.
        started = edit('apps/cart/src/widget.module.css', 'border-radius: 6px;', 'border-radius: 6px;\n  color: rgb(200, 0, 0);');
        await page.waitForFunction((button) => getComputedStyle(document.querySelector(button)!).color === 'rgb(200, 0, 0)', cartButton, {
          timeout: 30_000,
        });
        figures['css module'] = Date.now() - started;
        expect(await state()).toEqual({ marker: 'kept', cart: 'Count: 3', host: 'Clicks: 3' });
        console.info(`[e2e] edit → updated DOM in Chromium (ms): ${JSON.stringify(figures)}`);

        // A module that exports more than components cannot be swapped: the page reloads and shows the new code.
        edit('apps/cart/src/widget.tsx', 'export { Widget };', "export { Widget };\nexport const edition = 'reloaded';");
        await page.waitForFunction(() => !(window as unknown as { esmxMarker?: string }).esmxMarker, null, { timeout: 30_000 });
        await page.waitForSelector(cartButton);
        expect(problems).toEqual([]);

        // A render that throws shows the error and where it was thrown in the source, not a blank 500.
        const app = 'apps/shell/src/app.tsx';
        const appSource = ws.read(app);
        ws.write(app, appSource.replace('const [clicks, setClicks] = useState(0);', "const [clicks, setClicks] = useState(0);\n  if (clicks === 0) throw new Error('host render boom');"));
        try {
          await waitForText(url, 'rendering this page threw', 60_000);
          const overlay = await fetchText(url);
          expect(overlay.status).toBe(500);
          expect(overlay.body).toContain('host render boom');
          expect(overlay.body).toMatch(/apps\/shell\/src\/app\.tsx:\d+/);
        } finally {
          ws.write(app, appSource);
        }
        await waitForText(url, 'data-esmx-widget="cart"', 60_000);
        expect(server.child.exitCode).toBeNull();
      } finally {
        await browser.close();
      }
    } catch (error) {
      throw server.explain(error);
    } finally {
      await server.stop();
      // Later tests build the sources as generated.
      run(ws.root, 'git', ['checkout', '--', ...new Set(edited)]);
    }
  });

  it('builds in development with -c development (unminified, source maps), cached apart from production', () => {
    // The sources as earlier tests left them, built in production first, so that the cache holds that build.
    ws.nxOk(['run', 'shell:build', '--outputStyle=static']);
    const dev = ws.nx(['run', 'shell:build:development', '--outputStyle=static']);
    if (dev.code !== 0) throw new Error(dev.output.slice(-4000));
    const manifest = ws.readJson('apps/shell/dist/client/manifest.json');
    expect(manifest.exports['entry.client'].file).toBe('entry.client.mjs');
    expect(manifest.integrity).toEqual({});
    expect(ws.read('apps/shell/dist/client/entry.client.mjs.map').length).toBeGreaterThan(0);
    // Back to production: every bundle comes from the cache, nothing is rebuilt.
    const prod = ws.nx(['run', 'shell:build', '--outputStyle=static']);
    const { ran, cached } = parseTaskOutcomes(prod.output);
    expect(cached).toEqual(expect.arrayContaining(['shell:bundle', 'cart:bundle', 'shared:bundle']));
    expect(ran.filter((task) => task.endsWith(':bundle'))).toEqual([]);
    expect(ws.readJson('apps/shell/dist/client/manifest.json').exports['entry.client'].file).toMatch(/\.final\.mjs$/);
  });
});
