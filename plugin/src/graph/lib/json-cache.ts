import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { writeFileAtomic } from '../../utils/atomic-write';

/**
 * A string-valued cache kept in memory for the life of the process (the Nx daemon or a plugin worker) and on disk
 * under the workspace data directory, so that a fresh `nx` process also starts warm. Values are JSON strings so that
 * every hit hands Nx a fresh object: Nx merges project configurations in place, and a shared object would leak one
 * run's merge into the next.
 */
export interface JsonCache {
  get(key: string): string | undefined;
  set(key: string, value: string): void;
  /** Writes the entries used since the last flush (stale ones are dropped) when anything changed. */
  flush(): void;
}

/** Bump when the shape of cached values changes, so that old disk caches are ignored. */
const CACHE_FORMAT = 1;

const openCaches = new Map<string, CacheState>();

interface CacheState {
  file: string;
  entries: Map<string, string>;
  used: Set<string>;
  dirty: boolean;
}

export function openJsonCache(workspaceRoot: string, name: string): JsonCache {
  const file = join(findWorkspaceDataDirectory(workspaceRoot), `esmx-nx-${name}.json`);
  let state = openCaches.get(file);
  if (!state) {
    state = { file, entries: readCacheFile(file), used: new Set(), dirty: false };
    openCaches.set(file, state);
  }
  const s = state;
  return {
    get(key) {
      const value = s.entries.get(key);
      if (value !== undefined) s.used.add(key);
      return value;
    },
    set(key, value) {
      s.entries.set(key, value);
      s.used.add(key);
      s.dirty = true;
    },
    flush() {
      if (s.used.size !== s.entries.size) {
        for (const key of s.entries.keys()) if (!s.used.has(key)) s.entries.delete(key);
        s.dirty = true;
      }
      s.used = new Set();
      if (!s.dirty) return;
      s.dirty = false;
      writeCacheFile(s.file, s.entries);
    },
  };
}

/** Forgets the in-memory layer (the disk files stay). For benchmarks and tests that measure a fresh process. */
export function clearMemoryCaches(): void {
  openCaches.clear();
}

export function hashStrings(...parts: string[]): string {
  const hash = createHash('sha1');
  for (const part of parts) hash.update(part).update('\0');
  return hash.digest('hex');
}

/**
 * Nx keeps its own project-graph cache in the workspace data directory (`NX_WORKSPACE_DATA_DIRECTORY`, else
 * `.nx/workspace-data`); ours sits beside it so that `nx reset` and a cleaned checkout drop it too. The devkit does not
 * export the resolved directory publicly, so the documented environment variable is honoured here.
 */
export function findWorkspaceDataDirectory(workspaceRoot: string): string {
  const configured = process.env.NX_WORKSPACE_DATA_DIRECTORY ?? process.env.NX_PROJECT_GRAPH_CACHE_DIRECTORY;
  if (configured) return isAbsolute(configured) ? configured : join(workspaceRoot, configured);
  return join(workspaceRoot, '.nx', 'workspace-data');
}

function readCacheFile(file: string): Map<string, string> {
  try {
    const data = JSON.parse(readFileSync(file, 'utf8')) as { format?: number; entries?: Record<string, string> };
    if (data.format === CACHE_FORMAT && data.entries && typeof data.entries === 'object') {
      return new Map(Object.entries(data.entries));
    }
  } catch {
    // No cache yet, or an unreadable one: start cold; the next flush rewrites it.
  }
  return new Map();
}

function writeCacheFile(file: string, entries: Map<string, string>): void {
  try {
    // Atomic, so a concurrent Nx process never reads half a file.
    writeFileAtomic(file, JSON.stringify({ format: CACHE_FORMAT, entries: Object.fromEntries(entries) }));
  } catch {
    // The disk layer is an optimisation: a read-only or full disk must not break the project graph.
  }
}
