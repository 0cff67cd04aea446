import type {
  Configuration,
  DefinePlugin,
  ExternalItemFunctionData,
  ModuleOptions,
  SwcLoaderOptions,
} from '@rspack/core' with { 'resolution-mode': 'import' };
import type { BuildTarget } from '../protocol/types';
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
}

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

/** The Rspack config of one target, before the module's config hook sees it. */
export function createRspackConfig(input: ConfigInput): Configuration {
  const { target, mode, root, externals } = input;
  const prod = mode === 'production';
  const client = target === 'client';
  const names = getFileNames(mode);
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
      // Client assets resolve against the importing file's URL, so any base path works; the server
      // renders URLs for the browser, whose files live under /<name>/.
      publicPath: client ? 'auto' : `/${input.name}/`,
      // Node prints a mapped stack frame with the source's name as the map gives it: the file's own path, so an SSR
      // error in development points at src/…, not at dist/server/….mjs?esmx=….
      ...(client ? {} : { devtoolModuleFilenameTemplate: '[absolute-resource-path]' }),
      clean: true,
      uniqueName: `${input.name}:${target}`,
    },
    externalsType: 'module-import',
    externals: [
      (data: ExternalItemFunctionData, callback: (err?: Error | null, result?: string) => void) => {
        const issuer = data.contextInfo?.issuer ?? '';
        const context = data.context ?? root;
        const found = data.request ? matchExternal(externals, target, data.request, context, issuer) : undefined;
        const unlinked = data.request && found === undefined ? findUnlinkedImport(externals, data.request, context, issuer) : undefined;
        if (unlinked) callback(createBareError(unlinked));
        else callback(undefined, found);
      },
    ],
    externalsPresets: client ? { web: true } : { node: true },
    resolve: {
      extensions: ['.tsx', '.ts', '.jsx', '.mjs', '.js', '.json'],
      extensionAlias: { '.js': ['.ts', '.tsx', '.js'], '.mjs': ['.mts', '.mjs'] },
      conditionNames: TARGET_CONDITIONS[target],
      mainFields: TARGET_MAIN_FIELDS[target],
    },
    module: createModuleOptions(target, mode),
    node: client ? false : { global: false, __filename: 'node-module', __dirname: 'node-module' },
    optimization: {
      // Server code is never downloaded: skipping its minification halves the cost of a provider's build
      // (react-dom is the bulk of it) and keeps SSR stack traces readable. A config hook can turn it back on.
      minimize: prod && client,
      ...createChunkOptions(input.entries.length, names.chunkFilename),
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
      }),
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
function createChunkOptions(entryCount: number, chunkFilename: string): Configuration['optimization'] {
  if (entryCount < 2) return { runtimeChunk: false, splitChunks: { chunks: 'async' } };
  return {
    runtimeChunk: { name: RUNTIME_CHUNK },
    splitChunks: {
      chunks: 'all',
      filename: chunkFilename,
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

/** Loaders: swc for TypeScript and JSX (React's automatic runtime), native CSS, assets as files. */
function createModuleOptions(target: BuildTarget, mode: 'production' | 'development'): ModuleOptions {
  const client = target === 'client';
  const swcOptions = (syntax: 'typescript' | 'ecmascript', jsx: boolean): SwcLoaderOptions => ({
    jsc: {
      target: 'es2022',
      parser: syntax === 'typescript' ? { syntax, tsx: jsx } : { syntax, jsx },
      transform: { react: { runtime: 'automatic', development: mode !== 'production', refresh: false } },
    },
  });
  return {
    parser: { javascript: { importMeta: false } },
    generator: client ? {} : { 'css/auto': { exportsOnly: true } },
    rules: [
      { test: /\.tsx$/, loader: 'builtin:swc-loader', options: swcOptions('typescript', true) },
      { test: /\.[mc]?ts$/, loader: 'builtin:swc-loader', options: swcOptions('typescript', false) },
      { test: /\.jsx$/, loader: 'builtin:swc-loader', options: swcOptions('ecmascript', true) },
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
