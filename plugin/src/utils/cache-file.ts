import { readFileSync } from 'node:fs';
import { writeFileAtomic } from './atomic-write';

/**
 * A JSON file of entries by key, kept from build to build (the bundler's output cache and source scans). It is read
 * whole and checked entry by entry: a file with another header, a damaged file or an entry of another shape is
 * dropped, never misread. It is written atomically, and only when the entries kept differ from those on disk.
 */
export interface CacheFile<T> {
  entries: Map<string, T>;
  /** Keeps exactly `kept`, in memory too (a long watch drops what it no longer uses), and writes them if they changed. */
  save(kept: Array<[string, T]>): void;
}

export interface CacheFormat<T> {
  /** Written beside the entries and compared on read (`{ version }`): bump a value when what is stored changes. */
  header: Record<string, string | number>;
  isEntry(value: unknown): value is T;
  /** What tells two entries of one key apart (a content hash): the file is written when one of them changes. */
  identity(entry: T): string;
  /** The entry as written, without what holds for this process only; as it is by default. */
  toStored?(entry: T): unknown;
}

export function openCacheFile<T>(file: string, format: CacheFormat<T>): CacheFile<T> {
  const entries = new Map<string, T>();
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown> | null;
    const current = Object.entries(format.header).every(([name, value]) => parsed?.[name] === value);
    const stored = current && Array.isArray(parsed?.entries) ? parsed.entries : [];
    for (const entry of stored) if (Array.isArray(entry) && typeof entry[0] === 'string' && format.isEntry(entry[1])) entries.set(entry[0], entry[1]);
  } catch {
    // No file yet, or a damaged one: everything is computed again, and the file is written anew.
  }
  const identities = (list: Iterable<[string, T]>) => new Map([...list].map(([key, entry]) => [key, format.identity(entry)]));
  let saved = identities(entries);
  return {
    entries,
    save(kept) {
      entries.clear();
      for (const [key, entry] of kept) entries.set(key, entry);
      if (kept.length === saved.size && kept.every(([key, entry]) => saved.get(key) === format.identity(entry))) return;
      // Atomic: two builds of one module (two Nx processes) never read half a file.
      const stored = kept.map(([key, entry]) => [key, format.toStored ? format.toStored(entry) : entry]);
      writeFileAtomic(file, JSON.stringify({ ...format.header, entries: stored }));
      saved = identities(kept);
    },
  };
}
