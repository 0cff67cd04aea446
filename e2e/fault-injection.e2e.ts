/**
 * Fault injection against the production server, run as a real Node process over the hand-written composed host
 * (shell + remotes cart and nav + provider shared, plugin/src/runtime/fixtures/composed-host): renders that reject
 * or throw outside their promise, a render that never settles, a burst with 5 % of renders throwing, a remote's
 * dist removed under the running server, a corrupt manifest on SIGHUP, and a 60 s soak for memory growth.
 * No packed workspace: the fixture server is forked through swc-node, as the runtime's own specs do.
 * The figures (requests, 5xx, RSS) are printed with console.log for the closing note. RSS growth is judged after a
 * full GC at both ends: under load with faulty renders V8 lets the old generation grow for tens of seconds before a
 * major GC (raw RSS swings by ±15 % with no leak), so raw before/after and the peak are printed beside it.
 */
import { Agent, request } from 'node:http';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createComposedHost, type ComposedHost } from '../plugin/src/runtime/fixtures/composed-host/create-fixture';
import { spawnServer, type SpawnedServer } from '../plugin/src/runtime/fixtures/composed-host/spawn-server';

const RENDER_TIMEOUT_MS = 1_000;
const HEALTH_PATH = '/_esmx/health';
const SOAK_MS = 60_000;
/** Moderate load: a steady rate well under what the fixture server sustains, so the soak measures memory, not saturation. */
const SOAK_PER_SECOND = 1_500;

interface Reply {
  status: number;
  text: string;
}

interface HealthReport {
  status: string;
  generation: number;
  inFlight: number;
  rssBytes: number;
  faults: { unhandledRejections: number; uncaughtExceptions: number; renderErrors: number; renderTimeouts: number };
}

let workspace: string;
let host: ComposedHost;
let server: SpawnedServer;

function get(port: number, path: string, agent?: Agent): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent: agent ?? false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

async function health(): Promise<HealthReport> {
  const res = await get(server.port, HEALTH_PATH);
  expect(res.status).toBe(200);
  return JSON.parse(res.text);
}

/** The server process is still there and answers a page. */
async function expectAlive(): Promise<void> {
  expect(server.child.exitCode).toBeNull();
  const res = await get(server.port, '/');
  expect(res.status).toBe(200);
  expect(res.text).toContain('<section id="cart" data-version="v1">');
}

interface LoadResult {
  sent: number;
  byStatus: Record<number, number>;
  socketErrors: number;
  throwsSent: number;
}

interface LoadOptions {
  count: number;
  concurrency: number;
  throwEvery: number;
  rejectEvery?: number;
  deadline?: number;
  /** Paces the whole loop to about this many requests per second (unpaced when absent). */
  perSecond?: number;
}

/**
 * `concurrency` workers on keep-alive sockets send requests until `count` are sent or `deadline` passes (both
 * bounds, so the loop always stops). Every `throwEvery`-th request goes to a render that throws.
 */
async function runLoad(options: LoadOptions) {
  // FIFO keeps every socket in use: with the default LIFO a paced load needs only a few, the others sit idle past the
  // server's 5 s keep-alive timeout, and reusing one just as the server closes it is HTTP/1.1's keep-alive race (a
  // client fault that browsers hide by retrying), not a server failure.
  const agent = new Agent({ keepAlive: true, maxSockets: options.concurrency, scheduling: 'fifo' });
  const result: LoadResult = { sent: 0, byStatus: {}, socketErrors: 0, throwsSent: 0 };
  const deadline = options.deadline ?? Number.POSITIVE_INFINITY;
  const started = Date.now();
  const worker = async () => {
    while (result.sent < options.count && Date.now() < deadline) {
      const n = result.sent++;
      if (options.perSecond) {
        const wait = started + (n * 1000) / options.perSecond - Date.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      }
      let path = '/';
      if (n % options.throwEvery === 0) {
        path = '/throw';
        result.throwsSent++;
      } else if (options.rejectEvery && n % options.rejectEvery === 1) path = '/fault/reject';
      try {
        const res = await get(server.port, path, agent);
        result.byStatus[res.status] = (result.byStatus[res.status] ?? 0) + 1;
      } catch {
        result.socketErrors++;
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: options.concurrency }, worker));
  } finally {
    agent.destroy();
  }
  return result;
}

