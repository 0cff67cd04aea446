import type { GeneratorCallback, Tree } from '@nx/devkit';
import { appGenerator } from '../app/generator';
import type { HostGeneratorSchema } from './schema';

/** `nx g @esmx/nx:host <directory>`: the short form of `nx g @esmx/nx:app <directory> --role=host`. */
export function hostGenerator(tree: Tree, schema: HostGeneratorSchema): Promise<GeneratorCallback> {
  return appGenerator(tree, { ...schema, role: 'host' });
}

export default hostGenerator;
