// Builds the plugin and packs it to dist/esmx-nx.tgz (a fixed name the e2e suite and demo install).
import { execFileSync } from 'node:child_process';
import { mkdirSync, renameSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
execFileSync(process.execPath, [join(repo, 'tools/build-plugin.mjs')], { stdio: 'inherit' });
const dest = join(repo, 'dist');
mkdirSync(dest, { recursive: true });
const out = execFileSync('npm', ['pack', join(repo, 'plugin/dist'), '--pack-destination', dest, '--json'], {
  encoding: 'utf8',
});
const [{ filename, size, entryCount }] = JSON.parse(out);
renameSync(join(dest, filename), join(dest, 'esmx-nx.tgz'));
console.log(`[esmx:pack] dist/esmx-nx.tgz (${entryCount} files, ${(size / 1024).toFixed(1)} KiB)`);
