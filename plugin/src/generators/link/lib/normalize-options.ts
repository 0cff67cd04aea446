import type { Tree } from '@nx/devkit';
import type { WorkspacePackage } from '../../lib/workspace-modules';
import { readWorkspacePackages } from '../../lib/workspace-modules';
import type { LinkGeneratorSchema } from '../schema';

export interface NormalizedLinkOptions {
  from: string;
  to: string;
  import: boolean;
  skipInstall: boolean;
  packages: WorkspacePackage[];
}

export function normalizeOptions(tree: Tree, schema: LinkGeneratorSchema): NormalizedLinkOptions {
  return {
    from: (schema.from ?? '').trim(),
    to: (schema.to ?? '').trim(),
    import: schema.import ?? false,
    skipInstall: schema.skipInstall ?? false,
    packages: readWorkspacePackages(tree),
  };
}
