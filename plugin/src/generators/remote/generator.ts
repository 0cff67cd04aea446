import type { GeneratorCallback, Tree } from '@nx/devkit';
import { appGenerator } from '../app/generator';
import type { RemoteGeneratorSchema } from './schema';

/** `nx g @esmx/nx:remote <directory>`: the short form of `nx g @esmx/nx:app <directory> --role=remote`. */
export function remoteGenerator(tree: Tree, schema: RemoteGeneratorSchema): Promise<GeneratorCallback> {
  return appGenerator(tree, { ...schema, role: 'remote' });
}

export default remoteGenerator;
