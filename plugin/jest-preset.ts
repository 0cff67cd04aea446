/**
 * The Jest preset of @esmx/nx (`preset: '@esmx/nx'` in a module's jest.config.mjs): TypeScript, JSX, CSS modules,
 * `.vue` and `.svelte` files compiled as the module's server build compiles them.
 */
import { createJestPreset } from './src/jest/preset';

export default createJestPreset(require.resolve('./src/jest/transformer'));
