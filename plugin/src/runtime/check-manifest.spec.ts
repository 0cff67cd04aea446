/**
 * Manifests and link files are checked when loaded: a crafted or broken one is refused with one tagged line naming
 * the file, the field, the value and the fix — before any of its values reaches HTML, a URL or a path.
 */
import { mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkManifest, isContainedFileName } from './check-manifest';
import { createComposedHost, type ComposedHost } from './fixtures/composed-host/create-fixture';
import { loadLinkedHost } from './link';
import { httpRequest, spawnServer, type SpawnedServer } from './fixtures/composed-host/spawn-server';

const HOSTILE = `"><script>alert(1)</script>`;
const source = { file: '/ws/cart/dist/client/manifest.json', fix: 'rebuild cart (nx run cart:build).' };
const valid = () => ({
  protocol: 2, name: 'cart', version: '1.0.0', target: 'client', provides: { tpl: { version: '1.0.0' } }, uses: ['shared'],
  exports: { widget: { name: 'widget', pkg: false, file: 'widget.1a2b3c4d.final.mjs', identifier: 'cart/widget' } },
  scopes: { tpl: 'shared' }, files: ['widget.1a2b3c4d.final.mjs', 'chunks/a.final.mjs'],
  chunks: { widget: { js: 'widget.1a2b3c4d.final.mjs', css: ['w.css'], resources: ['f.woff2'], imports: ['chunks/a.final.mjs'], externals: ['tpl'] } },
  integrity: { 'widget.1a2b3c4d.final.mjs': 'sha384-AbC+/09=', 'chunks/a.final.mjs': 'sha256-x', 'w.css': 'sha512-Zz==' },
});
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Manifest = any;

describe('checkManifest', () => {
  it('accepts what the build writes, and a development build without integrity', () => {
    expect(checkManifest(valid(), 'cart', 'client', source)).toEqual(valid());
    const dev: Manifest = valid();
    delete dev.integrity;
    expect(() => checkManifest(dev, 'cart', 'client', source)).not.toThrow();
  });

  it.each<[string, (m: Manifest) => void, string]>([
    ['an integrity that could leave its attribute', (m) => (m.integrity['w.css'] = HOSTILE), `integrity["w.css"] in ${source.file} to be sha256-, sha384- or sha512-<base64>, found "\\"><script>alert(1)</script>"`],
    ['an integrity of another algorithm', (m) => (m.integrity['w.css'] = 'md5-AAAA'), 'integrity["w.css"]'],
    ['an integrity with two hashes', (m) => (m.integrity['w.css'] = 'sha384-AAAA sha384-BBBB'), 'integrity["w.css"]'],
    ['an integrity that is not a string', (m) => (m.integrity['w.css'] = 42), 'found 42'],
    ['an integrity key outside the folder', (m) => (m.integrity['../x.mjs'] = 'sha384-AAAA'), 'a key of integrity in'],
    ['a file with ..', (m) => m.files.push('../../etc/passwd'), 'files[2] in'],
    ['an absolute file', (m) => m.files.push('/etc/passwd'), 'files[2]'],
    ['a file with a backslash', (m) => m.files.push('a\\b.mjs'), 'files[2]'],
    ['a file with //', (m) => m.files.push('a//b.mjs'), 'files[2]'],
    ['a file that is a URL', (m) => m.files.push('https://evil.example/x.mjs'), 'files[2]'],
    ['a protocol-relative css file', (m) => m.chunks.widget.css.push('//evil.example/x.css'), 'chunks["widget"].css[1]'],
    ['an export file outside the folder', (m) => (m.exports.widget.file = '../../server/x.mjs'), 'exports["widget"].file'],
    ['a chunk import with a drive letter', (m) => m.chunks.widget.imports.push('C:/x.mjs'), 'chunks["widget"].imports[1]'],
    ['a resource with a newline', (m) => m.chunks.widget.resources.push('a\nb'), 'chunks["widget"].resources[1]'],
    ['a name of another module', (m) => (m.name = 'nav'), 'name in'],
    ['a name that is not a string', (m) => (m.name = 7), 'found 7'],
    ['a missing target', (m) => delete m.target, `target in ${source.file} to be "client", found nothing`],
    ['a target of the other build', (m) => (m.target = 'server'), 'target in'],
    ['another protocol', (m) => (m.protocol = 1), 'protocol in'],
    ['a version that is not a string', (m) => (m.version = 1), 'version in'],
    ['exports that are not an object', (m) => (m.exports = []), 'exports in'],
    ['an export name that differs from its key', (m) => (m.exports.widget.name = 'other'), 'exports["widget"].name'],
    ['uses that are not strings', (m) => (m.uses = [1]), 'uses[0]'],
  ])('refuses %s', (_, spoil, expected) => {
    const manifest = valid();
    spoil(manifest);
    let message = '';
    try {
      checkManifest(manifest, 'cart', 'client', source);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/^\[esmx:ssr\] expected /);
    expect(message).toContain(expected);
    expect(message).toContain(source.file);
    expect(message.endsWith('Fix: rebuild cart (nx run cart:build).')).toBe(true);
    expect(message).not.toContain('\n');
  });

  it.each(['a.mjs', 'chunks/a.b.final.mjs', 'x y.css', '\u2713.css'])('takes %j as a contained file name', (name) =>
    expect(isContainedFileName(name)).toBe(true),
  );
  it.each(['', '.', './a', 'a/./b', '..', 'a/..', 'a/', 'data:text/javascript,1', 'a?b', 'a#b', 'a\0b'])(
    'refuses %j as a file name',
    (name) => expect(isContainedFileName(name)).toBe(false),
  );
});

