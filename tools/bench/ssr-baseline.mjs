// The single-bundle baseline of tools/bench/ssr.mjs (also profiled by ssr-profile.mjs, and called in-process by
// ssr-request-path.mjs): the fixture host's render code in one file on plain node:http.

/**
 * Both servers answer {type:'heap'} with heapUsed after a full GC: RSS alone cannot tell a leak from V8 growing its
 * young generation under load, which both servers show alike. The GC function is made only when the first probe
 * comes, after the measured window: a server started with --expose-gc ran the composed host about 0.4 µs per page
 * slower (the single bundle not at all; A/B in alternating slices), and no production server runs with it.
 * The baseline's source embeds this function's text, so it names only globals and built-in modules.
 */
export function answerHeapProbes() {
  let collectGarbage;
  process.on('message', async (message) => {
    if (message?.type !== 'heap') return;
    if (!collectGarbage) {
      const { setFlagsFromString } = await import('node:v8');
      const { runInNewContext } = await import('node:vm');
      setFlagsFromString('--expose-gc');
      collectGarbage = runInNewContext('gc');
    }
    collectGarbage();
    process.send({ type: 'heap', heapUsed: process.memoryUsage().heapUsed });
  });
}

/** The baseline server's source answering the composed `page`'s bytes (its head markup is taken from the page). */
export const baselineForPage = (page, sync) =>
  baselineSource(page.slice(page.indexOf('</title>') + '</title>'.length, page.indexOf('</head>')), sync);

/** The baseline server's source; `head` is the composed page's head markup, `sync` makes its render synchronous. */
export const baselineSource = (head, sync) => `// Single-bundle baseline: the same render code as the fixture's four modules, in one file, on plain node:http.
import { createServer } from 'node:http';
const table = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escape = (value) => String(value).replace(/[&<>"']/g, (c) => table[c]);
const html = (strings, ...values) => strings.reduce((out, s, i) => out + s + (i < values.length ? escape(values[i]) : ''), '');
const label = (n) => 'Cart ' + "v1" + ' (' + n + ' items)';
const version = "v1";
function renderWidget(user) { return '<section id="cart" data-version="' + version + '">' + escape(label(2)) + ' for ' + escape(user) + '</section>'; }
function renderMenu() { return '<nav id="nav"><a href="/">Home</a><a href="/cart">Cart</a></nav>'; }
const title = 'Shell <composed>';
const HEAD = ${JSON.stringify(head)};
const unsafe = { '<': '\\\\u003c', '>': '\\\\u003e', '&': '\\\\u0026', '\\u2028': '\\\\u2028', '\\u2029': '\\\\u2029' };
const serialize = (data) => JSON.stringify(data).replace(/[<>&\\u2028\\u2029]/g, (c) => unsafe[c]);
// The fixture host's render function is async (app code, identical in both servers), so it is here too;
// --sync-baseline makes it a plain function (a stricter baseline: it also saves the app's own promise).
${sync ? '' : 'async '}function render(url) {
  // The fixture host's routes (its specs' test pages), which a page at / passes through too.
  if (url.pathname === '/throw' || url.pathname.startsWith('/fault/') || url.pathname === '/params' || url.pathname === '/redirect') throw new Error('not benchmarked');
  if (url.pathname === '/missing' || url.pathname === '/plain' || url.pathname === '/dynamic' || url.searchParams.has('hold')) throw new Error('not benchmarked');
  if (url.pathname === '/fallback') throw new Error('not benchmarked');
  const state = url.searchParams.has('state') ? JSON.parse(url.searchParams.get('state')) : { user: 'alice' };
  return '<!doctype html><html><head><title>' + html\`\${title}\` + '</title>' + HEAD + '</head><body>' + renderMenu() +
    '<main>' + renderWidget('<alice>') + '</main>' + '<script>window["__SHELL_STATE__"]=' + serialize(state) + ';</script>' +
    '<script type="module">import "shell/entry.client";</script></body></html>';
}
export function handle(req, res) {
  const send = (body) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  };
  ${sync ? 'send(render(new URL(req.url, \'http://localhost\')));' : 'render(new URL(req.url, \'http://localhost\')).then(send);'}
}
// A server when forked by the benchmark; imported by ssr-request-path.mjs, only the handler.
if (process.send) {
  const server = createServer(handle);
  server.keepAliveTimeout = 5000;
  server.listen(0, '127.0.0.1', () => { process.send({ type: 'ready', port: server.address().port }); process.channel.unref(); });
  (${answerHeapProbes})();
}
`;
