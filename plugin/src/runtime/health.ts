/** The health endpoint a load balancer polls (option `healthPath`): JSON, never cached, 503 once draining. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FaultCounts, HealthReport } from './types';

export interface HealthSource {
  path: string;
  generation(): number;
  inFlight(): number;
  closing(): boolean;
  faults: FaultCounts;
}

/** Returns a request hook: true when it answered the request (the path matched, with or without a query). */
export function createHealthEndpoint(source: HealthSource): (req: IncomingMessage, res: ServerResponse) => boolean {
  const started = performance.now();
  const { path } = source;
  return (req, res) => {
    const url = req.url;
    if (url === undefined || !url.startsWith(path) || (url.length > path.length && url.charCodeAt(path.length) !== 0x3f)) return false;
    const draining = source.closing();
    const memory = process.memoryUsage();
    const report: HealthReport = {
      status: draining ? 'draining' : 'ok',
      generation: source.generation(),
      uptimeSeconds: Math.round((performance.now() - started) / 1000),
      inFlight: source.inFlight(),
      faults: { ...source.faults },
      rssBytes: memory.rss,
      heapUsedBytes: memory.heapUsed,
    };
    const body = JSON.stringify(report);
    const headers: Record<string, string | number> = {
      'content-type': 'application/json; charset=utf-8',
      'cache-control': 'no-store',
      'content-length': Buffer.byteLength(body),
    };
    if (draining) headers.connection = 'close';
    res.writeHead(draining ? 503 : 200, headers);
    res.end(req.method === 'HEAD' ? undefined : body);
    return true;
  };
}