describe('loadLinkedHost over a crafted or broken dist', () => {
  let workspace: string;
  let host: ComposedHost;
  const cartClient = () => join(host.roots.cart, 'dist/client/manifest.json');
  beforeEach(() => {
    workspace = mkdtempSync(join(tmpdir(), 'esmx-check-'));
    host = createComposedHost(workspace);
  });
  afterEach(() => rmSync(workspace, { recursive: true, force: true }));

  it('refuses a manifest whose integrity would break out of the attribute, naming the file, field and value', async () => {
    const manifest = JSON.parse(readFileSync(cartClient(), 'utf8'));
    const file = manifest.exports.widget.file;
    manifest.integrity[file] = HOSTILE;
    writeFileSync(cartClient(), JSON.stringify(manifest));
    await expect(loadLinkedHost(host.root)).rejects.toThrow(
      `[esmx:ssr] expected integrity["${file}"] in ${cartClient()} to be sha256-, sha384- or sha512-<base64>, ` +
        `found "\\"><script>alert(1)</script>". Fix: rebuild cart (nx run cart:build).`,
    );
  });

  it('refuses a manifest that names a file outside its folder', async () => {
    const manifest = JSON.parse(readFileSync(cartClient(), 'utf8'));
    manifest.files.push('../../secret.txt');
    writeFileSync(cartClient(), JSON.stringify(manifest));
    await expect(loadLinkedHost(host.root)).rejects.toThrow(`files[${manifest.files.length - 1}] in ${cartClient()} to be a file name relative`);
  });

  it('says where a manifest stops being JSON', async () => {
    writeFileSync(cartClient(), '{\n  "protocol": 2,\n  "name": cart\n}');
    await expect(loadLinkedHost(host.root)).rejects.toThrow(
      `[esmx:ssr] expected the client manifest of cart at ${cartClient()} to be JSON, found invalid JSON at line 3, column 11 ` +
        '(expected a value (object, array, string, number, true, false or null)). Fix: rebuild cart (nx run cart:build).',
    );
  });
});

