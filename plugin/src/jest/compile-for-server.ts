import { createHash } from 'node:crypto';

/**
 * What the specs of a generated module import, compiled as the module's server build compiles it: `.vue` for SSR,
 * `.svelte` for the server, Solid's JSX to string templates. Each returns ES module source (TypeScript for `.vue` with
 * `lang="ts"`), which the transformer then turns into what Jest runs. The compilers are the workspace's own (its
 * `vue`, `svelte`, `babel-preset-solid`), passed in by the caller, so that tests and builds use the same version.
 */

/** The subset of `vue/compiler-sfc` used here. */
export interface VueCompilerSfc {
  parse(source: string, options: { filename: string }): { descriptor: VueDescriptor; errors: Array<{ message: string }> };
  compileScript(descriptor: VueDescriptor, options: Record<string, unknown>): { content: string };
}
interface VueDescriptor {
  styles: Array<{ scoped?: boolean }>;
}

/**
 * A single-file component for SSR: its script (setup or not) with the template inlined as an SSR render function,
 * the scope id of `<style scoped>` set as vue-loader sets it (`data-v-<8 hex>`, from the file path).
 */
export function compileVueForServer(compiler: VueCompilerSfc, source: string, filename: string): string {
  const { descriptor, errors } = compiler.parse(source, { filename });
  if (errors.length) throw new Error(`${filename}: ${errors.map((error) => error.message).join('; ')}`);
  const id = createHash('sha256').update(filename).digest('hex').slice(0, 8);
  const scoped = descriptor.styles.some((style) => style.scoped);
  const script = compiler.compileScript(descriptor, {
    id,
    inlineTemplate: true,
    genDefaultAs: '__component',
    templateOptions: { ssr: true, compilerOptions: { scopeId: scoped ? `data-v-${id}` : undefined } },
  });
  const scope = scoped ? `__component.__scopeId = ${JSON.stringify(`data-v-${id}`)};\n` : '';
  return `${script.content}\n${scope}export default __component;\n`;
}

/** The subset of `svelte/compiler` used here. */
export interface SvelteCompiler {
  compile(source: string, options: { filename: string; generate: 'server' }): { js: { code: string } };
}

/** A Svelte component for the server (`generate: 'server'`), as svelte-loader compiles it in the server build. */
export function compileSvelteForServer(compiler: SvelteCompiler, source: string, filename: string): string {
  return compiler.compile(source, { filename, generate: 'server' }).js.code;
}

/** The subset of `@babel/core` used here. */
export interface BabelCore {
  transformSync(source: string, options: Record<string, unknown>): { code?: string | null } | null;
}

/**
 * Solid's JSX for the server (`generate: 'ssr'`, hydratable, as the server build's babel-loader rule), types removed.
 * `presets` are the resolved paths of babel-preset-solid and @babel/preset-typescript.
 */
export function compileSolidForServer(babel: BabelCore, presets: { solid: string; typescript: string }, source: string, filename: string): string {
  const result = babel.transformSync(source, {
    filename,
    babelrc: false,
    configFile: false,
    sourceMaps: 'inline',
    presets: [
      [presets.solid, { generate: 'ssr', hydratable: true }],
      [presets.typescript, { onlyRemoveTypeImports: true }],
    ],
  });
  if (typeof result?.code !== 'string') throw new Error(`${filename}: Babel returned no code`);
  return result.code;
}
