/**
 * The compatibility suite of "any npm package can be provided": one provider (libs/shared) provides 40 specifiers of
 * popular packages, subpaths included; a React host (shell) and a React remote (cart) import each of them, with named,
 * default (where the package has one on both sides) and namespace imports, and exercise them at SSR and in a real
 * Chromium. The probes check identity across subpaths and packages (react-router/react-router-dom, rxjs/operators,
 * jotai/utils, @reduxjs/toolkit re-exporting redux, @emotion/styled on @emotion/react, preact/hooks) and between
 * the host and the remote. The probe sources are in e2e/fixtures/provided-packages.
 */
import { cpSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { launchChromium } from './utils/browser';
import { fetchText, findFreePort } from './utils/net';
import { createWorkspace, run, startProcess, type Workspace } from './utils/workspace';

const fixtures = join(__dirname, 'fixtures/provided-packages');
const packages: { dependencies: Record<string, string>; provides: string[] } = JSON.parse(
  readFileSync(join(fixtures, 'packages.json'), 'utf8'),
);
/** The host-only probes of fixtures/provided-packages/shell/cross-probes.tsx. */
const CROSS_PROBES = ['shell=cart:instances', 'shell=cart:rxjs', 'shell=cart:zod', 'shell=cart:react'];

type Results = Record<string, string>;

function allOk(names: string[]): Results {
  return Object.fromEntries(names.map((name) => [name, 'ok']));
}

function decodeAttribute(value: string): string {
  return value
    .replace(/&quot;/g, '"')
    .replace(/&#x27;/g, "'")
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/** The server's result of every probe, per module, from the SSR markup. */
function readServerResults(html: string): Record<string, Results> {
  const modules: Record<string, Results> = {};
  for (const [, name, items] of html.matchAll(/<ul data-probes="([^"]+)">(.*?)<\/ul>/gs)) {
    const results: Results = {};
    for (const [, probe, server] of items.matchAll(/<li data-probe="([^"]*)"(?: data-server="([^"]*)")?/g)) {
      results[decodeAttribute(probe)] = server === undefined ? '(no data-server)' : decodeAttribute(server);
    }
    modules[name] = results;
  }
  return modules;
}

/** Replaces `from` in a generated file, and fails when the generated code no longer has it. */
function patch(ws: Workspace, path: string, from: string, to: string): void {
  const source = ws.read(path);
  if (!source.includes(from)) throw new Error(`${path} no longer contains ${JSON.stringify(from)}:\n${source}`);
  ws.write(path, source.replace(from, to));
}

function editJson(ws: Workspace, path: string, edit: (json: any) => void): void {
  const json = ws.readJson(path);
  edit(json);
  ws.write(path, `${JSON.stringify(json, null, 2)}\n`);
}

describe('provided packages: the compatibility suite', () => {
  let ws: Workspace;
  let server: ReturnType<typeof startProcess> | undefined;
  let url = '';

  beforeAll(() => {
    ws = createWorkspace('compat');
    ws.nxOk(['g', '@esmx/nx:init']);
    ws.nxOk(['g', '@esmx/nx:app', 'libs/shared', '--role=provider', '--framework=react', '--skipInstall']);
    ws.nxOk(['g', '@esmx/nx:app', 'apps/shell', '--role=host', '--framework=react', '--skipInstall']);
    ws.nxOk(['g', '@esmx/nx:app', 'apps/cart', '--role=remote', '--framework=react', '--host=shell', '--skipInstall']);

    // The provider installs and provides every package; the host and the remote declare the same ranges.
    editJson(ws, 'libs/shared/package.json', (json) => {
      json.dependencies = { ...json.dependencies, ...packages.dependencies };
      json.esmx.provides = packages.provides;
    });
    for (const app of ['apps/shell', 'apps/cart']) {
      editJson(ws, `${app}/package.json`, (json) => {
        json.dependencies = { ...json.dependencies, ...packages.dependencies };
      });
      cpSync(join(fixtures, 'common'), join(ws.root, app, 'src'), { recursive: true });
    }
    // cart: the generated counter widget with the probes, and 'cart/probes' for the host's cross checks.
    editJson(ws, 'apps/cart/package.json', (json) => {
      json.esmx.exports['./probes'] = './src/remote-probes.tsx';
      json.exports['./probes'] = './src/remote-probes.tsx';
    });
    cpSync(join(fixtures, 'cart'), join(ws.root, 'apps/cart/src'), { recursive: true });
    cpSync(join(fixtures, 'shell'), join(ws.root, 'apps/shell/src'), { recursive: true });
    // The host's entries: the server runs the probes before rendering <App>, the browser hydrates with its results.
    patch(
      ws,
      'apps/shell/src/entry.server.tsx',
      'const app = renderToString(<App />);',
      'const app = renderToString(<App probes={await runProbes(crossProbes)} />);',
    );
    patch(ws, 'apps/shell/src/entry.server.tsx', "import { App } from './app';", "import { App } from './app';\nimport { crossProbes } from './cross-probes';\nimport { runProbes } from './probes';");
    patch(ws, 'apps/shell/src/entry.client.tsx', 'hydrateRoot(root, <App />);', 'hydrateRoot(root, <App probes={readServerResults(root)} />);');
    patch(ws, 'apps/shell/src/entry.client.tsx', "import { App } from './app';", "import { App } from './app';\nimport { readServerResults } from './probes';");
    // The generated specs describe the generated markup, which the probes extend.
    for (const spec of ['apps/shell/src/entry.server.spec.tsx', 'apps/cart/src/widget.spec.tsx']) rmSync(join(ws.root, spec));

    const install = run(ws.root, 'npm', ['install', '--prefer-offline', '--no-audit', '--no-fund']);
    if (install.code !== 0) throw new Error(install.output);
  });

  afterAll(async () => {
    await server?.stop();
    if (process.env.KEEP_E2E !== '1') ws?.remove();
  });

  it('builds the provider, the host and the remote; the import map serves every provided specifier from shared', () => {
    const build = ws.nx(['run-many', '-t', 'build', '--outputStyle=static']);
    if (build.code !== 0) throw new Error(`nx run-many -t build failed:\n${build.output.slice(-8000)}`);
    const importMap = ws.readJson('apps/shell/dist/importmap.json');
    const targets = Object.fromEntries(packages.provides.map((specifier) => [specifier, importMap.imports[specifier]]));
    for (const specifier of packages.provides) expect({ specifier, target: targets[specifier] }).toEqual({ specifier, target: expect.stringMatching(/^\/shared\//) });
    expect(packages.provides.length).toBeGreaterThanOrEqual(35);
  });

  it('server-renders every probe of the host and of the remote as ok', async () => {
    const port = await findFreePort();
    server = startProcess(ws.root, 'node_modules/.bin/nx', ['run', 'shell:start', `--port=${port}`, '--renderTimeout=60000', '--outputStyle=stream']);
    await server.waitFor(new RegExp(`127\\.0\\.0\\.1:${port}`));
    url = `http://127.0.0.1:${port}/`;

    const { status, body } = await fetchText(url);
    expect(status).toBe(200);
    expect(body).toContain('<section data-esmx-remote="cart"><section data-esmx-widget="cart">');
    expect(body).not.toContain('data-esmx-failed');
    expect(readServerResults(body)).toEqual({
      shell: allOk([...packages.provides, ...CROSS_PROBES]),
      cart: allOk(packages.provides),
    });
  });

  it('runs every probe again in Chromium after hydration: all ok, no console noise, each provided file fetched once', async () => {
    expect(url).not.toBe('');
    const importMap = ws.readJson('apps/shell/dist/importmap.json');
    const browser = await launchChromium();
    try {
      const page = await browser.context.newPage();
      const consoleProblems: string[] = [];
      page.on('console', (message) => {
        // First line only: a failing probe's stack would bury the other problems.
        if (message.type() === 'error' || message.type() === 'warning') consoleProblems.push(`${message.type()}: ${message.text().split('\n')[0]}`);
      });
      page.on('pageerror', (error) => consoleProblems.push(`pageerror: ${error.message}`));
      const fetched = new Map<string, number>();
      page.on('response', (response) => {
        const path = new URL(response.url()).pathname;
        fetched.set(path, (fetched.get(path) ?? 0) + 1);
      });
      await page.goto(url, { waitUntil: 'networkidle' });
      await page.waitForFunction(
        () => {
          const items = [...document.querySelectorAll('li[data-probe]')];
          return items.length > 0 && items.every((item) => item.hasAttribute('data-client'));
        },
        null,
        { timeout: 60_000 },
      );
      const clientResults = await page.evaluate(() => {
        const modules: Record<string, Record<string, string>> = {};
        for (const list of document.querySelectorAll('ul[data-probes]')) {
          const results: Record<string, string> = {};
          for (const item of list.querySelectorAll('li[data-probe]')) results[item.getAttribute('data-probe') ?? ''] = item.getAttribute('data-client') ?? '';
          modules[list.getAttribute('data-probes') ?? ''] = results;
        }
        return modules;
      });

      // The generated counters still respond: the remote's island and the host's own UI.
      const cartButton = page.locator('[data-esmx-widget="cart"] button');
      await cartButton.click();
      await cartButton.click();
      const hostButton = page.locator('#root button');
      await hostButton.click();
      const counters = { cart: await cartButton.textContent(), shell: await hostButton.textContent() };

      // One instance per provided file: the import-map target of every provided specifier is fetched once (the probes
      // import each of them), and no file under /shared/ (targets and their chunks) twice.
      const fetchedTargets = Object.fromEntries(packages.provides.map((specifier) => [specifier, fetched.get(importMap.imports[specifier]) ?? 0]));
      const fetchedTwice = [...fetched].filter(([path, count]) => path.startsWith('/shared/') && count > 1);

      // One assertion for all of it, so that one run reports every failing probe and every other problem.
      expect({ probes: clientResults, counters, fetchedTargets, fetchedTwice, consoleProblems }).toEqual({
        probes: { shell: allOk([...packages.provides, ...CROSS_PROBES]), cart: allOk(packages.provides) },
        counters: { cart: 'Count: 2', shell: 'Clicks: 1' },
        fetchedTargets: Object.fromEntries(packages.provides.map((specifier) => [specifier, 1])),
        fetchedTwice: [],
        consoleProblems: [],
      });
    } finally {
      await browser.close();
    }
  });

  it('refuses at link time a default import of rxjs, whose ESM build has no default export (E_NO_EXPORT)', () => {
    const widget = 'apps/cart/src/widget.tsx';
    const source = ws.read(widget);
    ws.write(widget, `import rxjsDefault from 'rxjs';\nexport const refused = rxjsDefault;\n${source}`);
    try {
      const build = ws.nx(['run', 'cart:build', '--skip-nx-cache', '--outputStyle=static']);
      expect({ failed: build.code !== 0, output: build.code !== 0 ? 'failed' : build.output.slice(-600) }).toEqual({ failed: true, output: 'failed' });
      expect(build.output).toMatch(/E_NO_EXPORT/);
      expect(build.output).toMatch(/rxjs/);
      expect(build.output).toMatch(/default/);
    } finally {
      ws.write(widget, source);
    }
  });
});
