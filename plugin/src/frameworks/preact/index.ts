import { join } from 'node:path';
import type { FrameworkAdapter } from '../types';

/** Pinned versions a generated Preact module depends on (with the tested types, which preact ships itself). */
export const PREACT_VERSIONS = { preact: '11.2.0', 'preact-render-to-string': '6.8.2' };

/** Specifiers a Preact provider shares by default: JSX compiles to `preact/jsx-runtime`, hooks live in `preact/hooks`. */
export const PREACT_PROVIDES = ['preact', 'preact/hooks', 'preact/jsx-runtime', 'preact-render-to-string'];

/** Preact: `preact-render-to-string` on the server, `hydrate` in the browser, JSX through swc with Preact's runtime. */
export const preactFramework: FrameworkAdapter = {
  name: 'preact',
  description: 'Preact (server-rendered with preact-render-to-string, hydrated with hydrate)',
  templates: join(__dirname, 'files'),
  sourceExtension: 'tsx',
  runtimePackage: 'preact',
  provides: PREACT_PROVIDES,
  dependencies: PREACT_VERSIONS,
  compilerOptions: { jsx: 'react-jsx', jsxImportSource: 'preact' },
  rules: ({ swcOptions }) => [
    { test: /\.tsx$/, loader: 'builtin:swc-loader', options: swcOptions({ syntax: 'typescript', jsx: { importSource: 'preact' } }) },
    { test: /\.jsx$/, loader: 'builtin:swc-loader', options: swcOptions({ syntax: 'ecmascript', jsx: { importSource: 'preact' } }) },
  ],
};
