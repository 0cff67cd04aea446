/**
 * The Solid adapter in a real Rspack build: a generated Solid provider and a Solid remote built for both sides with
 * babel-preset-solid (`ssr` on the server, `dom` in the browser, both hydratable); the server build renders through the
 * provided solid-js/web, with the island's own hydration keys.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateAndWrite, type GeneratedWorkspace } from '../../testing/build-generated';

jest.setTimeout(120_000);

describe('solid framework', () => {
  let ws: GeneratedWorkspace;
  beforeAll(async () => {
    jest.spyOn(console, 'info').mockImplementation(() => undefined);
    jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    ws = await generateAndWrite([
      { directory: 'libs/solid-kit', role: 'provider', framework: 'solid' },
      { directory: 'apps/solid-page', role: 'host', framework: 'solid' },
      { directory: 'apps/cart', role: 'remote', framework: 'solid', host: 'solid-page' },
    ]);
  });
  afterAll(() => {
    ws?.remove();
    jest.restoreAllMocks();
  });

  it('builds a remote on both sides with Solid JSX, solid-js kept bare for the provider', async () => {
    const provider = await ws.build('solid-kit');
    expect(provider.errors).toEqual([]);
    const remote = await ws.build('cart');
    expect(remote.errors).toEqual([]);
    expect(remote.warnings).toEqual([]);

    const server = ws.readExport('cart', 'server', 'widget');
    expect(server).toMatch(/from ?"solid-js\/web"/);
    expect(server).toContain('ssrHydrationKey');
    const client = ws.readExport('cart', 'client', 'widget');
    expect(client).toMatch(/from ?"solid-js\/web"/);
    expect(client).toMatch(/from ?"solid-js"/);
    expect(client).toContain('getNextElement');
    expect(client).not.toContain('ssrHydrationKey');

    const widget = await import(join(ws.roots.cart, 'dist/server', ws.manifest('cart', 'server').exports.widget.file));
    expect(widget.render()).toMatch(
      /^<section data-hk="cart_00" data-esmx-widget="cart"><h2>Hello from cart<\/h2><button type="button" class="(counter-[\w-]{6})">Count: 0<\/button><\/section>$/,
    );
    // The CSS module's class is the same in the server markup and in the browser's stylesheet.
    const className = /class="([^"]+)"/.exec(widget.render())?.[1];
    const css = ws.manifest('cart', 'client').files.filter((file) => file.endsWith('.css'));
    expect(css).toHaveLength(1);
    expect(readFileSync(join(ws.roots.cart, 'dist/client', css[0]), 'utf8')).toContain(`.${className}{`);
  });

  it('builds the host: <App /> hydrated, the hydration script in its head', async () => {
    const host = await ws.build('solid-page');
    expect(host.errors).toEqual([]);
    const client = ws.readExport('solid-page', 'client', 'entry.client');
    expect(client).toContain('import("cart/widget")');
    expect(ws.readExport('solid-page', 'server', 'entry.server')).toContain('generateHydrationScript');
  });
});
