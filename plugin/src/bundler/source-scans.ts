/**
 * The source scans of a module's last build, kept in the bundler's cache folder: the manifest lists the named imports
 * of every own file at every build, and a build after an edit then scans only the files whose content changed (each
 * file is still read and hashed). In the build benchmark at 300 components, this took 17–26 ms of a module's build
 * down to 6–10 ms.
 */
import { SCANNER_VERSION } from '../protocol/scan-imports';
import type { KnownScan, SourceScanCache } from '../protocol/source-imports';
import { openCacheFile } from '../utils/cache-file';

/** Bump when the stored shape changes. A file of another version, or made by another scanner, is ignored. */
const SOURCE_SCANS_VERSION = 2;

export interface SourceScanStore {
  /** Scans by file, as `createSourceScanCache` takes them. */
  known: Map<string, KnownScan>;
  /** Keeps the scans of the files `cache` walked (a file no longer imported drops out) and writes them if they changed. */
  save(cache: SourceScanCache): void;
}

function isKnownScan(value: unknown): value is KnownScan {
  const scan = value as KnownScan;
  return (
    typeof scan?.hash === 'string' &&
    Array.isArray(scan.imports) &&
    scan.imports.every(
      (i) => typeof i?.specifier === 'string' && typeof i.line === 'number' && Array.isArray(i.names) && i.names.every((n) => typeof n === 'string'),
    )
  );
}

/** The store kept in `file`; empty when missing, unreadable or of another version (every file is scanned then). */
export function openSourceScans(file: string): SourceScanStore {
  const store = openCacheFile(file, {
    header: { version: SOURCE_SCANS_VERSION, scanner: SCANNER_VERSION },
    isEntry: isKnownScan,
    identity: (scan) => scan.hash,
  });
  return {
    known: store.entries,
    save(cache) {
      const kept: Array<[string, KnownScan]> = [];
      for (const [path, scanned] of cache.files) {
        const scan = scanned && cache.known.get(path);
        if (scan) kept.push([path, scan]);
      }
      store.save(kept);
    },
  };
}
