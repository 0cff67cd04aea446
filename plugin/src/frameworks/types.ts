import type { RspackPluginInstance, RuleSetRule, SwcLoaderOptions } from '@rspack/core' with { 'resolution-mode': 'import' };
import type { BuildTarget } from '../protocol/types';

/** What an adapter's Rspack hooks receive for one target of one module. */
export interface FrameworkBuildContext {
  target: BuildTarget;
  mode: 'production' | 'development';
  /** The module's package root (absolute). */
  root: string;
  /**
   * True in the dev server's client builds, which apply hot updates in place (`module.hot`): an adapter adds what its
   * framework needs to keep state across an edit (React Refresh, vue-loader's hot reload).
   */
  hot: boolean;
  /**
   * The swc-loader options every module uses (TypeScript, es2022), with a JSX transform when `jsx` is given:
   * `{ importSource: 'preact' }` compiles JSX for Preact's automatic runtime; `refresh` adds React Refresh's
   * registrations (development only).
   */
  swcOptions(input: { syntax: 'typescript' | 'ecmascript'; jsx?: { importSource: string; refresh?: boolean } }): SwcLoaderOptions;
}

/**
 * One framework, as the `app` generator and the bundler see it. A built-in adapter is a folder under
 * `src/frameworks/<name>/` registered in `registry.ts`; a workspace adds its own by default-exporting this shape from
 * a file named in the plugin options (`frameworks` in nx.json). The server render and client mount/hydrate glue is
 * generated code (the templates), so a built module never loads its adapter at run time.
 */
export interface FrameworkAdapter {
  /** The `--framework` value and the `esmx.framework` of the modules it generates. */
  name: string;
  /** One line for prompts and for the list of known frameworks. */
  description: string;
  /**
   * Templates for `@esmx/nx:app`: `<templates>/host/` and `<templates>/remote/`, rendered with devkit's
   * `generateFiles` (ejs; `__tmpl__` suffixes dropped) over the shared files (tsconfig, islands, remotes). They must
   * write `src/entry.server.<ext>` and `src/entry.client.<ext>`, and for a remote `src/widget.<ext>` exporting
   * `render`, `hydrate` and `mount` (the widget contract).
   */
  templates: string;
  /** Values the templates may use beyond `name`, `role`, `framework` and `marker` (e.g. a custom element's tag). */
  templateValues?(module: { name: string; role: 'host' | 'remote' }): Record<string, unknown>;
  /** Extension of the generated entries and widget: `tsx` for JSX frameworks. */
  sourceExtension: 'ts' | 'tsx';
  /**
   * The package every module of this framework must share one copy of (`react`, `preact`): a host or remote needs a
   * provider of it in its `uses` closure, and a provider generated with this framework provides it.
   */
  runtimePackage?: string;
  /** Default `provides` of a provider generated with this framework. */
  provides: string[];
  /** Packages the generated host or remote imports, with the versions to install. */
  dependencies: Record<string, string>;
  /** Added to the workspace root's devDependencies (types, loaders, checkers). */
  devDependencies?: Record<string, string>;
  /** Merged into the `compilerOptions` of the generated tsconfig.json (e.g. `jsx`, `jsxImportSource`). */
  compilerOptions?: Record<string, unknown>;
  /**
   * The command that type-checks a module of this framework, run in its root (the inferred `typecheck` target).
   * Default: `tsc --noEmit -p tsconfig.json`; a framework with its own file format names its checker.
   */
  typecheck?: string;
  /** File extensions beyond `.ts`/`.mts`/`.css` that only this framework compiles (`.vue`, `.svelte`). */
  fileExtensions?: string[];
  /** Rspack rules for this framework's sources on one target (checked before the common TypeScript/CSS rules). */
  rules?(context: FrameworkBuildContext): RuleSetRule[];
  /** Rspack plugins this framework needs on one target. */
  plugins?(context: FrameworkBuildContext): RspackPluginInstance[];
  /**
   * Dev server with hot updates only: a classic script run first on every page, before any module (React Refresh
   * must hook into React before react-dom loads, which a module of the page cannot do: its imports run first).
   * `root` is the module's package root, to resolve the framework's packages from. Throws a tagged error when a
   * package it needs is not installed: the dev server prints it and falls back to reloading the page.
   */
  devPageScript?(root: string): string;
}
