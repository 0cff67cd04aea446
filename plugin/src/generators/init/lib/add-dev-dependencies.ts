import type { GeneratorCallback, Tree } from '@nx/devkit';
import { addDependenciesToPackageJson } from '@nx/devkit';
import {
  esModuleShimsVersion,
  jestGlobalsVersion,
  jestVersion,
  reactDomVersion,
  reactVersion,
  rspackCoreVersion,
  swcCoreVersion,
  swcJestVersion,
  typesNodeVersion,
  typesReactDomVersion,
  typesReactVersion,
  typescriptVersion,
} from '../../../versions';

/** What generated modules need at build time, test and type-check time, and in the browser fallback. */
export function addDevDependencies(tree: Tree, keepExistingVersions: boolean): GeneratorCallback {
  return addDependenciesToPackageJson(
    tree,
    {},
    {
      '@jest/globals': jestGlobalsVersion,
      '@rspack/core': rspackCoreVersion,
      '@swc/core': swcCoreVersion,
      '@swc/jest': swcJestVersion,
      '@types/node': typesNodeVersion,
      '@types/react': typesReactVersion,
      '@types/react-dom': typesReactDomVersion,
      'es-module-shims': esModuleShimsVersion,
      jest: jestVersion,
      react: reactVersion,
      'react-dom': reactDomVersion,
      typescript: typescriptVersion,
    },
    'package.json',
    keepExistingVersions,
  );
}
