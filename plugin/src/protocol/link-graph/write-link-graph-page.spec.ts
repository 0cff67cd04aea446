import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BrowserContext } from 'playwright-core';
import { createLinkWorkspace, type LinkWorkspace } from '../../link/fixtures/link-workspace';
import { launchChromium } from '../../testing/chromium';
import { resolveModule } from '../resolve-module';
import type { Resolution } from '../types';
import { buildLinkGraph } from './build-link-graph';
import { renderLinkGraphPage, writeLinkGraphPage } from './write-link-graph-page';

let ws: LinkWorkspace;
let resolution: Resolution;

beforeAll(() => {
  ws = createLinkWorkspace();
  // shop also uses a module that is installed nowhere: an E_NOT_LINKED error and a "missing" node.
  const pkg = JSON.parse(readFileSync(join(ws.dir('shop'), 'package.json'), 'utf8'));
  pkg.esmx.uses.push('ghost');
  writeFileSync(join(ws.dir('shop'), 'package.json'), JSON.stringify(pkg));
  resolution = resolveModule(ws.dir('shop'), { checkFiles: false });
});
afterAll(() => ws.remove());

describe('buildLinkGraph', () => {
  it('lays the closure out in layers, consumers above what they use', () => {
    const graph = buildLinkGraph(resolution);
    const layer = Object.fromEntries(graph.nodes.map((n) => [n.name, n.layer]));
    expect(layer).toEqual({ shop: 0, cart: 1, ghost: 1, vendor: 2 });
    expect(graph.nodes.find((n) => n.name === 'ghost')).toMatchObject({ via: 'missing', severity: 'error' });
    expect(graph.edges.map((e) => `${e.from}->${e.to}:${e.kind}`).sort()).toEqual(
      ['m0->m1:uses', 'm0->m2:uses', 'm0->m3:missing', 'm1->m2:uses'].sort(),
    );
    expect(graph.supply).toEqual([
      { package: 'react', major: 19, version: '19.3.1', provider: 'vendor', specifiers: ['react'], consumers: ['cart', 'shop'] },
    ]);
  });

  it('draws a uses cycle as a back edge', () => {
    const cyclic: Resolution = JSON.parse(JSON.stringify(resolution));
    cyclic.modules.vendor.uses = ['shop'];
    const graph = buildLinkGraph(cyclic);
    expect(graph.edges.filter((e) => e.kind === 'back').map((e) => `${e.from}->${e.to}`)).toEqual(['m2->m0']);
    expect(graph.nodes.map((n) => n.layer)).toEqual([0, 1, 2, 1]);
  });
});

describe('link-graph page', () => {
  let dir: string;
  let context: BrowserContext;
  let chromium: Awaited<ReturnType<typeof launchChromium>>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'esmx-page-'));
    chromium = await launchChromium();
    context = chromium.context;
  }, 60_000);

  afterAll(async () => {
    await chromium?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is self-contained: no external script, style, image or font', () => {
    const html = renderLinkGraphPage(resolution);
    expect(html).not.toMatch(/<script|<link rel="stylesheet"|@import|url\((?!#)|src=/i);
    expect(html).toContain('<link rel="icon" href="data:,">');
  });

  it('escapes module data instead of injecting it', () => {
    const hostile: Resolution = JSON.parse(JSON.stringify(resolution));
    hostile.diagnostics.push({ ...hostile.diagnostics[0], message: '<img src=x onerror=alert(1)>' });
    expect(renderLinkGraphPage(hostile)).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });

  it('renders every module, its exports, the supply and the highlighted problems in Chromium', async () => {
    const file = writeLinkGraphPage(resolution, join(dir, 'nested/links.html'));
    const page = await context.newPage();
    const requests: string[] = [];
    const errors: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(pathToFileURL(file).href);

    expect(await page.title()).toBe('Module links of shop');
    expect(await page.locator('svg#link-graph g.node').evaluateAll((g) => g.map((n) => n.getAttribute('data-module')))).toEqual(
      ['shop', 'cart', 'vendor', 'ghost'],
    );
    expect(await page.locator('svg#link-graph path.edge').count()).toBe(4);
    // Nodes are really laid out (visible, non-overlapping boxes), not stacked at the origin.
    const boxes = await page.locator('svg#link-graph g.node rect').evaluateAll((rects) =>
      rects.map((r) => (r as SVGGraphicsElement).getBoundingClientRect()).map((b) => [Math.round(b.x), Math.round(b.y), Math.round(b.width)]),
    );
    expect(new Set(boxes.map((b) => `${b[0]},${b[1]}`)).size).toBe(4);
    expect(boxes.every((b) => b[2] === 200)).toBe(true);

    expect(await page.locator('#modules article.module').count()).toBe(4);
    expect(await page.locator('article[data-module="cart"] tr[data-export="widget"]').innerText()).toContain('cart/widget');
    expect(await page.locator('article[data-module="vendor"]').innerText()).toContain('react@19.3.1');
    const supply = await page.locator('#supply tr[data-package="react"]').innerText();
    expect(supply.replace(/\s+/g, ' ')).toBe('react@19.3.1 19.x vendor react cart shop');

    // Problems are highlighted: the missing module's node and card, and the diagnostic block.
    expect(await page.locator('g.node[data-module="ghost"]').getAttribute('class')).toBe('node error missing');
    const ghost = await page.locator('g.node[data-module="ghost"] rect').evaluate((r) => {
      const style = getComputedStyle(r);
      return [style.fill, style.stroke, style.strokeDasharray];
    });
    expect(ghost).toEqual(['rgb(240, 240, 240)', 'rgb(198, 40, 40)', '5px, 4px']);
    expect(await page.locator('g.node[data-module="shop"]').getAttribute('class')).toBe('node root error');
    expect(await page.locator('g.node[data-module="shop"] rect').evaluate((r) => getComputedStyle(r).fill)).toBe('rgb(253, 236, 234)');
    expect(await page.locator('#diagnostics .diagnostic.error[data-code="E_NOT_LINKED"]').count()).toBe(1);
    expect(await page.locator('#summary').innerText()).toMatch(/4 modules, 4 links, 1 provided package group · 1 error/);

    expect(requests).toEqual([pathToFileURL(file).href]);
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);
});
