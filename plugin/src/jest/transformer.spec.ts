import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { runInNewContext } from 'node:vm';
import preset from '../../jest-preset';
import { compileCssModule, listCssModuleClassNames } from './css-module';
import { createJestPreset, SPEC_EXTENSIONS } from './preset';
import transformerModule from './transformer';

const repoRoot = join(__dirname, '../../..');

describe('CSS modules', () => {
  it('lists each class name once, in order, ignoring comments and property values', () => {
    const css = '/* .not-this */ .counter { color: red; } .counter:hover, .big-title > .x { margin: .5em; } .counter {}';
    expect(listCssModuleClassNames(css)).toEqual(['counter', 'big-title', 'x']);
  });

  it('compiles to CommonJS exports, or to a default export and identifier-named exports as an ES module', () => {
    expect(compileCssModule('.counter {} .big-title {}', true, false)).toBe('module.exports = {"counter": "counter", "big-title": "big-title"};\n');
    expect(compileCssModule('.counter {} .big-title {}', true, true)).toBe(
      'const classes = {"counter": "counter", "big-title": "big-title"};\nexport default classes;\nexport const counter = classes["counter"];\n',
    );
    expect(compileCssModule('.counter {}', false, false)).toBe('module.exports = {};\n');
  });
});

describe('the preset', () => {
  it('runs the specs the inferred test target counts, through the transformer, transforming node_modules too', () => {
    expect(preset.testMatch).toEqual([`<rootDir>/src/**/*.spec.{${SPEC_EXTENSIONS.join(',')}}`]);
    expect(Object.values(preset.transform)).toEqual([require.resolve('./transformer')]);
    const pattern = new RegExp(Object.keys(preset.transform)[0]);
    for (const file of ['a.ts', 'a.tsx', 'a.mts', 'a.js', 'a.jsx', 'a.mjs', 'a.cjs', 'A.vue', 'A.svelte', 'a.module.css', 'a.css']) expect(file).toMatch(pattern);
    expect('a.json').not.toMatch(pattern);
    expect(preset.transformIgnorePatterns).toEqual([]);
    expect(createJestPreset('/t.js').testEnvironment).toBe('node');
  });
});

