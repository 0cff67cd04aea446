/** The generation being served and the queue of reloads that replace it, one at a time. */
import { TAG } from '../constants';
import { loadGeneration, type Generation, type GenerationOptions } from './generation';
import { setLoaderTable } from './loader';

export interface Generations {
  /** Read once per request: a request finishes on the generation it started with. */
  readonly current: Generation;
  /** Loads the next generation and swaps it in; on failure the current one keeps serving and this rejects. */
  reload(): Promise<void>;
}

export async function createGenerations(options: GenerationOptions, log: (line: string) => void): Promise<Generations> {
  let current = await loadGeneration(1, options);
  let queue: Promise<void> = Promise.resolve();

  const swap = async (): Promise<void> => {
    const started = Date.now();
    let next: Generation;
    try {
      next = await loadGeneration(current.id + 1, options);
    } catch (error) {
      // The hook may already hold the new map: give it back the one the serving generation was linked with.
      await setLoaderTable(current.table);
      throw error;
    }
    current = next;
    log(`${TAG.ssr} reloaded ${next.linked.host}: map generation ${next.id} in ${Date.now() - started} ms`);
  };

  return {
    get current() {
      return current;
    },
    reload() {
      const run = queue.then(swap);
      // A failed reload must not wedge the queue: the next reload starts from a clean chain.
      queue = run.catch(() => undefined);
      return run;
    },
  };
}
