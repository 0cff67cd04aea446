import type { Tree } from '@nx/devkit';
import { readNxJson, updateNxJson } from '@nx/devkit';

/** Nx's usual definitions; the inferred `bundle` target hashes a module's `production` files (not its specs, not its Jest config). */
const DEFAULT_INPUTS = ['{projectRoot}/**/*'];
const PRODUCTION_INPUTS = [
  'default',
  '!{projectRoot}/**/?(*.)+(spec|test).[jt]s?(x)?(.snap)',
  '!{projectRoot}/jest.config.?([cm])[jt]s',
  '!{projectRoot}/dist/**/*',
];

/** Defines the `default` and `production` named inputs when the workspace has not; never overrides them. */
export function addNamedInputs(tree: Tree): void {
  const nxJson = readNxJson(tree) ?? {};
  const namedInputs = nxJson.namedInputs ?? {};
  if (namedInputs.default && namedInputs.production) return;
  updateNxJson(tree, {
    ...nxJson,
    namedInputs: {
      ...namedInputs,
      default: namedInputs.default ?? DEFAULT_INPUTS,
      production: namedInputs.production ?? PRODUCTION_INPUTS,
    },
  });
}
