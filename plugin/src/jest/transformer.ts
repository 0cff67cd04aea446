import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join, sep } from 'node:path';
import { TAG } from '../constants';
import { compileCssModule } from './css-module';
import { compileSolidForServer, compileSvelteForServer, compileVueForServer, type BabelCore, type SvelteCompiler, type VueCompilerSfc } from './compile-for-server';

/**
 * The Jest transformer of the @esmx/nx preset: the specs of a module run against its sources compiled as its server
 * build compiles them. TypeScript and JSX go through @swc/jest (JSX for the module's framework, read from the
 * `esmx.framework` of the package the file belongs to, so a React host's spec can import a Preact remote's widget);
 * Solid's JSX, `.vue` and `.svelte` files through their own compilers first; CSS modules become their class names.
 * Packages in node_modules that are ES modules only (Lit, Svelte) are turned into CommonJS, which is what Jest runs
 * without Node's experimental VM modules; CommonJS packages pass through untouched.
 */

/** What Jest hands a transformer (the part used here). */
interface TransformOptions {
  config: { rootDir: string };
  configString: string;
  instrument?: boolean;
  supportsStaticESM?: boolean;
}
type Transformed = { code: string; map?: unknown } | string;
interface SwcJestTransformer {
  process(source: string, filename: string, options: TransformOptions): Transformed;
}

/** Bump when the output for the same input changes: part of every cache key. */
const TRANSFORMER_VERSION = '1';

/** The versions `nx g @esmx/nx:init` installs, named in the fix of a missing package. */
const INSTALL_HINT: Record<string, string> = {
  '@swc/jest': 'npm install -D @swc/jest (nx g @esmx/nx:init adds it)',
  '@swc/core': 'npm install -D @swc/core (nx g @esmx/nx:init adds it)',
  'vue/compiler-sfc': 'npm install vue (nx g @esmx/nx:app --framework=vue adds it)',
  'svelte/compiler': 'npm install svelte (nx g @esmx/nx:app --framework=svelte adds it)',
  '@babel/core': 'npm install -D @babel/core (nx g @esmx/nx:app --framework=solid adds it)',
  'babel-preset-solid': 'npm install -D babel-preset-solid (nx g @esmx/nx:app --framework=solid adds it)',
  '@babel/preset-typescript': 'npm install -D @babel/preset-typescript (nx g @esmx/nx:app --framework=solid adds it)',
};

/** JSX runtime per framework; Solid compiles its JSX with Babel instead. Others (html, lit, vue, svelte) rarely use JSX. */
const JSX_IMPORT_SOURCE: Record<string, string> = { react: 'react', preact: 'preact' };

type Kind = 'css' | 'vue' | 'svelte' | 'script' | 'package';

function classify(filename: string): Kind {
  if (filename.endsWith('.css')) return 'css';
  if (filename.endsWith('.vue')) return 'vue';
  if (filename.endsWith('.svelte')) return 'svelte';
  return filename.includes(`${sep}node_modules${sep}`) ? 'package' : 'script';
}

/** Nearest package.json of a folder, parsed, cached per folder (a transformer lives as long as its Jest worker). */
const packageJsonOf = new Map<string, { type?: unknown; esmx?: { framework?: unknown } } | null>();
function readNearestPackageJson(dir: string): { type?: unknown; esmx?: { framework?: unknown } } | null {
  const cached = packageJsonOf.get(dir);
  if (cached !== undefined) return cached;
  let found: { type?: unknown; esmx?: { framework?: unknown } } | null;
  try {
    found = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  } catch (error) {
    // No (readable) package.json here: look further up, as Node does; at the file system root there is none.
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT' && !(error instanceof SyntaxError)) throw error;
    const parent = dirname(dir);
    found = parent === dir ? null : readNearestPackageJson(parent);
  }
  packageJsonOf.set(dir, found);
  return found;
}

/** The `esmx.framework` of the module a source file belongs to (`react` when it names none, as the bundler assumes). */
function frameworkOf(filename: string): string {
  const framework = readNearestPackageJson(dirname(filename))?.esmx?.framework;
  return typeof framework === 'string' ? framework : 'react';
}

/** Whether Node loads this file of a package as an ES module: `.mjs`, or `.js` in a `"type": "module"` package. */
function isEsModule(filename: string): boolean {
  const ext = extname(filename);
  if (ext === '.mjs') return true;
  if (ext !== '.js') return false;
  return readNearestPackageJson(dirname(filename))?.type === 'module';
}