describe('loadLinkedHost with a crafted module behind a URL', () => {
  let workspace: string;
  let server: Server;
  let base: string;
  const served: Record<string, string> = {};
  beforeAll(async () => {
    workspace = mkdtempSync(join(tmpdir(), 'esmx-check-url-'));
    const host = createComposedHost(workspace);
    server = createServer((req, res) => {
      const body = served[req.url!];
      res.writeHead(body === undefined ? 404 : 200).end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/cart/`;
    const client = JSON.parse(readFileSync(join(host.roots.cart, 'dist/client/manifest.json'), 'utf8'));
    client.integrity[client.exports.widget.file] = `sha384-x" onload="alert(1)`;
    served['/cart/client/manifest.json'] = JSON.stringify(client);
    writeFileSync(
      join(host.root, 'dist/link.json'),
      JSON.stringify({ protocol: 2, module: 'shell', modules: { shell: { dir: '.' }, cart: { url: `${base}client/` } } }),
    );
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    rmSync(workspace, { recursive: true, force: true });
  });

  it('refuses it, naming the URL and the redeploy', async () => {
    await expect(loadLinkedHost(join(workspace, 'shell'))).rejects.toThrow(
      new RegExp(
        `^\\[esmx:ssr\\] expected integrity\\["widget\\.[0-9a-f]{8}\\.final\\.mjs"\\] in ${base.replace(/\./g, '\\.')}client/manifest\\.json ` +
          'to be sha256-, sha384- or sha512-<base64>, found .*\\. Fix: redeploy cart: rebuild it \\(nx run cart:build\\) and publish its whole dist/',
      ),
    );
  });

  it('refuses a link to a URL that is not http(s)', async () => {
    const link = join(workspace, 'shell/dist/link.json');
    writeFileSync(link, JSON.stringify({ protocol: 2, module: 'shell', modules: { shell: { dir: '.' }, cart: { url: 'javascript:alert(1)//' } } }));
    await expect(loadLinkedHost(join(workspace, 'shell'))).rejects.toThrow(
      `[esmx:ssr] expected modules["cart"].url in ${link} to be an http(s) URL, found "javascript:alert(1)//". Fix: rebuild shell (nx run shell:build).`,
    );
  });
});

describe('start-up failures on a broken dist', () => {
  let workspace: string;
  let host: ComposedHost;
  beforeEach(() => {
    workspace = mkdtempSync(join(tmpdir(), 'esmx-broken-'));
    host = createComposedHost(workspace);
  });
  afterEach(() => rmSync(workspace, { recursive: true, force: true }));

  // The start executor prints a tagged message as it is: these lines are exactly what the operator sees.
  const messageOf = async () => {
    try {
      await loadLinkedHost(host.root);
    } catch (error) {
      const message = (error as Error).message;
      expect(message).not.toContain('\n');
      expect(message).toMatch(/^\[esmx:ssr\] expected .*\. Fix: .+/);
      return message;
    }
    throw new Error('expected loadLinkedHost to refuse the dist');
  };

  it('no dist/link.json: names the file and the build to run', async () => {
    unlinkSync(join(host.root, 'dist/link.json'));
    expect(await messageOf()).toBe(
      `[esmx:ssr] expected the link file at ${join(host.root, 'dist/link.json')}, found no file. Fix: build shell first (nx run shell:build).`,
    );
  });

  it('link.json that is not JSON: names the line and column', async () => {
    writeFileSync(join(host.root, 'dist/link.json'), '{ "protocol": 2, }');
    expect(await messageOf()).toBe(
      `[esmx:ssr] expected the link file at ${join(host.root, 'dist/link.json')} to be JSON, found invalid JSON at line 1, column 18 ` +
        '(expected a double-quoted property name). Fix: build shell first (nx run shell:build).',
    );
  });

  it('link.json of another shape: names the field', async () => {
    writeFileSync(join(host.root, 'dist/link.json'), JSON.stringify({ protocol: 2, module: 'shell', modules: { cart: 3 } }));
    expect(await messageOf()).toBe(
      `[esmx:ssr] expected modules["cart"] in ${join(host.root, 'dist/link.json')} to be an object, found 3. Fix: rebuild shell (nx run shell:build).`,
    );
  });

  it('a linked module without manifests: names the folder and the build', async () => {
    rmSync(join(host.roots.nav, 'dist'), { recursive: true });
    expect(await messageOf()).toBe(
      `[esmx:ssr] expected ${join(host.roots.nav, 'dist')}/{client,server}/manifest.json for nav, found neither. Fix: rebuild nav (nx run nav:build).`,
    );
  });

  it('a manifest without its target (once "found the undefined manifest"): names the field', async () => {
    const path = join(host.roots.nav, 'dist/server/manifest.json');
    const manifest = JSON.parse(readFileSync(path, 'utf8'));
    delete manifest.target;
    writeFileSync(path, JSON.stringify(manifest));
    expect(await messageOf()).toBe(`[esmx:ssr] expected target in ${path} to be "server", found nothing. Fix: rebuild nav (nx run nav:build).`);
  });

  it('a linked module without its server build that the host imports (once a resolver stack)', async () => {
    rmSync(join(host.roots.nav, 'dist/server'), { recursive: true });
    expect(await messageOf()).toBe(
      `[esmx:ssr] expected the server manifest of nav at ${join(host.roots.nav, 'dist/server/manifest.json')} ` +
        '(the server build of shell imports nav/menu), found no file. Fix: rebuild nav (nx run nav:build).',
    );
  });

  it('the host without a server manifest', async () => {
    const path = join(host.root, 'dist/server/manifest.json');
    unlinkSync(path);
    expect(await messageOf()).toBe(
      `[esmx:ssr] expected the server manifest of shell (the host) at ${path}, found no file. Fix: rebuild shell (nx run shell:build).`,
    );
  });

  it('the server entry file gone: names the file and the export', async () => {
    const manifestPath = join(host.root, 'dist/server/manifest.json');
    const entry = JSON.parse(readFileSync(manifestPath, 'utf8')).exports['entry.server'].file;
    unlinkSync(join(host.root, 'dist/server', entry));
    expect(await messageOf()).toBe(
      `[esmx:ssr] expected ${join(host.root, 'dist/server', entry)} (export "entry.server" of ${manifestPath}), found no file. ` +
        'Fix: rebuild shell (nx run shell:build).',
    );
  });
});

describe('a reload that meets a crafted manifest', () => {
  let workspace: string;
  let server: SpawnedServer | undefined;
  afterAll(() => {
    server?.child.kill('SIGKILL');
    rmSync(workspace, { recursive: true, force: true });
  });

  it('is refused with the tagged line and the previous generation keeps serving', async () => {
    workspace = mkdtempSync(join(tmpdir(), 'esmx-check-reload-'));
    const host = createComposedHost(workspace);
    server = await spawnServer(host.root);
    const path = join(host.roots.cart, 'dist/client/manifest.json');
    const manifest = JSON.parse(readFileSync(path, 'utf8'));
    const file = manifest.exports.widget.file;
    const good = manifest.integrity[file];
    manifest.integrity[file] = HOSTILE;
    writeFileSync(path, JSON.stringify(manifest));
    const reply = await server.reload();
    expect(reply).toEqual({
      type: 'reload-failed',
      message: `[esmx:ssr] expected integrity["${file}"] in ${path} to be sha256-, sha384- or sha512-<base64>, found "\\"><script>alert(1)</script>". Fix: rebuild cart (nx run cart:build).`,
    });
    const page = await httpRequest(server.port, '/');
    expect(page.status).toBe(200);
    expect(page.text).toContain(`integrity="${good}"`);
    expect(page.text).not.toContain('<script>alert(1)');
  }, 60_000);
});
