/**
 * The module-link protocol's data shapes (Esmx protocol 2 compatible).
 * Pure types: every layer (bundler, import-map, runtime, graph, executors) reads these.
 */

export type Severity = 'error' | 'warning';

/** The stable code of a diagnostic: `E_*` are errors, `W_*` warnings (plugin/README.md lists what each means). */
export type DiagnosticCode =
  | 'E_SCHEMA'
  | 'E_NOT_LINKED'
  | 'E_NOT_BUILT'
  | 'E_CYCLE'
  | 'E_DUP_PROVIDER'
  | 'E_VERSION'
  | 'E_TARGET_MISSING'
  | 'E_PROTOCOL'
  | 'E_NO_EXPORT'
  | 'E_NOT_INSTALLED'
  | 'E_SERVER_IMPORT'
  | 'E_SINGLETON'
  | 'W_MULTI_MAJOR'
  | 'W_NOT_PROVIDED'
  | 'W_NESTED_MAJOR'
  | 'W_DEFAULT_DRIFT'
  | 'W_NO_RANGE'
  | 'W_TYPE_DRIFT';

/** One problem found in a module's linking, with what was found, what is required and the fix. */
export interface Diagnostic {
  code: DiagnosticCode;
  severity: Severity;
  /** The module the diagnostic is about (its package name, or the package.json path when unnamed). */
  module: string;
  /** The third-party package or used module concerned, when there is one. */
  package?: string;
  found?: string;
  required?: string;
  /** Starts with the scope tag, e.g. `[esmx:protocol]`; says what was expected and what was found. */
  message: string;
  /** What to change. */
  fix: string;
}

/** Paths are `./`-relative to the module's package root; `false` disables a side. */
export interface EsmxTargets {
  client?: string | false;
  server?: string | false;
}

/** The `esmx` field of a module's package.json, as written by the user. */
export interface EsmxDeclaration {
  entry?: EsmxTargets;
  /** Logical public names: `"./ui": "./src/ui.ts"` or `"./ui": { client, server }`. */
  exports?: Record<string, string | EsmxTargets>;
  /** Third-party specifiers (packages or package subpaths) this module builds once and serves. */
  provides?: string[];
  /** Provided packages that must never be bundled by two modules (beyond react, react-dom, vue, preact). */
  singletons?: string[];
  /** The framework adapter that compiles the module's sources (`react` when absent); an @esmx/nx extension. */
  framework?: string;
  /** Modules consumed from (package names); transitive. */
  uses?: string[];
}

/** One export after normalization: the logical name without `./`, and a path per target. */
export interface NormalizedExport {
  /** `ui` for `./ui`; `index` for `.`. */
  name: string;
  client: string | false;
  server: string | false;
}

/** A module read from disk: its package.json identity plus the normalized declaration. */
export interface ModuleInfo {
  name: string;
  version: string;
  /** Realpath of the package root. */
  root: string;
  packageJsonPath: string;
  entry: { client: string | false; server: string | false };
  exports: NormalizedExport[];
  provides: string[];
  /** `esmx.singletons`: provided packages that must be one copy on a page. */
  singletons: string[];
  /** `esmx.framework`, when declared. */
  framework?: string;
  uses: string[];
  /** `peerDependencies` overlaid with `dependencies`: the ranges this module accepts. */
  ranges: Record<string, string>;
  /** `devDependencies` (used for `@types/*` drift checks). */
  devRanges?: Record<string, string>;
}

/** Where a module's artifacts live: a directory (node_modules or explicit link) or a URL. */
export interface Mount {
  name: string;
  via: 'self' | 'node_modules' | 'link';
  /** Realpath of the package root when mounted from disk. */
  root?: string;
  /** Base URL (ending in `/`) of the module's client files when linked to a URL. */
  url?: string;
  /** Absolute `dist/client` and `dist/server` when mounted from disk. */
  clientDir?: string;
  serverDir?: string;
  built: boolean;
  /** The module whose `uses` led here (absent for the root). */
  declaredBy?: string;
  /** The explicit link as given in `ResolveOptions.links`, when `via` is `link`. */
  link?: string;
}

/** One (package, major) group and the single module that provides it. */
export interface SupplyGroup {
  package: string;
  major: number;
  /** Installed version at the provider. */
  version: string;
  provider: string;
  /** Provided specifiers of this package (`react`, `react/jsx-runtime`). */
  specifiers: string[];
}