/** A package from the workspace the tests run in (resolved from Jest's rootDir), or a diagnostic naming the fix. */
function requireFromWorkspace<T>(rootDir: string, name: string, reason: string): T {
  const require = createRequire(join(rootDir, 'package.json'));
  try {
    return require(name) as T;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') throw error;
    const diagnostic = new Error(
      `${TAG.test} expected ${name} to be installed in the workspace of ${rootDir} (${reason}), found none. Fix: ${INSTALL_HINT[name] ?? `npm install -D ${name}`}.`,
    );
    // Jest prints an error's stack: the message alone, not a trace into the preset.
    diagnostic.stack = diagnostic.message;
    throw diagnostic;
  }
}

function resolveFromWorkspace(rootDir: string, name: string, reason: string): string {
  const require = createRequire(join(rootDir, 'package.json'));
  try {
    return require.resolve(name);
  } catch {
    // Not installed: requireFromWorkspace words the diagnostic.
    return requireFromWorkspace<never>(rootDir, name, reason);
  }
}

function createTransformer() {
  // One @swc/jest transformer per parser setting, created on first use from the workspace's @swc/jest.
  const swcTransformers = new Map<string, SwcJestTransformer>();
  const swc = (rootDir: string, parser: 'typescript' | 'tsx' | 'ecmascript', importSource?: string): SwcJestTransformer => {
    const key = `${rootDir}\0${parser}\0${importSource ?? ''}`;
    let transformer = swcTransformers.get(key);
    if (!transformer) {
      const swcJest = requireFromWorkspace<{ createTransformer(options: object): SwcJestTransformer }>(rootDir, '@swc/jest', 'it compiles TypeScript for Jest');
      transformer = swcJest.createTransformer({
        jsc: {
          parser: parser === 'ecmascript' ? { syntax: 'ecmascript', jsx: false } : { syntax: 'typescript', tsx: parser === 'tsx' },
          ...(importSource ? { transform: { react: { runtime: 'automatic', importSource } } } : {}),
        },
      });
      swcTransformers.set(key, transformer);
    }
    return transformer;
  };

  return {
    canInstrument: false,

    getCacheKey(source: string, filename: string, options: TransformOptions): string {
      const kind = classify(filename);
      const framework = kind === 'script' ? frameworkOf(filename) : '';
      return createHash('sha256')
        .update([TRANSFORMER_VERSION, kind, framework, filename, options.configString, String(!!options.supportsStaticESM), String(!!options.instrument), source].join('\0'))
        .digest('hex');
    },

    process(source: string, filename: string, options: TransformOptions): Transformed {
      const rootDir = options.config.rootDir;
      switch (classify(filename)) {
        case 'css':
          return { code: compileCssModule(source, filename.endsWith('.module.css'), !!options.supportsStaticESM) };
        case 'package':
          // A CommonJS file runs as it is; an ES module only package is turned into CommonJS (or kept when Jest runs ESM).
          return isEsModule(filename) ? swc(rootDir, 'ecmascript').process(source, filename, options) : { code: source };
        case 'vue': {
          const compiler = requireFromWorkspace<VueCompilerSfc>(rootDir, 'vue/compiler-sfc', 'it compiles .vue files for the specs');
          return swc(rootDir, 'typescript').process(compileVueForServer(compiler, source, filename), filename, options);
        }
        case 'svelte': {
          const compiler = requireFromWorkspace<SvelteCompiler>(rootDir, 'svelte/compiler', 'it compiles .svelte files for the specs');
          return swc(rootDir, 'ecmascript').process(compileSvelteForServer(compiler, source, filename), filename, options);
        }
        case 'script': {
          const framework = frameworkOf(filename);
          if (framework === 'solid' && /\.[jt]sx$/.test(filename)) {
            const reason = 'it compiles Solid JSX for the specs';
            const babel = requireFromWorkspace<BabelCore>(rootDir, '@babel/core', reason);
            const presets = {
              solid: resolveFromWorkspace(rootDir, 'babel-preset-solid', reason),
              typescript: resolveFromWorkspace(rootDir, '@babel/preset-typescript', reason),
            };
            return swc(rootDir, 'ecmascript').process(compileSolidForServer(babel, presets, source, filename), filename, options);
          }
          // Only .tsx/.jsx parse JSX: in a .ts file `<T>value` is a type assertion.
          if (!/\.[jt]sx$/.test(filename)) return swc(rootDir, 'typescript').process(source, filename, options);
          return swc(rootDir, 'tsx', JSX_IMPORT_SOURCE[framework] ?? 'react').process(source, filename, options);
        }
      }
    },
  };
}

export default { createTransformer };
