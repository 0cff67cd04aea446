import { join } from 'node:path';
import { reactDomVersion, reactVersion } from '../../versions';
import type { FrameworkAdapter } from '../types';

/** Specifiers a React provider shares by default: `provides` lists subpaths explicitly. */
export const REACT_PROVIDES = ['react', 'react-dom', 'react-dom/client', 'react-dom/server', 'react/jsx-runtime'];

/** React 19: `renderToString` on the server, `hydrateRoot` in the browser, JSX through swc's automatic runtime. */
export const reactFramework: FrameworkAdapter = {
  name: 'react',
  description: 'React 19 (server-rendered with renderToString, hydrated with hydrateRoot)',
  templates: join(__dirname, 'files'),
  sourceExtension: 'tsx',
  runtimePackage: 'react',
  provides: REACT_PROVIDES,
  // `init` installs the React types and React itself at the workspace root.
  dependencies: { react: reactVersion, 'react-dom': reactDomVersion },
  compilerOptions: { jsx: 'react-jsx' },
  rules: ({ swcOptions }) => [
    { test: /\.tsx$/, loader: 'builtin:swc-loader', options: swcOptions({ syntax: 'typescript', jsx: { importSource: 'react' } }) },
    { test: /\.jsx$/, loader: 'builtin:swc-loader', options: swcOptions({ syntax: 'ecmascript', jsx: { importSource: 'react' } }) },
  ],
};
