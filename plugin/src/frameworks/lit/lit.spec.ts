/**
 * The Lit adapter in a real Rspack build: a generated Lit provider (lit, the hydration support, the server renderer)
 * and a Lit remote built for both sides; the server build renders the element into declarative shadow DOM with its
 * static styles, the client build loads the hydration support before lit.
 */
import { join } from 'node:path';
import { generateAndWrite, type GeneratedWorkspace } from '../../testing/build-generated';
import { toCustomElementName } from './index';

jest.setTimeout(120_000);

describe('lit framework', () => {
  let ws: GeneratedWorkspace;
  beforeAll(async () => {
    jest.spyOn(console, 'info').mockImplementation(() => undefined);
    jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    ws = await generateAndWrite([
      { directory: 'libs/lit-kit', role: 'provider', framework: 'lit' },
      { directory: 'apps/lit-page', role: 'host', framework: 'lit' },
      { directory: 'apps/cart', role: 'remote', framework: 'lit', host: 'lit-page' },
    ]);
  });
  afterAll(() => {
    ws?.remove();
    jest.restoreAllMocks();
  });

  it('names custom elements validly after any module name', () => {
    expect(toCustomElementName('cart', 'widget')).toBe('cart-widget');
    expect(toCustomElementName('@shop/Cart.v2', 'app')).toBe('shop-cart-v2-app');
    expect(toCustomElementName('3d', 'widget')).toBe('x-3d-widget');
  });

  it('builds the provider and a remote on both sides; the server renders declarative shadow DOM with the static styles', async () => {
    const provider = await ws.build('lit-kit');
    expect(provider.errors).toEqual([]);
    const remote = await ws.build('cart');
    expect(remote.errors).toEqual([]);
    expect(remote.warnings).toEqual([]);

    const client = ws.readExport('cart', 'client', 'widget');
    // The hydration support is imported before lit, so it patches LitElement before the element is defined.
    expect(client.indexOf('"@lit-labs/ssr-client/lit-element-hydrate-support.js"')).toBeGreaterThan(-1);
    expect(client.indexOf('"@lit-labs/ssr-client/lit-element-hydrate-support.js"')).toBeLessThan(client.indexOf('"lit"'));
    expect(client).not.toMatch(/from ?"@lit-labs\/ssr"/);

    const widget = await import(join(ws.roots.cart, 'dist/server', ws.manifest('cart', 'server').exports.widget.file));
    const html = await widget.render();
    expect(html).toMatch(/<cart-widget\s+data-esmx-widget="cart"><template shadowroot="open" shadowrootmode="open"><style>\s*button {\s*border-radius: 6px;\s*}\s*<\/style>/);
    expect(html).toMatch(/<h2>Hello from cart<\/h2><!--lit-node 2--><button type="button" >Count: <!--lit-part-->0<!--\/lit-part--><\/button>/);
  });

  it('builds the host', async () => {
    const host = await ws.build('lit-page');
    expect(host.errors).toEqual([]);
    expect(ws.readExport('lit-page', 'client', 'entry.client')).toContain('import("cart/widget")');
  });
});
