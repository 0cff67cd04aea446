/**
 * The Vue adapter in a real Rspack build: a generated Vue provider, a Vue remote (an SFC with <script setup
 * lang="ts"> and scoped CSS) built for both sides; the server build renders the component through the provided
 * vue/server-renderer, the client build hydrates it and ships its scoped style.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateAndWrite, type GeneratedWorkspace } from '../../testing/build-generated';

jest.setTimeout(120_000);

describe('vue framework', () => {
  let ws: GeneratedWorkspace;
  beforeAll(async () => {
    jest.spyOn(console, 'info').mockImplementation(() => undefined);
    jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    ws = await generateAndWrite([
      { directory: 'libs/vue-kit', role: 'provider', framework: 'vue' },
      { directory: 'apps/vue-page', role: 'host', framework: 'vue' },
      { directory: 'apps/cart', role: 'remote', framework: 'vue', host: 'vue-page' },
    ]);
  });
  afterAll(() => {
    if (!process.env.KEEP_GENERATED) ws?.remove();
    jest.restoreAllMocks();
  });

  it('builds a remote SFC on both sides, vue and vue/server-renderer kept bare for the provider', async () => {
    const provider = await ws.build('vue-kit');
    expect(provider.errors).toEqual([]);
    const remote = await ws.build('cart');
    expect(remote.errors).toEqual([]);
    expect(remote.warnings).toEqual([]);

    const server = ws.readExport('cart', 'server', 'widget');
    expect(server).toMatch(/from ?"vue"/);
    expect(server).toMatch(/import\("vue\/server-renderer"\)|from ?"vue\/server-renderer"/);
    // The server build compiled the template to an SSR render function; the client build to a DOM render function.
    expect(server).toContain('ssrInterpolate');
    const client = ws.readExport('cart', 'client', 'widget');
    expect(client).not.toContain('ssrInterpolate');
    expect(client).toMatch(/from ?"vue"/);

    // Rendered on the server through the module's own server file, as a host renders the island.
    const widget = await import(join(ws.roots.cart, 'dist/server', ws.manifest('cart', 'server').exports.widget.file));
    expect(await widget.render()).toMatch(
      /^<section data-esmx-widget="cart" class="widget" data-v-([0-9a-f]{8})><h2 data-v-\1>Hello from cart<\/h2><button type="button" data-v-\1>Count: 0<\/button><\/section>$/,
    );
  });

  it('ships the scoped style as a CSS file of the client build, keyed by the same scope id as the SSR markup', async () => {
    const widget = await import(join(ws.roots.cart, 'dist/server', ws.manifest('cart', 'server').exports.widget.file));
    const scope = /data-v-[0-9a-f]{8}/.exec(await widget.render())?.[0];
    const css = ws.manifest('cart', 'client').files.filter((file) => file.endsWith('.css'));
    expect(css).toHaveLength(1);
    expect(readFileSync(join(ws.roots.cart, 'dist/client', css[0]), 'utf8')).toContain(`.widget button[${scope}]`);
  });

  it('builds the host: App.vue hydrated with createSSRApp, its scoped style in the client build', async () => {
    const host = await ws.build('vue-page');
    expect(host.errors).toEqual([]);
    // Remotes load with dynamic imports, so the server entry loads without the import map that resolves cart/widget.
    const entry = await import(join(ws.roots['vue-page'], 'dist/server', ws.manifest('vue-page', 'server').exports['entry.server'].file));
    expect(typeof entry.default).toBe('function');
    const client = ws.readExport('vue-page', 'client', 'entry.client');
    expect(client).toContain('createSSRApp');
    expect(client).toContain('import("cart/widget")');
    expect(ws.manifest('vue-page', 'client').files.filter((file) => file.endsWith('.css'))).toHaveLength(1);
  });
});
