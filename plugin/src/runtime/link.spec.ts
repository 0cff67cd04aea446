import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadLinkedHost } from './link';

describe('loadLinkedHost with a module linked to a URL that never answers', () => {
  let workspace: string;
  let silent: Server;
  let port: number;
  beforeAll(async () => {
    workspace = mkdtempSync(join(tmpdir(), 'esmx-link-'));
    // Accepts the connection and never answers: a CDN or proxy that hangs.
    silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    port = (silent.address() as AddressInfo).port;
    mkdirSync(join(workspace, 'dist'), { recursive: true });
    writeFileSync(
      join(workspace, 'dist/link.json'),
      JSON.stringify({ protocol: 2, module: 'shell', modules: { cart: { url: `http://127.0.0.1:${port}/cart/client/` }, shell: { dir: '.' } } }),
    );
  });
  afterAll(async () => {
    silent.closeAllConnections();
    await new Promise((resolve) => silent.close(resolve));
    rmSync(workspace, { recursive: true, force: true });
  });

  // The message names the 300 ms deadline: it is the timeout that ended the wait, not Jest's deadline below.
  it('gives up after the fetch timeout with a tagged message naming the URL and the fix', async () => {
    await expect(loadLinkedHost(workspace, { fetchTimeoutMs: 300 })).rejects.toThrow(
      `[esmx:ssr] expected an answer from http://127.0.0.1:${port}/cart/client/manifest.json within 300 ms, found none. ` +
        'Fix: check that the module is deployed at the link URL and reachable from this server.',
    );
  }, 30_000);
});
