import { join } from 'node:path';
import type { FrameworkAdapter } from '../types';

/** Pinned versions a generated Svelte module and its workspace use. */
export const SVELTE_VERSIONS = { svelte: '5.57.3', 'svelte-loader': '3.2.4', 'svelte-check': '4.7.8' };

/**
 * Specifiers a Svelte provider shares by default: the public API (`mount`, `hydrate`, `render`) and the internal
 * entries compiled components import (`svelte/internal/client` in the browser, `svelte/internal/server` on the
 * server), so that every component of the page runs on one Svelte runtime. (`svelte/internal/disclose-version`, a
 * side effect of a few bytes that exports nothing, stays bundled with each component.)
 */
export const SVELTE_PROVIDES = ['svelte', 'svelte/internal/client', 'svelte/server', 'svelte/internal/server'];

/**
 * Svelte 5 components through svelte-loader: compiled for the server (`generate: 'server'`) in the server build and
 * for the DOM with hydration support in the client build, whose component CSS is emitted as a CSS module (a file of
 * the build, linked in the page's head).
 */
export const svelteFramework: FrameworkAdapter = {
  name: 'svelte',
  description: 'Svelte 5 components (server-rendered with svelte/server, hydrated with hydrate)',
  templates: join(__dirname, 'files'),
  sourceExtension: 'ts',
  typecheck: 'svelte-check --tsconfig ./tsconfig.json --fail-on-warnings',
  runtimePackage: 'svelte',
  provides: SVELTE_PROVIDES,
  dependencies: { svelte: SVELTE_VERSIONS.svelte },
  devDependencies: { 'svelte-loader': SVELTE_VERSIONS['svelte-loader'], 'svelte-check': SVELTE_VERSIONS['svelte-check'] },
  fileExtensions: ['.svelte'],
  rules: ({ target, mode }) => [
    {
      test: /\.svelte$/,
      loader: 'svelte-loader',
      options: {
        emitCss: target === 'client',
        compilerOptions: { generate: target === 'server' ? 'server' : 'client', dev: mode !== 'production' },
      },
    },
  ],
};
