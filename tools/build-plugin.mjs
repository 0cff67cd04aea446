// Compiles plugin/ (TypeScript source) into plugin/dist, a publishable package:
// compiled JS + declarations, manifests, schemas and templates at the same relative paths.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const pluginDir = join(repo, 'plugin');
const outDir = join(pluginDir, 'dist');
const require = createRequire(import.meta.url);

rmSync(outDir, { recursive: true, force: true });
const started = Date.now();
execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', join(pluginDir, 'tsconfig.lib.json')], {
  stdio: 'inherit',
});

for (const file of ['package.json', 'generators.json', 'executors.json', 'README.md']) {
  if (existsSync(join(pluginDir, file))) cpSync(join(pluginDir, file), join(outDir, file));
}

// Everything under src/ that tsc does not emit: schemas, ejs templates, generator files/.
const isAsset = (path) => path.includes(`${'/'}files${'/'}`) || !/\.(ts|tsx)$/.test(path) || path.endsWith('.d.ts');
const skip = (path) => /\.spec\.tsx?$/.test(path) || path.includes('/fixtures/') || path.includes('/__snapshots__/');
function copyAssets(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const rel = relative(pluginDir, path);
    if (statSync(path).isDirectory()) {
      if (name === 'fixtures' || name === '__snapshots__') continue;
      copyAssets(path);
    } else if (isAsset('/' + rel) && !skip('/' + rel)) {
      cpSync(path, join(outDir, rel));
    }
  }
}
copyAssets(join(pluginDir, 'src'));
console.log(`[esmx:build] plugin compiled to ${relative(repo, outDir)} in ${Date.now() - started} ms`);