/** For one consumer: which provider serves each provided specifier it may import. */
export interface Wiring {
  specifier: string;
  package: string;
  provider: string;
  version: string;
  major: number;
}

/** Who provides each third-party package (one provider per major version), and which one each module is wired to. */
export interface SupplyTable {
  groups: SupplyGroup[];
  /** consumer module name → specifier → wiring. Includes providers wired to themselves. */
  wiring: Record<string, Record<string, Wiring>>;
}

/** The whole resolution of one module: what `validate --json` prints and the build consumes. */
export interface Resolution {
  module: string;
  diagnostics: Diagnostic[];
  supply: SupplyTable;
  mounts: Record<string, Mount>;
  /** Every module in the `uses` closure, the root first. */
  modules: Record<string, ModuleInfo>;
}

export interface ResolveOptions {
  /** Explicit links: module name → directory (absolute or relative to the root module) or URL. */
  links?: Record<string, string>;
  /** When true, an unbuilt used module is an error (`E_NOT_BUILT`); otherwise a warning. */
  requireBuilt?: boolean;
  /** When true, entry and export files are checked on disk (`E_TARGET_MISSING`). Default true. */
  checkFiles?: boolean;
}

// ---------------------------------------------------------------------------
// Build manifests: `<module>/dist/{client,server}/manifest.json`
// ---------------------------------------------------------------------------

/** Which build a manifest or import map is for: the browser (`client`) or Node SSR (`server`). */
export type BuildTarget = 'client' | 'server';

export interface ManifestExport {
  /** Logical export name (`ui`, `index`, `entry.client`) or provided specifier (`react/jsx-runtime`). */
  name: string;
  /** True for a provided third-party specifier. */
  pkg: boolean;
  /** File relative to the manifest's directory, e.g. `ui.1a2b3c4d.final.mjs`. */
  file: string;
  /** The bare specifier consumers import: `<module>/<name>` or, for `pkg`, the specifier itself. */
  identifier: string;
  /** Every name the built file exports (`default` included when it has one), sorted; absent in older manifests. */
  names?: string[];
}

export interface ManifestChunk {
  js: string;
  css: string[];
  resources: string[];
  /** Files (relative to the manifest directory) this entry imports statically, transitively, for modulepreload. */
  imports: string[];
  /** Bare specifiers this entry imports statically, transitively (resolved through the import map). */
  externals: string[];
  /**
   * Bare specifiers its static closure imports dynamically (a host's `import('cart/widget')`): not preloaded, but their
   * stylesheets are linked in the page's head so that server-rendered islands paint styled. Absent when none.
   */
  lazyExternals?: string[];
}

/** `dist/<target>/manifest.json` of a built module (protocol 2): what it exports, provides and how it wires them. */
export interface BuildManifest {
  protocol: 2;
  name: string;
  version: string;
  target: BuildTarget;
  /** provided package name → installed version */
  provides: Record<string, { version: string }>;
  uses: string[];
  /** keyed by `ManifestExport.name` */
  exports: Record<string, ManifestExport>;
  /**
   * This module's wiring of provided specifiers: specifier → provider module name.
   * The composer turns a wiring that differs from the global one into an import-map scope.
   */
  scopes: Record<string, string>;
  files: string[];
  /** keyed by `ManifestExport.name` */
  chunks: Record<string, ManifestChunk>;
  /** file → `sha384-…`; present in production builds. */
  integrity: Record<string, string>;
  /**
   * Named imports of linked specifiers (provided packages and other modules' exports) in this module's own sources:
   * specifier → export name → `file:line` of the first import. The link step checks each against the exporter's `names`.
   */
  imports?: Record<string, Record<string, string>>;
  /** Packages this module's own sources import and bundle (provided to it by no module), for the supply checks. */
  bundled?: string[];
}

/** A composed import map as JSON: specifiers → URLs, per-scope overrides, and SRI hashes keyed by the same URLs. */
export interface ImportMap {
  imports: Record<string, string>;
  scopes: Record<string, Record<string, string>>;
  integrity: Record<string, string>;
}

/**
 * `dist/link.json`: where each module of a linked module's `uses` closure is mounted. `dir` is relative to the
 * linked module's root; a URL-linked module gives the base URL of its client files and, when its server files live
 * apart from them, of its server files.
 */
export interface LinkFile {
  protocol: number;
  module: string;
  modules: Record<string, { dir: string } | { url: string; serverUrl?: string }>;
}
