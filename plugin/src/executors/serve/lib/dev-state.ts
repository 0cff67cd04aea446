/** What the parts of the dev server share: its options and dependencies, the closure it serves, and what is broken. */
import type { BuildModuleOptions, BuildModuleResult } from '../../../bundler/types';
import type { Diagnostic, Resolution } from '../../../protocol/types';
import type { ShimMode } from '../../../runtime/shim';
import type { LiveReloadHub } from './live-reload';
import type { DevModule } from './plan-modules';

export interface DevServerDeps {
  resolve(root: string): Resolution;
  build(options: BuildModuleOptions): Promise<BuildModuleResult>;
  link(root: string, resolution: Resolution): { diagnostics: Diagnostic[] };
  /**
   * Bundles a module that is not watched and has no build yet, once, through Nx so that its cache applies (its bundle
   * only: `build` would also rebuild the providers it uses in production, under the dev server's feet).
   */
  bundleOnce?(name: string): Promise<{ ok: boolean; output: string }>;
  /**
   * Hot updates: the scripts the frameworks of these watched modules run first on every page (React Refresh's
   * runtime), one per framework, and the problems that turn one off (a package not installed: edits then reload).
   */
  devPageScripts?(modules: DevModule[]): Promise<{ scripts: string[]; problems: string[] }>;
}

export interface DevServerOptions {
  root: string;
  port: number;
  host: string;
  base: string;
  shim: ShimMode;
  log?: (line: string) => void;
  /** Stop on SIGINT/SIGTERM. Default true. */
  handleSignals?: boolean;
  /** Modules to watch-build beside the host; the others are served from their last build. Default: every workspace module. */
  devRemotes?: string[];
  /** Milliseconds between an edit of a package.json of the closure and the re-resolution. Default 150. */
  usesDebounceMs?: number;
  /** How the watched modules are built. Default development. */
  mode?: 'development' | 'production';
  /** Apply client edits in place (hot updates, React Fast Refresh) instead of reloading the page. Development only; default true. */
  hot?: boolean;
}

/** The key of the link step's errors among the overlay's (the others are module names and the SSR tag). */
export const LINK_KEY = '(link)';

export interface DevState {
  readonly options: DevServerOptions;
  readonly deps: DevServerDeps;
  readonly log: (line: string) => void;
  readonly hub: LiveReloadHub;
  readonly mode: 'development' | 'production';
  /** Client edits are applied in place (development, unless turned off). */
  readonly hot: boolean;
  /** What the overlay shows, by module name, LINK_KEY or the SSR tag: while it is not empty, pages get the overlay. */
  readonly errors: Map<string, string[]>;
  /** The host's closure as last resolved (a `uses` edit resolves it again). */
  resolution: Resolution;
  /** Set once close() has begun: queued work then does nothing. */
  closing: boolean;
}
