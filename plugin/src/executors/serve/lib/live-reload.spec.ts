import { createServer, get, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLiveReloadHub, injectAfterHeadStart, renderLiveReloadScript } from './live-reload';

/** Collects the text of an SSE stream until `until` matches it. */
function readEvents(port: number, path: string, until: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path }, (res: IncomingMessage) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
        if (until.test(text)) {
          res.destroy();
          resolve(text);
        }
      });
    }).on('error', reject);
  });
}

describe('the live-reload hub', () => {
  it('announces a hot update with the module, its client hash and the new version; a reload without them', async () => {
    const hub = createLiveReloadHub('/');
    const server = createServer((req, res) => void hub.handle(req, res));
    await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
    try {
      const { port } = server.address() as AddressInfo;
      const events = readEvents(port, '/_esmx/events', /event: reload/);
      while (hub.clients === 0) await new Promise((tick) => setImmediate(tick));
      hub.hotUpdate('cart', '0123456789abcdef');
      hub.broadcast();
      const text = await events;
      expect(text).toContain('event: hello\ndata: 0\n\n');
      expect(text).toContain('event: hot\ndata: {"version":"1","module":"cart","hash":"0123456789abcdef"}\n\n');
      expect(text).toContain('event: reload\ndata: 2\n\n');
      expect(hub.version).toBe(2);
    } finally {
      hub.close();
      server.close();
    }
  });

  it('renders a client that hands hot updates to the page and reloads when nothing on the page takes one', () => {
    const script = renderLiveReloadScript('/shop/', 4);
    expect(script).toContain('new EventSource("/shop/_esmx/events")');
    expect(script).toContain('dispatchEvent(new CustomEvent("esmx:hot",{detail}));if(!detail.handled)location.reload()');
  });
});

describe('injectAfterHeadStart', () => {
  it('puts scripts first in the head, before the import map and every module script', () => {
    const html = '<!doctype html><html><head lang="x"><script type="importmap">{}</script></head><body></body></html>';
    expect(injectAfterHeadStart(html, '<script>first()</script>')).toBe(
      '<!doctype html><html><head lang="x"><script>first()</script><script type="importmap">{}</script></head><body></body></html>',
    );
    expect(injectAfterHeadStart('<p>no head</p>', '<script>first()</script>')).toBe('<script>first()</script><p>no head</p>');
  });
});
