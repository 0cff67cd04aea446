import { join } from 'node:path';
import type {
  Configuration,
  DefinePlugin,
  EntryPlugin,
  HotModuleReplacementPlugin,
  ExternalItemFunctionData,
  ModuleOptions,
  SwcLoaderOptions,
} from '@rspack/core' with { 'resolution-mode': 'import' };
import type { FrameworkAdapter, FrameworkBuildContext } from '../frameworks/types';
import { VUE_FEATURE_FLAGS } from '../frameworks/vue/index';
import type { BuildTarget } from '../protocol/types';
import { HOT_UPDATE_DIR, TAG } from '../constants';
import { findUnlinkedImport, matchExternal } from './externals';
import { TARGET_CONDITIONS, TARGET_MAIN_FIELDS } from './provided-wrappers';
import type { EntryPlan, ExternalsPlan } from './types';

/**
 * Compile-time SSR flag: `true` in the server build, `false` in the client build, so
 * `if (__ESMX_SSR__) …` branches are removed from the other side. (`process.env.NODE_ENV` is defined too.)
 */
export const SSR_FLAG = '__ESMX_SSR__';

export interface ConfigInput {
  root: string;
  name: string;
  mode: 'production' | 'development';
  target: BuildTarget;
  entries: EntryPlan[];
  externals: ExternalsPlan;
  outputPath: string;
  /** `rspack.DefinePlugin`, passed in because @rspack/core is loaded lazily. */
  DefinePlugin: typeof DefinePlugin;
  /** The module's framework adapter: its rules and plugins come before the common ones. */
  framework: FrameworkAdapter;
  /** Extensions that another known adapter compiles (`.vue` → `vue`): importing one is an error naming the adapter. */
  foreignExtensions?: Map<string, string>;
  /** Given by the dev server (development, watch): the client build applies edits in place (see HOT_CLIENT). */
  hot?: HotPlugins;
}

/** The Rspack plugins hot updates need, passed in because @rspack/core is loaded lazily. */
export interface HotPlugins {
  HotModuleReplacementPlugin: typeof HotModuleReplacementPlugin;
  EntryPlugin: typeof EntryPlugin;
}

/**
 * Runs first in every entry of a hot client build, once per build (they share its runtime): applies the hot
 * updates the dev server announces for this module (see the dev server's events).
 */
const HOT_CLIENT = join(__dirname, 'hot-client.mjs');

/** File names: hashed and marked immutable (`.final.`) in production, plain in development. */
export function getFileNames(mode: 'production' | 'development') {
  const prod = mode === 'production';
  const h = prod ? '.[contenthash:8].final' : '';
  return {
    filename: `[name]${h}.mjs`,
    chunkFilename: `chunks/[name]${h}.mjs`,
    cssFilename: `[name]${h}.css`,
    cssChunkFilename: `chunks/[name]${h}.css`,
    assetModuleFilename: `assets/[name]${prod ? '.[contenthash:8].final' : ''}[ext]`,
  };
}

const NODE_MODULES = /[\\/]node_modules[\\/]/;