beforeAll(async () => {
  workspace = mkdtempSync(join(tmpdir(), 'esmx-faults-'));
  host = createComposedHost(workspace);
  server = await spawnServer(host.root, { renderTimeoutMs: RENDER_TIMEOUT_MS, healthPath: HEALTH_PATH }, ['--expose-gc']);
}, 60_000);

afterAll(() => {
  server?.child.kill('SIGKILL');
  rmSync(workspace, { recursive: true, force: true });
});

describe('faults raised by a render', () => {
  it('survives a floating Promise.reject: the first logged untraced (it arms tracing), the next with its request', async () => {
    expect((await get(server.port, '/fault/reject')).status).toBe(200);
    await server.waitForLog('[esmx:ssr] unhandled rejection not traced to a render (faults are traced to their request from now on;');
    const res = await get(server.port, '/fault/reject');
    expect([200, 500]).toContain(res.status);
    await server.waitForLog('[esmx:ssr] unhandled rejection in the render of GET /fault/reject');
    const inFlight = await get(server.port, '/fault/reject-in-flight');
    expect(inFlight.status).toBe(500);
    await expectAlive();
  });

  it('survives a setTimeout callback that throws, before and after the page was answered', async () => {
    expect((await get(server.port, '/fault/timer')).status).toBe(200);
    await server.waitForLog('[esmx:ssr] uncaught exception in the render of GET /fault/timer (already answered)');
    expect((await get(server.port, '/fault/timer-in-flight')).status).toBe(500);
    await server.waitForLog('[esmx:ssr] uncaught exception in the render of GET /fault/timer-in-flight; answered 500');
    await expectAlive();
    expect((await health()).faults).toMatchObject({ unhandledRejections: 3, uncaughtExceptions: 2 });
  });

  it('answers a render that never settles 504 after the configured timeout, and frees the socket', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const started = Date.now();
      const res = await get(server.port, '/fault/hang', agent);
      const waited = Date.now() - started;
      expect(res.status).toBe(504);
      expect(res.text).toContain('Gateway Timeout');
      expect(waited).toBeGreaterThanOrEqual(RENDER_TIMEOUT_MS - 50);
      // The one socket of this agent carried the 504: the next request on it is answered, so it is free again.
      expect((await get(server.port, '/', agent)).status).toBe(200);
    } finally {
      agent.destroy();
    }
    const report = await health();
    expect(report.inFlight).toBe(0);
    expect(report.faults.renderTimeouts).toBe(1);
    console.log(`[fault-injection] never-settling render: 504 after the ${RENDER_TIMEOUT_MS} ms timeout, request settled`);
  });
});

describe('load with faulty renders', () => {
  it('answers 1,000 requests at 50 concurrency, 5 % throwing: each 200 or a clean 500, none lost', async () => {
    const before = await health();
    const load = await runLoad({ count: 1_000, concurrency: 50, throwEvery: 20 });
    const after = await health();
    const fiveHundreds = load.byStatus[500] ?? 0;
    console.log(
      `[fault-injection] burst: ${load.sent} requests at 50 concurrency, ${load.throwsSent} throwing renders; ` +
        `statuses ${JSON.stringify(load.byStatus)}, 5xx ${fiveHundreds}, socket errors ${load.socketErrors}`,
    );
    expect(load.sent).toBe(1_000);
    expect(load.socketErrors).toBe(0);
    expect(load.throwsSent).toBe(50);
    expect(load.byStatus).toEqual({ 200: 950, 500: 50 });
    expect(after.faults.renderErrors - before.faults.renderErrors).toBe(50);
    expect(after.faults.renderTimeouts).toBe(before.faults.renderTimeouts);
    expect(after.inFlight).toBe(0);
    await expectAlive();
  }, 120_000);
});

