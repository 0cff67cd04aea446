/**
 * What follows a watched module's rebuild, one rebuild at a time: re-link the host, serve the new generation, then
 * tell the pages (a hot update of that module's client build when only its client code changed, else a reload).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RebuildResult } from '../../../bundler/types';
import { DIST_DIR, IMPORT_MAP_FILE, TAG } from '../../../constants';
import { formatDiagnostic } from '../../../protocol/index';
import { LINK_KEY, type DevState } from './dev-state';
import type { DevServing } from './dev-serving';

export interface DevRebuilds {
  /**
   * Runs `task` after everything queued before it, once start-up has settled: start-up, rebuilds and re-resolutions
   * never interleave. A task that throws goes to `onError`; the tasks after it still run.
   */
  enqueue(task: () => Promise<void>, onError: (error: unknown) => void): void;
  /** Start-up has settled on a server (SSR or the overlay): queued work may run. */
  startupDone(): void;
  /** Queues what a watched module's rebuild calls for. */
  onRebuild(name: string, result: RebuildResult): void;
  /** Links the host; false when that failed (its errors are on the overlay and printed). */
  relink(): boolean;
}

export function createDevRebuilds(state: DevState, serving: DevServing): DevRebuilds {
  const { options, errors, hub, log } = state;
  // The host's import map as last linked: a rebuild that changes it (an export added or removed) reloads the pages,
  // whose import map cannot change in place; any other client rebuild is a hot update.
  const readImportMap = () => {
    try {
      return readFileSync(join(options.root, DIST_DIR, IMPORT_MAP_FILE), 'utf8');
    } catch {
      return '';
    }
  };
  let importMap = readImportMap();
  let importMapChanged = false;
  const relink = (): boolean => {
    const linked = state.deps.link(options.root, state.resolution);
    const linkErrors = linked.diagnostics.filter((d) => d.severity === 'error');
    if (linkErrors.length > 0) {
      errors.set(LINK_KEY, linkErrors.map((d) => formatDiagnostic(d)));
      for (const d of linkErrors) log(formatDiagnostic(d));
      return false;
    }
    errors.delete(LINK_KEY);
    const next = readImportMap();
    importMapChanged = next !== importMap;
    importMap = next;
    return true;
  };

  // Rebuilds can fire while the first builds are still starting (a watcher's second compile): they wait until
  // start-up has settled on a server (SSR or the overlay) to hand over to.
  let startupDone!: () => void;
  let queue = new Promise<void>((resolve) => (startupDone = resolve));
  const enqueue = (task: () => Promise<void>, onError: (error: unknown) => void) => {
    queue = queue.then(task).catch(onError);
  };

  const handleRebuild = async (name: string, result: RebuildResult) => {
    if (state.closing) return;
    const started = Date.now();
    if (!result.ok) {
      errors.set(name, result.errors);
      log(`${TAG.serve} ${name} failed to build; the overlay shows the error and the server keeps running.`);
      hub.broadcast();
      return;
    }
    // The module's error stays on the overlay until the new generation is live: never a page from the old one.
    const othersBroken = [...errors.keys()].some((key) => key !== name && key !== TAG.ssr && key !== LINK_KEY);
    if (othersBroken || !relink()) {
      errors.delete(name);
      hub.broadcast();
      return;
    }
    try {
      if (!(await serving.goLive())) {
        hub.broadcast();
        return;
      }
      errors.delete(name);
      errors.delete(TAG.ssr);
    } catch (error) {
      errors.set(TAG.ssr, [(error as Error).message]);
      log((error as Error).message);
    }
    // A client edit updates the open pages in place (a page that cannot apply it reloads); anything else reloads them.
    const inPlace = state.hot && errors.size === 0 && result.clientHash !== undefined && !importMapChanged;
    if (inPlace) hub.hotUpdate(name, result.clientHash!);
    else hub.broadcast();
    if (errors.size === 0) {
      log(`${TAG.serve} ${name} rebuilt; SSR reloaded in ${Date.now() - started} ms${inPlace ? ', hot update sent to the pages' : ''}`);
    }
  };

  return {
    enqueue,
    startupDone: () => startupDone(),
    relink,
    onRebuild(name, result) {
      // A throw (the link step failing to write, the overlay losing its port) is shown, and later rebuilds still run.
      enqueue(
        () => handleRebuild(name, result),
        (error) => {
          const message = (error as Error)?.message ?? String(error);
          errors.set(TAG.ssr, [message]);
          log(message);
          hub.broadcast();
        },
      );
    },
  };
}
