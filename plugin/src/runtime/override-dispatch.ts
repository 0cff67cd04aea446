/**
 * Requests that ask for an import-map override (`x-esmx-override` / the `esmx-override` cookie, see overrides.ts):
 * refused, or answered on a generation that links the overridden modules from their URLs.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { PROTOCOL_VERSION, TAG } from '../constants';
import { loadGeneration, type Generation, type GenerationOptions } from './generation';
import type { Generations } from './generations';
import type { NextFunction } from './handler-options';
import type { LinkFile } from './link';
import { overrideRefusal, readOverrideRequest, renderOverrideBanner, type OverridePolicy } from './overrides';
import type { RequestTracker } from './request-tracker';

/** Override generations kept loaded at once (each holds its own instances of the overridden modules and their consumers). */
const MAX_OVERRIDE_GENERATIONS = 8;

export interface OverrideDispatchOptions {
  overrides: OverridePolicy;
  generations: Generations;
  generationOptions: GenerationOptions;
  tracker: RequestTracker;
  logError: (line: string) => void;
  /** Routes the request on `gen` and settles it (the request is already counted in flight). */
  routeAndSettle: (req: IncomingMessage, res: ServerResponse, next: NextFunction | undefined, gen: Generation) => void;
}

function refuse(req: IncomingMessage, res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(body) });
  res.end(req.method === 'HEAD' ? undefined : body);
}

/** Returns a request hook: true when the request asked for an override (then it owns the answer). */
export function createOverrideDispatch(options: OverrideDispatchOptions) {
  const { overrides, generations, generationOptions, tracker, logError, routeAndSettle } = options;
  const variants = new Map<string, Promise<Generation>>();

  /** The generation of an override: loaded once per (current generation, override), a few kept. */
  const loadVariant = (changes: Record<string, string>, key: string): Promise<Generation> => {
    const base = generations.current;
    const cacheKey = `${base.id}\0${key}`;
    let loading = variants.get(cacheKey);
    if (!loading) {
      const modules: LinkFile['modules'] = {};
      for (const m of Object.values(base.linked.modules)) modules[m.name] = m.url ? { url: m.url } : { dir: m.root ?? '.' };
      for (const [name, url] of Object.entries(changes)) modules[name] = { url };
      const link = { protocol: PROTOCOL_VERSION, module: base.linked.host, modules };
      loading = loadGeneration(base.id, generationOptions, { link, banner: renderOverrideBanner(changes) });
      // A failed load is not kept: the next request tries again (the developer may have started their server since).
      loading.catch(() => variants.delete(cacheKey));
      variants.set(cacheKey, loading);
      if (variants.size > MAX_OVERRIDE_GENERATIONS) variants.delete(variants.keys().next().value!);
    }
    return loading;
  };

  return (req: IncomingMessage, res: ServerResponse, next: NextFunction | undefined): boolean => {
    const ask = readOverrideRequest(req, overrides, generations.current.linked);
    if (ask === undefined) return false;
    if ('refused' in ask) {
      const line = overrideRefusal(ask.refused);
      logError(`${line} (${req.method} ${req.url})`);
      refuse(req, res, 403, `${line}\n`);
      return true;
    }
    res.setHeader('cache-control', 'no-store');
    tracker.inFlight++;
    loadVariant(ask.changes, ask.key).then(
      (gen) => routeAndSettle(req, res, next, gen),
      (error) => {
        const message = (error as Error)?.message ?? String(error);
        logError(`${TAG.ssr} import-map override ${ask.key} could not be loaded: ${message} (${req.method} ${req.url})`);
        refuse(
          req,
          res,
          502,
          `${TAG.ssr} import-map override ${ask.key} could not be loaded; the server log says why. Fix: check that the module is served at that URL (client/ and server/, with CORS).\n`,
        );
        tracker.settle();
      },
    );
    return true;
  };
}