/** The Rspack config of one target, before the module's config hook sees it. */
export function createRspackConfig(input: ConfigInput): Configuration {
  const { target, mode, root, externals } = input;
  const prod = mode === 'production';
  const client = target === 'client';
  const names = getFileNames(mode);
  // A provider's build (packages only) takes no hot updates: a page reloads when one is rebuilt.
  const hot = client && !prod && !input.entries.every((entry) => entry.pkg) ? input.hot : undefined;
  const frameworkContext: FrameworkBuildContext = { target, mode, root, hot: Boolean(hot), swcOptions: (o) => createSwcOptions(mode, o) };
  const foreign = input.foreignExtensions ?? new Map<string, string>();
  // What stays bare for a file of the module's own depends only on the request and the file's folder (for a file of a
  // dependency, also on its package): the answers are kept, as a module's files ask the same few questions hundreds of
  // times (each component imports react and its neighbours). Errors are not kept: they name the importing file.
  const ownAnswers = new Map<string, string | undefined>();
  return {
    name: target,
    mode,
    context: root,
    target: client ? ['web', 'es2022'] : ['node', 'es2022'],
    devtool: prod ? false : 'source-map',
    entry: Object.fromEntries(input.entries.map((e) => [e.name, { import: e.import }])),
    output: {
      path: input.outputPath,
      module: true,
      chunkFormat: 'module',
      chunkLoading: 'import',
      library: { type: 'module' },
      ...names,
      ...(hot
        ? {
            hotUpdateChunkFilename: `${HOT_UPDATE_DIR}/[id].[fullhash].hot-update.mjs`,
            hotUpdateMainFilename: `${HOT_UPDATE_DIR}/[runtime].[fullhash].hot-update.json.mjs`,
          }
        : {}),
      // Client assets resolve against the importing file's URL, so any base path works; the server
      // renders URLs for the browser, whose files live under /<name>/.
      publicPath: client ? 'auto' : `/${input.name}/`,
      // Node prints a mapped stack frame with the source's name as the map gives it: the file's own path, so an SSR
      // error in development points at src/…, not at dist/server/….mjs?esmx=….
      ...(client ? {} : { devtoolModuleFilenameTemplate: '[absolute-resource-path]' }),
      clean: true,
      // One unique name for both sides (they never share a JS realm): CSS module class names hash it, and a per-side
      // name made the server render other class names than the browser's stylesheet (a hydration mismatch, unstyled SSR).
      uniqueName: input.name,
    },
    externalsType: 'module-import',
    externals: [
      (data: ExternalItemFunctionData, callback: (err?: Error | null, result?: string) => void) => {
        const issuer = data.contextInfo?.issuer ?? '';
        const context = data.context ?? root;
        const key = issuer && data.request && !NODE_MODULES.test(issuer) ? `${context}\0${data.request}` : undefined;
        if (key !== undefined && ownAnswers.has(key)) return callback(undefined, ownAnswers.get(key));
        const wrongFramework = data.request ? describeForeignFile(data.request, issuer, foreign, input) : undefined;
        if (wrongFramework) return callback(createBareError(wrongFramework));
        // A server-side entry of a package provided for both sides (`svelte/internal/server` imports node:async_hooks)
        // is built for the browser too, where nothing loads it: its Node built-ins stay imports instead of failing the
        // client build. The module's own code gets no such pass (a node: import there is a mistake to report).
        if (client && data.request?.startsWith('node:') && NODE_MODULES.test(issuer)) return callback(undefined, data.request);
        const found = data.request ? matchExternal(externals, target, data.request, context, issuer) : undefined;
        const unlinked = data.request && found === undefined ? findUnlinkedImport(externals, data.request, context, issuer) : undefined;
        if (unlinked) return callback(createBareError(unlinked));
        if (key !== undefined) ownAnswers.set(key, found);
        callback(undefined, found);
      },
    ],
    externalsPresets: client ? { web: true } : { node: true },
    resolve: {
      extensions: ['.tsx', '.ts', '.jsx', '.mjs', '.js', '.json'],
      extensionAlias: { '.js': ['.ts', '.tsx', '.js'], '.mjs': ['.mts', '.mjs'] },
      conditionNames: TARGET_CONDITIONS[target],
      mainFields: TARGET_MAIN_FIELDS[target],
    },
    module: createModuleOptions(frameworkContext, input.framework),
    node: client ? false : { global: false, __filename: 'node-module', __dirname: 'node-module' },
    optimization: {
      // Server code is never downloaded: skipping its minification halves the cost of a provider's build
      // (react-dom is the bulk of it) and keeps SSR stack traces readable. A config hook can turn it back on.
      minimize: prod && client,
      ...createChunkOptions(input.entries.length, names.chunkFilename, input.entries.every((entry) => entry.pkg)),
      moduleIds: prod ? 'deterministic' : 'named',
      chunkIds: prod ? 'deterministic' : 'named',
    },
    performance: false,
    infrastructureLogging: { level: 'error' },
    stats: 'none',
    plugins: [
      new input.DefinePlugin({
        'process.env.NODE_ENV': JSON.stringify(mode),
        [SSR_FLAG]: JSON.stringify(!client),
        ...VUE_FEATURE_FLAGS,
        ...(hot ? { __ESMX_HOT_MODULE__: JSON.stringify(input.name) } : {}),
      }),
      ...(hot ? [new hot.HotModuleReplacementPlugin(), new hot.EntryPlugin(root, HOT_CLIENT, { name: undefined })] : []),
      ...(input.framework.plugins?.(frameworkContext) ?? []),
    ],
  };
}

/** Name of the runtime chunk that the entries of one build share (under `chunks/`, like every file that is not an entry). */
export const RUNTIME_CHUNK = 'chunks/runtime';

