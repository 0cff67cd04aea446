import type { InitGeneratorSchema } from '../schema';

export type NormalizedInitOptions = Required<InitGeneratorSchema>;

export function normalizeOptions(options: InitGeneratorSchema): NormalizedInitOptions {
  return {
    skipPackageJson: options.skipPackageJson ?? false,
    keepExistingVersions: options.keepExistingVersions ?? true,
  };
}
