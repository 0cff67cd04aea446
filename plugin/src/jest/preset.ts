/** Extensions of the specs the preset runs and of the inferred `test` target's spec files (one list). */
export const SPEC_EXTENSIONS = ['ts', 'tsx', 'mts', 'cts', 'js', 'jsx', 'mjs', 'cjs'];

/**
 * The Jest configuration of a generated module (its jest.config.mjs says `preset: '@esmx/nx'`): the specs under src/
 * run in Node against the sources compiled as the server build compiles them (see transformer.ts). CommonJS mode, so
 * a plain `npx jest` works without Node's experimental VM modules; ES module only packages are transformed.
 */
export function createJestPreset(transformer: string) {
  return {
    testEnvironment: 'node',
    testMatch: [`<rootDir>/src/**/*.spec.{${SPEC_EXTENSIONS.join(',')}}`],
    moduleFileExtensions: ['ts', 'tsx', 'mts', 'cts', 'js', 'jsx', 'mjs', 'cjs', 'vue', 'svelte', 'json', 'node'],
    transform: { '\\.(?:[cm]?[jt]sx?|vue|svelte|css)$': transformer },
    // Every file goes to the transformer, which passes CommonJS packages through and converts ES module only ones.
    transformIgnorePatterns: [],
    // The build output holds copies of the module's package.json (dist/standalone): not sources, not specs.
    modulePathIgnorePatterns: ['<rootDir>/dist/'],
    testPathIgnorePatterns: ['/node_modules/', '<rootDir>/dist/'],
    // Stylesheets compile to their class names: nothing to cover.
    coveragePathIgnorePatterns: ['/node_modules/', '\\.css$'],
  };
}