/**
 * One instance of every module per build: with two entries or more (the exports of a module, the specifiers of a
 * provider), the entries share one runtime chunk, so a module reached from several entries (`rxjs` and
 * `rxjs/operators`, `react-router` and `react-router-dom`, a helper of two exports) runs once, in one module cache,
 * on the server and in the browser. Modules shared by two chunks or more go to shared chunks, so they are also
 * downloaded once; a lone entry keeps its runtime inline (one file fewer on the first page).
 */
function createChunkOptions(entryCount: number, chunkFilename: string, providedOnly: boolean): Configuration['optimization'] {
  if (entryCount < 2) return { runtimeChunk: false, splitChunks: { chunks: 'async' } };
  return {
    runtimeChunk: { name: RUNTIME_CHUNK },
    splitChunks: {
      chunks: 'all',
      filename: chunkFilename,
      // In a provider's build, a shared module under Rspack's default 20 kB stayed copied into every entry that imports
      // it (preact's core was downloaded three times, with preact, preact/hooks and preact/jsx-runtime): one instance at
      // run time, thanks to the shared runtime, but its bytes on the page once per entry.
      ...(providedOnly ? { minSize: 0 } : {}),
      cacheGroups: { defaultVendors: false, default: { minChunks: 2, reuseExistingChunk: true } },
    },
  };
}

/** An error Rspack prints as its message alone: bad input gets a diagnostic, not a stack into the plugin. */
function createBareError(message: string): Error {
  const error = new Error(message);
  error.stack = message;
  return error;
}

/** The swc-loader options of every module: TypeScript to es2022, with an automatic-runtime JSX transform when asked. */
function createSwcOptions(
  mode: 'production' | 'development',
  { syntax, jsx }: { syntax: 'typescript' | 'ecmascript'; jsx?: { importSource: string; refresh?: boolean } },
): SwcLoaderOptions {
  return {
    jsc: {
      target: 'es2022',
      parser: syntax === 'typescript' ? { syntax, tsx: Boolean(jsx) } : { syntax, jsx: Boolean(jsx) },
      ...(jsx
        ? { transform: { react: { runtime: 'automatic', importSource: jsx.importSource, development: mode !== 'production', refresh: Boolean(jsx.refresh) && mode !== 'production' } } }
        : {}),
    },
  };
}

/**
 * A file that only another framework compiles (`./Counter.vue` in a React module): an error naming the file and the
 * adapter, instead of Rspack's "no loader for this file type".
 */
function describeForeignFile(request: string, issuer: string, foreign: Map<string, string>, input: ConfigInput): string | undefined {
  const extension = /(\.[a-z0-9]+)(?:\?.*)?$/i.exec(request)?.[1]?.toLowerCase();
  const owner = extension ? foreign.get(extension) : undefined;
  if (!owner) return undefined;
  return (
    `${TAG.build} ${input.name}: ${issuer || input.root} imports ${request}, a ${extension} file, but the module's framework is ` +
    `"${input.framework.name}", which does not compile ${extension} files. Fix: move the file to a module whose esmx.framework is "${owner}" ` +
    `(nx g @esmx/nx:app <dir> --framework=${owner}), or set "framework": "${owner}" in the esmx field of ${input.name}'s package.json.`
  );
}

/** Class names of CSS modules, identical in the client and server builds of a module. */
export const CSS_LOCAL_IDENT = '[local]-[hash:6]';

/** Loaders: the framework's rules first, then swc for TypeScript, native CSS, assets as files. */
function createModuleOptions(context: FrameworkBuildContext, framework: FrameworkAdapter): ModuleOptions {
  const client = context.target === 'client';
  return {
    parser: { javascript: { importMeta: false } },
    // CSS module class names hash the module's name (the build's unique name, the same on both sides), the file and
    // the class: the server renders the class names of the browser's stylesheet.
    generator: { 'css/auto': { localIdentName: CSS_LOCAL_IDENT, ...(client ? {} : { exportsOnly: true }) } },
    rules: [
      ...(framework.rules?.(context) ?? []),
      { test: /\.[mc]?ts$/, loader: 'builtin:swc-loader', options: context.swcOptions({ syntax: 'typescript' }) },
      { test: /\.css$/, type: 'css/auto' },
      {
        test: /\.(png|jpe?g|gif|svg|webp|avif|ico|woff2?|ttf|otf|eot)$/i,
        type: 'asset/resource',
        // Same content hash on both sides; only the client writes the file.
        generator: client ? {} : { emit: false },
      },
    ],
  };
}
