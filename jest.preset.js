// Shared Jest settings: swc for speed, native dynamic import() kept so ESM-only
// packages (@rspack/core) load under --experimental-vm-modules.
const path = require('node:path');

const root = __dirname;

module.exports = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.(t|j)sx?$': [
      '@swc/jest',
      {
        jsc: { target: 'es2022', parser: { syntax: 'typescript', tsx: true } },
        module: { type: 'commonjs', ignoreDynamic: true },
      },
    ],
  },
  moduleFileExtensions: ['ts', 'tsx', 'js', 'mjs', 'cjs', 'json'],
  moduleNameMapper: {
    '^@esmx/nx$': path.join(root, 'plugin/index.ts'),
    '^@esmx/nx/plugin$': path.join(root, 'plugin/plugin.ts'),
    '^@esmx/nx/import-map$': path.join(root, 'plugin/src/import-map/index.ts'),
    '^@esmx/nx/runtime$': path.join(root, 'plugin/src/runtime/index.ts'),
  },
  // Anchored to each project's <rootDir>: a bare '/tmp/' or '/dist/' also matches the folder the clone sits in
  // (a clone under /tmp found no tests at all). '/fixtures/' is meant at any depth: fixture folders hold test
  // data (workspaces, generated files), never a spec to run.
  testPathIgnorePatterns: ['<rootDir>/node_modules/', '<rootDir>/dist/', '<rootDir>/tmp/', '/fixtures/'],
  modulePathIgnorePatterns: ['<rootDir>/dist/', '<rootDir>/tmp/'],
};
