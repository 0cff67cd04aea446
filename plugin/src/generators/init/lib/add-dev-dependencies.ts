import type { GeneratorCallback, Tree } from '@nx/devkit';
import { addDependenciesToPackageJson } from '@nx/devkit';
import {
  esModuleShimsVersion,
  reactDomVersion,
  reactVersion,
  rspackCoreVersion,
  swcCoreVersion,
  swcNodeRegisterVersion,
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
      '@rspack/core': rspackCoreVersion,
      '@swc-node/register': swcNodeRegisterVersion,
      '@swc/core': swcCoreVersion,
      '@types/node': typesNodeVersion,
      '@types/react': typesReactVersion,
      '@types/react-dom': typesReactDomVersion,
      'es-module-shims': esModuleShimsVersion,
      react: reactVersion,
      'react-dom': reactDomVersion,
      typescript: typescriptVersion,
    },
    'package.json',
    keepExistingVersions,
  );
}
