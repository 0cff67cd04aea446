import { createRequire } from 'node:module';
import { join } from 'node:path';
import { TAG } from '../../constants';
import type { FrameworkAdapter, FrameworkBuildContext } from '../types';

/** Pinned versions a generated Vue module and its workspace use. */
export const VUE_VERSIONS = { vue: '3.5.45', 'vue-loader': '17.4.2', 'vue-tsc': '3.3.14' };

/**
 * Vue's compile-time feature flags at their documented defaults (Options API on, production devtools and hydration
 * mismatch details off). Defined in every build, because Vue's runtime is compiled by its provider, which declares no
 * framework: without them Vue warns on every development page that they are not defined.
 */
export const VUE_FEATURE_FLAGS = {
  __VUE_OPTIONS_API__: 'true',
  __VUE_PROD_DEVTOOLS__: 'false',
  __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: 'false',
};

const VUE_SCRIPT_MAP_LOADER = join(__dirname, 'script-map-loader.cjs');

/** Specifiers a Vue provider shares by default: the runtime, and the server renderer SSR builds import. */
export const VUE_PROVIDES = ['vue', 'vue/server-renderer'];

/**
 * vue-loader from the module's workspace (a devDependency the generator adds), not from the plugin: its version must
 * match the workspace's `vue` (its compiler is `vue/compiler-sfc`).
 */
function requireVueLoader(root: string): { path: string; VueLoaderPlugin: new () => unknown } {
  const require = createRequire(join(root, 'package.json'));
  let path: string;
  try {
    path = require.resolve('vue-loader');
  } catch {
    throw new Error(
      `${TAG.build} expected vue-loader to be installed for the Vue module in ${root}, found none. ` +
        `Fix: npm install -D vue-loader@${VUE_VERSIONS['vue-loader']} (nx g @esmx/nx:app --framework=vue adds it).`,
    );
  }
  return { path, VueLoaderPlugin: require(path).VueLoaderPlugin };
}

/**
 * Vue 3 single-file components through vue-loader 17 in its inline-match-resource mode, which is the mode that works
 * with Rspack: each block of a `.vue` file is re-requested as `<file>.vue.<lang>`, so `<script setup lang="ts">` goes
 * through the common TypeScript rule and `<style scoped>` through native CSS. The server build compiles templates to
 * SSR render functions (they import `vue/server-renderer`).
 */
export const vueFramework: FrameworkAdapter = {
  name: 'vue',
  description: 'Vue 3 single-file components (server-rendered with vue/server-renderer, hydrated with createSSRApp)',
  templates: join(__dirname, 'files'),
  sourceExtension: 'ts',
  typecheck: 'vue-tsc --noEmit -p tsconfig.json',
  runtimePackage: 'vue',
  provides: VUE_PROVIDES,
  dependencies: { vue: VUE_VERSIONS.vue },
  devDependencies: { 'vue-loader': VUE_VERSIONS['vue-loader'], 'vue-tsc': VUE_VERSIONS['vue-tsc'] },
  fileExtensions: ['.vue'],
  rules: ({ target, root, hot }: FrameworkBuildContext) => [
    {
      test: /\.vue$/,
      loader: requireVueLoader(root).path,
      options: { experimentalInlineMatchResource: true, isServerBuild: target === 'server' },
    },
    // Hot updates: a template edit must leave the script block unchanged (see the loader), so the state stays.
    ...(hot ? [{ test: /\.vue\.[jt]s$/, resourceQuery: /type=script/, enforce: 'post' as const, loader: VUE_SCRIPT_MAP_LOADER }] : []),
  ],
  plugins: ({ root }) => {
    const { VueLoaderPlugin } = requireVueLoader(root);
    const plugin = new VueLoaderPlugin() as { apply(compiler: unknown): void };
    return [
      {
        apply(compiler: { options: { experiments: { css?: boolean } } }) {
          // vue-loader 17 emits a `<style>` block as CSS only when it sees `experiments.css`; Rspack 2 compiles CSS
          // through rules and deprecates that flag, so without it every style block came out as an empty CSS file.
          // Set after Rspack validated the config, so no deprecation warning is printed.
          compiler.options.experiments.css = true;
          plugin.apply(compiler);
        },
      } as never,
    ];
  },
};
