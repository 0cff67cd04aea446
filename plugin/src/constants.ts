/** Protocol and layout constants shared by every layer. */

export const PROTOCOL_VERSION = 2 as const;

/** Scope tags that start every message. */
export const TAG = {
  protocol: '[esmx:protocol]',
  importMap: '[esmx:import-map]',
  build: '[esmx:build]',
  link: '[esmx:link]',
  ssr: '[esmx:ssr]',
  serve: '[esmx:serve]',
  start: '[esmx:start]',
  graph: '[esmx:graph]',
  validate: '[esmx:validate]',
  generator: '[esmx:generate]',
  standalone: '[esmx:standalone]',
  framework: '[esmx:framework]',
  test: '[esmx:test]',
} as const;

/** Layout of a module's build output, relative to its package root. */
export const DIST_DIR = 'dist';
export const CLIENT_DIR = 'client';
export const SERVER_DIR = 'server';
export const MANIFEST_FILE = 'manifest.json';
/** Written by the link step next to client/ and server/: the client import map of a module with an entry. */
export const IMPORT_MAP_FILE = 'importmap.json';
/** Written by the link step: where each linked module was mounted (relative dirs or URLs). */
export const LINK_FILE = 'link.json';
/** Production bootstrap of a module with a server entry. */
export const INDEX_FILE = 'index.mjs';

/** Infix marking content-hashed, immutable files. */
export const FINAL_INFIX = '.final.';
/** In the bundler's cache folder of a module: import graph and gzip size of its production files, by sha384. */
export const OUTPUT_CACHE_FILE = 'outputs.json';
/** The bundler's store of source scans (bundler/source-scans.ts), beside the output cache. */
export const SOURCE_SCANS_FILE = 'source-scans.json';

/** Export names under which a module's framework entries appear in its manifests. */
export const ENTRY_EXPORT = { client: 'entry.client', server: 'entry.server' } as const;

export const CACHE_CONTROL_IMMUTABLE = 'public, max-age=31536000, immutable';
export const CACHE_CONTROL_REVALIDATE = 'no-cache';

export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 4300;

/** Tags the graph plugin puts on esmx projects (`nx run-many -t build -p tag:esmx:remote`). */
export const PROJECT_TAG = {
  module: 'esmx:module',
  host: 'esmx:host',
  remote: 'esmx:remote',
  provider: 'esmx:provider',
} as const;

/** Default names of the inferred targets; each can be renamed through the plugin options in nx.json. */
export const DEFAULT_TARGET_NAMES = {
  bundle: 'bundle',
  build: 'build',
  serve: 'serve',
  start: 'start',
  validate: 'validate',
  standalone: 'standalone',
  test: 'test',
  typecheck: 'typecheck',
} as const;

/** Named input defined on every esmx project (its package.json); a consumer's bundle takes `^esmxDeclaration`. */
export const DECLARATION_INPUT = 'esmxDeclaration';

/** Executors the inferred targets run. */
export const EXECUTOR = {
  bundle: '@esmx/nx:bundle',
  link: '@esmx/nx:link',
  serve: '@esmx/nx:serve',
  start: '@esmx/nx:start',
  validate: '@esmx/nx:validate',
  standalone: '@esmx/nx:standalone',
} as const;

/**
 * Comments in generated host code marking where `@esmx/nx:link --import` (and `app --host`) insert a
 * remote's import, its rendering and, for plain-HTML hosts, its mounting in the browser.
 */
export const GENERATOR_MARKER = { imports: 'esmx:imports', widgets: 'esmx:widgets', mount: 'esmx:mount' } as const;

/**
 * URL folder (under the server's base) of files the runtime itself serves: the hashed es-module-shims copy and the
 * dev server's live-reload events. npm names cannot start with `_`, so no module can own it.
 */
export const RUNTIME_URL_DIR = '_esmx';
/** Under a host's dist/: server files of URL-linked modules, downloaded once per manifest hash. */
export const REMOTE_CACHE_DIR = '.esmx-remote-cache';

/** How long the runtime waits for a URL-linked module's manifest or server file before giving up with a message. */
export const REMOTE_FETCH_TIMEOUT_MS = 30_000;

/** Layout of a host's standalone output (`nx run <host>:standalone`): a folder that runs with Node alone. */
export const STANDALONE = {
  /** Under the host's dist/. */
  dir: 'standalone',
  /** Each linked module's dist/ lands in `modules/<name>/dist/`. */
  modules: 'modules',
} as const;

/** The bundled runtime's folder in a standalone output, and its files. */
export const RUNTIME_BUNDLE = { dir: 'runtime', entry: 'index.cjs', hooks: 'loader-hooks.mjs', shim: 'es-module-shims.js' } as const;

/** Folder of a development client build's hot-update files: the dev server's, left out of manifests and size tables. */
export const HOT_UPDATE_DIR = 'hot';
