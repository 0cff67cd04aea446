import { join } from 'node:path';
import { reactDomVersion, reactVersion } from '../../versions';
import type { FrameworkAdapter } from '../types';
import { createReactRules, REACT_REFRESH_VERSION, renderReactRefreshScript } from './refresh';

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
  // The dev server's React Fast Refresh runtime (development only).
  devDependencies: { 'react-refresh': REACT_REFRESH_VERSION },
  compilerOptions: { jsx: 'react-jsx' },
  rules: (context) => createReactRules(context, 'react'),
  devPageScript: renderReactRefreshScript,
};