describe('the transformer', () => {
  const transformer = transformerModule.createTransformer();
  let root: string;

  /** Writes a file under the temporary workspace (inside the repository, so its node_modules resolve). */
  function write(file: string, content: string | object): string {
    const path = join(root, file);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
    return path;
  }
  function transform(path: string, source: string, options: { rootDir?: string; supportsStaticESM?: boolean } = {}): string {
    const result = transformer.process(source, path, {
      config: { rootDir: options.rootDir ?? root },
      configString: '{}',
      supportsStaticESM: options.supportsStaticESM ?? false,
    });
    return typeof result === 'string' ? result : result.code;
  }

  beforeAll(() => {
    mkdirSync(join(repoRoot, 'tmp'), { recursive: true });
    root = mkdtempSync(join(repoRoot, 'tmp', 'jest-transformer-'));
    write('apps/react-app/package.json', { name: 'react-app', type: 'module', esmx: { framework: 'react' } });
    write('apps/preact-app/package.json', { name: 'preact-app', type: 'module', esmx: { framework: 'preact' } });
    write('apps/solid-app/package.json', { name: 'solid-app', type: 'module', esmx: { framework: 'solid' } });
    write('apps/vue-app/package.json', { name: 'vue-app', type: 'module', esmx: { framework: 'vue' } });
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('compiles JSX for the framework of the package each file belongs to, to CommonJS, source-mapped', () => {
    const source = "import type { X } from './x';\nexport const view = (x: X) => <p>{String(x)}</p>;\n";
    const react = transform(write('apps/react-app/src/view.tsx', source), source);
    expect(react).toContain('require("react/jsx-runtime")');
    expect(react).toContain('exports, "view"');
    expect(react).toContain('//# sourceMappingURL=data:application/json');
    const preact = transform(write('apps/preact-app/src/view.tsx', source), source);
    expect(preact).toContain('require("preact/jsx-runtime")');
    // As an ES module when Jest runs ESM.
    expect(transform(join(root, 'apps/preact-app/src/view.tsx'), source, { supportsStaticESM: true })).toContain('from "preact/jsx-runtime"');
  });

  it('parses .ts files without JSX, so that `<T>value` stays a type assertion', () => {
    const source = 'export const n = <number>(1 as unknown);\n';
    expect(transform(write('apps/react-app/src/n.ts', source), source)).toMatch(/exports, "n"[\s\S]*const n = 1/);
  });

  it("compiles Solid's JSX to server string templates with hydration keys", () => {
    const source = 'export const View = (props: { n: number }) => <p class="n">{props.n}</p>;\n';
    const code = transform(write('apps/solid-app/src/view.tsx', source), source);
    expect(code).toContain('require("solid-js/web")');
    expect(code).toMatch(/ssrHydrationKey/);
    expect(code).not.toContain('<p class="n">{');
  });

  it('compiles a .vue file for SSR, with the scope id of its scoped style', () => {
    const source = '<script setup lang="ts">\nconst n: number = 1;\n</script>\n<template><p>{{ n }}</p></template>\n<style scoped>p { color: red; }</style>\n';
    const code = transform(write('apps/vue-app/src/View.vue', source), source);
    expect(code).toContain('require("vue/server-renderer")');
    expect(code).toMatch(/__scopeId = "data-v-[0-9a-f]{8}"/);
    expect(code).toMatch(/exports, "default"|exports.default =/);
  });

  it('compiles a .svelte file for the server', () => {
    const source = '<script lang="ts">\n  let n: number = 1;\n</script>\n<p>{n}</p>\n';
    const code = transform(write('apps/svelte-app/src/View.svelte', source), source);
    expect(code).toMatch(/require\("svelte\/internal\/server"\)/);
  });

  it('gives CSS modules their class names, as CommonJS that runs', () => {
    const path = write('apps/react-app/src/w.module.css', '.counter { border-radius: 6px; }');
    const module = { exports: {} as Record<string, string> };
    runInNewContext(transform(path, '.counter { border-radius: 6px; }'), { module });
    expect(module.exports).toEqual({ counter: 'counter' });
  });

  it('turns ES module only packages of node_modules into CommonJS and passes CommonJS ones through', () => {
    write('node_modules/esm-only/package.json', { name: 'esm-only', type: 'module' });
    const esm = write('node_modules/esm-only/index.js', 'export const one = 1;\n');
    const exports: Record<string, unknown> = {};
    runInNewContext(transform(esm, 'export const one = 1;\n'), { exports, module: { exports }, require });
    expect(exports.one).toBe(1);
    write('node_modules/plain/package.json', { name: 'plain' });
    const cjs = write('node_modules/plain/index.js', 'module.exports = 1;\n');
    expect(transform(cjs, 'module.exports = 1;\n')).toBe('module.exports = 1;\n');
  });

  it('keys its cache on the framework and the module system, not only on the source', () => {
    const key = (file: string, supportsStaticESM = false) =>
      transformer.getCacheKey('const a = <p />;', join(root, file), { config: { rootDir: root }, configString: '{}', supportsStaticESM });
    expect(key('apps/react-app/src/a.tsx')).not.toBe(key('apps/preact-app/src/a.tsx'));
    expect(key('apps/react-app/src/a.tsx')).not.toBe(key('apps/react-app/src/a.tsx', true));
    expect(key('apps/react-app/src/a.tsx')).toBe(key('apps/react-app/src/a.tsx'));
  });

  it('names the package to install when the workspace lacks a compiler', () => {
    const bare = mkdtempSync(join(tmpdir(), 'esmx-jest-bare-'));
    try {
      writeFileSync(join(bare, 'package.json'), JSON.stringify({ name: 'bare', esmx: { framework: 'vue' } }));
      expect(() => transform(join(bare, 'src/a.ts'), 'export {};', { rootDir: bare })).toThrow(
        `[esmx:test] expected @swc/jest to be installed in the workspace of ${bare} (it compiles TypeScript for Jest), found none. Fix: npm install -D @swc/jest (nx g @esmx/nx:init adds it).`,
      );
      expect(() => transform(join(bare, 'src/A.vue'), '<template><p /></template>', { rootDir: bare })).toThrow(/expected vue\/compiler-sfc .* Fix: npm install vue/);
      // What Jest prints under "Test suite failed to run": the message, no trace into the preset.
      const error = (() => {
        try {
          transform(join(bare, 'src/a.ts'), 'export {};', { rootDir: bare });
        } catch (thrown) {
          return thrown as Error;
        }
      })();
      expect(error?.stack).toBe(error?.message);
    } finally {
      rmSync(bare, { recursive: true, force: true });
    }
  });
});
