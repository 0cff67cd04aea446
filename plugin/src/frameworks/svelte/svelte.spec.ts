/**
 * The Svelte adapter in a real Rspack build: a generated Svelte provider, a Svelte 5 remote (runes, TypeScript,
 * component CSS) built for both sides; the server build renders through the provided svelte/server, the client build
 * hydrates on the provided svelte/internal/client and ships the component CSS as a file.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateAndWrite, type GeneratedWorkspace } from '../../testing/build-generated';

jest.setTimeout(120_000);

describe('svelte framework', () => {
  let ws: GeneratedWorkspace;
  beforeAll(async () => {
    jest.spyOn(console, 'info').mockImplementation(() => undefined);
    jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    ws = await generateAndWrite([
      { directory: 'libs/svelte-kit', role: 'provider', framework: 'svelte' },
      { directory: 'apps/svelte-page', role: 'host', framework: 'svelte' },
      { directory: 'apps/cart', role: 'remote', framework: 'svelte', host: 'svelte-page' },
    ]);
  });
  afterAll(() => {
    ws?.remove();
    jest.restoreAllMocks();
  });

  it('builds a remote component on both sides, the Svelte runtime kept bare for the provider', async () => {
    const provider = await ws.build('svelte-kit');
    expect(provider.errors).toEqual([]);
    // Svelte's own files import `svelte/internal/client` by name: inside its provider's build that stays internal (one
    // instance through the shared runtime), never a bare import of the build's own entry (an import cycle).
    for (const file of ws.manifest('svelte-kit', 'client').files.filter((f) => f.endsWith('.mjs'))) {
      expect([file, readFileSync(join(ws.roots['svelte-kit'], 'dist/client', file), 'utf8')]).not.toEqual([file, expect.stringMatching(/(?:from|import)\s*\(?\s*["']svelte(?:\/[^"']*)?["']/)]);
    }
    const remote = await ws.build('cart');
    expect(remote.errors).toEqual([]);
    expect(remote.warnings).toEqual([]);

    const server = ws.readExport('cart', 'server', 'widget');
    expect(server).toMatch(/from ?"svelte\/internal\/server"/);
    expect(server).toMatch(/import\("svelte\/server"\)/);
    const client = ws.readExport('cart', 'client', 'widget');
    expect(client).toMatch(/from ?"svelte\/internal\/client"/);
    expect(client).toMatch(/from ?"svelte"/);
    expect(client).not.toContain('svelte/internal/server');

    const widget = await import(join(ws.roots.cart, 'dist/server', ws.manifest('cart', 'server').exports.widget.file));
    expect(await widget.render()).toMatch(
      /^<!--\[-->(<!---->)?<section data-esmx-widget="cart"><h2>Hello from cart<\/h2> ?<button type="button" class="(svelte-[a-z0-9]+)">Count: 0<\/button><\/section><!--\]-->$/,
    );
  });

  it('ships the component CSS as a CSS file of the client build, scoped by the class of the SSR markup', async () => {
    const widget = await import(join(ws.roots.cart, 'dist/server', ws.manifest('cart', 'server').exports.widget.file));
    const scope = /svelte-[a-z0-9]+/.exec(await widget.render())?.[0];
    const css = ws.manifest('cart', 'client').files.filter((file) => file.endsWith('.css'));
    expect(css).toHaveLength(1);
    expect(readFileSync(join(ws.roots.cart, 'dist/client', css[0]), 'utf8')).toContain(`button.${scope}`);
  });

  it('builds the host: App.svelte hydrated, its component CSS in the client build', async () => {
    const host = await ws.build('svelte-page');
    expect(host.errors).toEqual([]);
    const entry = await import(join(ws.roots['svelte-page'], 'dist/server', ws.manifest('svelte-page', 'server').exports['entry.server'].file));
    expect(typeof entry.default).toBe('function');
    const client = ws.readExport('svelte-page', 'client', 'entry.client');
    expect(client).toContain('import("cart/widget")');
    expect(ws.manifest('svelte-page', 'client').files.filter((file) => file.endsWith('.css'))).toHaveLength(1);
  });
});
