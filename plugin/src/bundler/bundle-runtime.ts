/**
 * The SSR runtime as one CommonJS file for the standalone output: `@esmx/nx/runtime` and the few packages it uses
 * (semver, mime-types, negotiator) bundled by Rspack, next to the resolve hook and es-module-shims, so that a
 * deployed server runs with Node alone. Nothing of Nx, Rspack or the build layers is reachable from the runtime's
 * imports (a spec enforces it), so nothing of them ends up here.
 */
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Stats } from '@rspack/core' with { 'resolution-mode': 'import' };
import { RUNTIME_BUNDLE, TAG } from '../constants';

/** The runtime's entry in this installation: compiled `.js` in the package, `.ts` when run from source (specs). */
function findRuntimeEntry(): { entry: string; hooks: string } {
  const dir = join(__dirname, '..', 'runtime');
  const entry = ['standalone-entry.js', 'standalone-entry.ts'].map((file) => join(dir, file)).find((file) => existsSync(file));
  const hooks = join(dir, RUNTIME_BUNDLE.hooks);
  if (!entry || !existsSync(hooks)) {
    throw new Error(`${TAG.build} expected the runtime of @esmx/nx in ${dir}, found it incomplete. Fix: reinstall @esmx/nx.`);
  }
  return { entry, hooks };
}

/** Writes `<outDir>/index.cjs`, `loader-hooks.mjs` and `es-module-shims.js`; resolves with the bundle's size in bytes. */
export async function bundleRuntime(outDir: string): Promise<number> {
  const { entry, hooks } = findRuntimeEntry();
  // Loaded here, not at module load: only this target needs Rspack.
  const { rspack } = await import('@rspack/core');
  mkdirSync(outDir, { recursive: true });
  const compiler = rspack({
    mode: 'production',
    context: join(entry, '..'),
    target: ['node', 'es2022'],
    entry: { index: entry },
    devtool: false,
    output: { path: outDir, filename: RUNTIME_BUNDLE.entry, library: { type: 'commonjs2' }, chunkFormat: 'commonjs', clean: false },
    // The runtime finds the resolve hook and the shim beside itself through __dirname: keep Node's own values.
    node: { __dirname: false, __filename: false, global: false },
    externalsPresets: { node: true },
    resolve: { extensions: ['.ts', '.js', '.json'] },
    module: {
      // `require.resolve('es-module-shims')` is the runtime's fallback when no shim sits beside it: left to Node.
      parser: { javascript: { requireResolve: false } },
      rules: [
        {
          test: /\.ts$/,
          loader: 'builtin:swc-loader',
          options: { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' } },
          type: 'javascript/auto',
        },
      ],
    },
    // Unminified: stack traces of a production server stay readable, and the whole file is a few hundred KB.
    optimization: { minimize: false, splitChunks: false, moduleIds: 'named' },
    performance: false,
    infrastructureLogging: { level: 'error' },
    stats: 'none',
  });
  const stats = await new Promise<Stats>((resolve, reject) =>
    compiler.run((error, result) => {
      compiler.close(() => undefined);
      if (error || !result) reject(error ?? new Error('no stats'));
      else resolve(result);
    }),
  );
  if (stats.hasErrors()) {
    const first = stats.toJson({ errors: true }).errors?.[0]?.message ?? 'unknown error';
    throw new Error(`${TAG.build} expected the runtime to bundle, found an error: ${first}. Fix: reinstall @esmx/nx.`);
  }
  copyFileSync(hooks, join(outDir, RUNTIME_BUNDLE.hooks));
  copyFileSync(require.resolve('es-module-shims'), join(outDir, RUNTIME_BUNDLE.shim));
  const asset = stats.toJson({ assets: true }).assets?.find((a) => a.name === RUNTIME_BUNDLE.entry);
  return asset?.size ?? 0;
}
