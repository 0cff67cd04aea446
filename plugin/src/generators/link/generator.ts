import type { GeneratorCallback, Tree } from '@nx/devkit';
import { installPackagesTask, logger } from '@nx/devkit';
import { TAG } from '../../constants';
import { addModuleUse, addWidgetImport, reportWidgetImport } from '../lib/link-modules';
import { normalizeOptions } from './lib/normalize-options';
import { resolveLink } from './lib/resolve-link';
import type { LinkGeneratorSchema } from './schema';

/** `nx g @esmx/nx:link --from=<host> --to=<remote> [--import]`. */
export async function linkGenerator(tree: Tree, schema: LinkGeneratorSchema): Promise<GeneratorCallback> {
  const options = normalizeOptions(tree, schema);
  const { from, to } = resolveLink(options);
  const changed = addModuleUse(tree, from, to.name);
  if (options.import) reportWidgetImport(addWidgetImport(tree, from, to), from, to);
  if (!changed) logger.info(`${TAG.generator} ${from.name} already uses ${to.name}.`);
  // Forced: the root package.json is unchanged, but the lockfile must record the new dependency.
  return changed && !options.skipInstall ? () => installPackagesTask(tree, true) : () => undefined;
}

export default linkGenerator;
