// The first page of a built host: JS requests and bytes (raw and gzip) of everything its client entry loads
// statically, through its import map (dist/importmap.json) and the linked modules' manifests (dist/link.json), as
// the browser does, with the gzip bytes per linked module (a provider's share is its framework runtime). For the
// closing figures of a change that moves bytes between files (the shared runtime chunk, shared chunks), run it on the
// same host built before and after.
//
//   node tools/bench/first-page.mjs <host root>… [--prebuilt]
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { countFirstPage, ensurePlugin, log, parseBenchArgs, round } from './lib.mjs';

const args = parseBenchArgs({});
ensurePlugin({ prebuilt: args.prebuilt });
for (const root of args.positionals.map((p) => resolve(p))) {
  const importMap = JSON.parse(readFileSync(join(root, 'dist/importmap.json'), 'utf8'));
  const page = countFirstPage(root, importMap);
  log(`${root}: ${page.jsRequests} JS requests, ${round(page.jsBytes / 1024)} KB raw, ${round(page.jsGzipBytes / 1024)} KB gzip`);
  const modules = Object.entries(page.byModule).map(([name, gzip]) => `${name} ${round(gzip / 1024)}`);
  log(`  gzip KB by module: ${modules.join(', ')}`);
}