describe('a corrupt manifest on SIGHUP', () => {
  it('refuses the reload with a tagged line and keeps serving the previous generation', async () => {
    const manifestPath = join(host.roots.cart, 'dist/server/manifest.json');
    const good = readFileSync(manifestPath, 'utf8');
    writeFileSync(manifestPath, '{ "protocol": 2, "name": "cart", broken');
    try {
      server.child.kill('SIGHUP');
      const line = await server.waitForLog('[esmx:ssr] SIGHUP reload refused; still serving generation 1:');
      expect(line).toContain('[esmx:ssr] expected the server manifest of cart');
      expect(server.logs.join('\n')).not.toMatch(/SIGHUP reload refused[^\n]*\n\s+at /);
      await expectAlive();
      expect((await health()).generation).toBe(1);
    } finally {
      writeFileSync(manifestPath, good);
    }
  });
});

describe('memory under a 60 s soak', () => {
  const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  /** Memory after a full GC in the server (it runs with --expose-gc): what is retained, not garbage awaiting collection. */
  const retained = async () => (await server.request({ type: 'memory' }, 'memory')) as { rss: number; heapUsed: number; collected: boolean };

  it('keeps RSS growth under 10 % at moderate load with faulty renders mixed in', async () => {
    const load = { count: 1_000_000, concurrency: 8, throwEvery: 20, rejectEvery: 100, perSecond: SOAK_PER_SECOND };
    // Warm-up at the same load: code paths compiled, pools and caches at their working size.
    await runLoad({ ...load, deadline: Date.now() + 5_000 });
    const before = await retained();
    expect(before.collected).toBe(true);
    const rawBefore = (await health()).rssBytes;
    let peak = rawBefore;
    const sampler = setInterval(() => {
      health().then((report) => (peak = Math.max(peak, report.rssBytes)), () => undefined);
    }, 5_000);
    let soak: LoadResult;
    try {
      soak = await runLoad({ ...load, deadline: Date.now() + SOAK_MS });
    } finally {
      clearInterval(sampler);
    }
    const rawAfter = (await health()).rssBytes;
    const after = await retained();
    const growth = (after.rss - before.rss) / before.rss;
    console.log(
      `[fault-injection] soak: ${soak.sent} requests in ${SOAK_MS / 1000} s (paced at ${SOAK_PER_SECOND}/s, 8 concurrency; 5 % throwing, 1 % floating ` +
        `rejections); statuses ${JSON.stringify(soak.byStatus)}, socket errors ${soak.socketErrors}; ` +
        `RSS after a full GC ${mb(before.rss)} -> ${mb(after.rss)} (${(growth * 100).toFixed(1)} %), ` +
        `heap used ${mb(before.heapUsed)} -> ${mb(after.heapUsed)}; raw RSS ${mb(rawBefore)} -> ${mb(rawAfter)}, peak ${mb(peak)}`,
    );
    expect(soak.socketErrors).toBe(0);
    expect(Object.keys(soak.byStatus).sort()).toEqual(['200', '500']);
    expect(growth).toBeLessThan(0.1);
    await expectAlive();
  }, 120_000);
});

describe("a remote's dist removed while the server runs", () => {
  it('answers its static files 404 (not 500) and still renders the page', async () => {
    const cart = JSON.parse(readFileSync(join(host.roots.cart, 'dist/client/manifest.json'), 'utf8'));
    const widget = `/cart/${cart.exports.widget.file}`;
    rmSync(join(host.roots.cart, 'dist'), { recursive: true, force: true });
    const res = await get(server.port, widget);
    expect(res.status).toBe(404);
    expect((await get(server.port, `/cart/${cart.chunks.widget.imports[0]}`)).status).toBe(404);
    await expectAlive();
    expect(server.child.exitCode).toBeNull();
  });
});
