import type { FrameworkTable } from '../frameworks/load-frameworks';
import type { BuildManifest, BuildTarget, Resolution, Wiring } from '../protocol/types';

/** The outcome of one build in watch mode after the first, passed to `onRebuild`. */
export interface RebuildResult {
  ok: boolean;
  errors: string[];
  manifests: { client?: BuildManifest; server?: BuildManifest };
  /**
   * Hot builds: the client compilation's hash when the client compiled this time — what the dev server announces to
   * the pages, whose client runtime then fetches the update to it. Absent when only the server compiled.
   */
  clientHash?: string;
}

/** Options of `buildModule`. */
export interface BuildModuleOptions {
  /** Module package root (absolute). */
  root: string;
  mode: 'production' | 'development';
  /** From `resolveModule`: decides what stays external. */
  resolution: Resolution;
  /** Path to an `esmx.rspack.(js|ts|mjs)`; default: auto-detected in `root`. */
  configHook?: string;
  /** The frameworks the module may name in `esmx.framework`; default: the built-in ones and the nx.json ones above `root`. */
  frameworks?: FrameworkTable;
  /** Keep watching after the first build; `onRebuild` is called after every LATER build. */
  watch?: boolean;
  /** With `watch` in development: the client build applies edits in place (hot updates) instead of a page reload. */
  hot?: boolean;
  onRebuild?: (result: RebuildResult) => void;
  log?: (line: string) => void;
}

/** One emitted file of the size table: raw bytes, and gzip bytes for what a browser downloads (client files). */
export interface SizeRow {
  target: BuildTarget;
  file: string;
  raw: number;
  /** Absent for server files: never sent over the network, so compressing them for the table is wasted work. */
  gzip?: number;
}

/** The outcome of `buildModule`: the manifests and the size table on success, the formatted errors otherwise. */
export interface BuildModuleResult extends RebuildResult {
  warnings: string[];
  sizes: SizeRow[];
  /** Watch mode only: stops the watcher. */
  close?: () => Promise<void>;
}

/** One entry of one target's compilation. */
export interface EntryPlan {
  /** Manifest export name: `ui`, `index`, `entry.client`, or a provided specifier. */
  name: string;
  /** Absolute source file (a generated wrapper for provided specifiers). */
  import: string;
  identifier: string;
  pkg: boolean;
}

/** Everything the Rspack config of one target is derived from. */
export interface TargetPlan {
  target: BuildTarget;
  entries: EntryPlan[];
}

/** What stays a bare import for one module. */
export interface ExternalsPlan {
  /** Provided specifiers wired for this module (exact match). */
  specifiers: Set<string>;
  /** The same specifiers with their provider and provided version. */
  wiring: Record<string, Wiring>;
  /**
   * Provided packages that a package in node_modules imports at another major than the provided one (its own nested
   * copy): kept bundled, not rewired. Keyed by `<package>\0<installed dir>`; filled while Rspack resolves.
   */
  nestedCopies: Map<string, NestedCopy>;
  /** `<directory>\0<package>` → the package Node loads from there (read once per build). */
  installed: Map<string, { dir: string; version: string | undefined } | undefined>;
  /** Exact identifiers of known modules' exports, and their aliases. */
  identifiers: Set<string>;
  /** Names of the modules in the closure: `<name>/…` stays bare even if unknown here (the link step checks it). */
  modules: Set<string>;
  /** Per target: absolute source path without extension → identifier of the module's own export. */
  ownFiles: Record<BuildTarget, Map<string, string>>;
  /**
   * Per target: the last path segment of each `ownFiles` key. A relative request whose last segment (without a
   * script extension) is none of them cannot reach an export: most are not checked further (no path join per import).
   */
  ownNames: Record<BuildTarget, Set<string>>;
  /** The module being built and its package.json: named in the fix of an import of a module missing from `uses`. */
  self: { name: string; root: string; packageJsonPath: string };
  /** `<node_modules dir>\0<package>` → whether that installed package is an esmx module (read once per build). */
  esmxPackages: Map<string, boolean>;
}

/** A provided package that a dependency brings at another major: bundled for that dependency, with a warning. */
export interface NestedCopy {
  package: string;
  /** The installed copy's directory and version. */
  dir: string;
  version: string;
  /** The file that imports it. */
  issuer: string;
  provided: Wiring;
  /** Set once its warning has been printed. */
  reported?: boolean;
}
