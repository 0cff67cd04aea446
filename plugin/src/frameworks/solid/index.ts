import { createRequire } from 'node:module';
import { join } from 'node:path';
import { TAG } from '../../constants';
import type { FrameworkAdapter } from '../types';

/** Pinned versions a generated Solid module and its workspace use. */
export const SOLID_VERSIONS = {
  'solid-js': '1.9.20',
  'babel-preset-solid': '1.9.16',
  'babel-loader': '10.1.1',
  '@babel/core': '7.29.13',
  '@babel/preset-typescript': '7.29.7',
};

/** Specifiers a Solid provider shares by default: one reactive core, one renderer, one store for the whole page. */
export const SOLID_PROVIDES = ['solid-js', 'solid-js/web', 'solid-js/store'];

/** babel-loader and the presets from the module's workspace (devDependencies the generator adds), as absolute paths. */
function resolveBabel(root: string): { loader: string; solid: string; typescript: string } {
  const require = createRequire(join(root, 'package.json'));
  const resolve = (name: string) => {
    try {
      return require.resolve(name);
    } catch {
      throw new Error(
        `${TAG.build} expected ${name} to be installed for the Solid module in ${root}, found none. ` +
          `Fix: npm install -D ${name}@${SOLID_VERSIONS[name as keyof typeof SOLID_VERSIONS]} (nx g @esmx/nx:app --framework=solid adds it).`,
      );
    }
  };
  return { loader: resolve('babel-loader'), solid: resolve('babel-preset-solid'), typescript: resolve('@babel/preset-typescript') };
}

/**
 * Solid: JSX compiled by babel-preset-solid, to string templates for the server (`generate: 'ssr'`) and to DOM
 * templates for the browser (`generate: 'dom'`), both `hydratable` so the browser adopts the server's nodes.
 */
export const solidFramework: FrameworkAdapter = {
  name: 'solid',
  description: 'Solid (server-rendered with renderToString, hydrated with hydrate)',
  templates: join(__dirname, 'files'),
  sourceExtension: 'tsx',
  runtimePackage: 'solid-js',
  provides: SOLID_PROVIDES,
  dependencies: { 'solid-js': SOLID_VERSIONS['solid-js'] },
  devDependencies: {
    'babel-preset-solid': SOLID_VERSIONS['babel-preset-solid'],
    'babel-loader': SOLID_VERSIONS['babel-loader'],
    '@babel/core': SOLID_VERSIONS['@babel/core'],
    '@babel/preset-typescript': SOLID_VERSIONS['@babel/preset-typescript'],
  },
  compilerOptions: { jsx: 'preserve', jsxImportSource: 'solid-js' },
  rules: ({ target, root }) => {
    const babel = resolveBabel(root);
    return [
      {
        test: /\.[jt]sx$/,
        loader: babel.loader,
        options: {
          babelrc: false,
          configFile: false,
          presets: [
            [babel.solid, { generate: target === 'server' ? 'ssr' : 'dom', hydratable: true }],
            [babel.typescript, { onlyRemoveTypeImports: true }],
          ],
        },
      },
    ];
  },
};
