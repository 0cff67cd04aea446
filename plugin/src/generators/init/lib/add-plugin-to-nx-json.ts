import type { Tree } from '@nx/devkit';
import { readNxJson, updateNxJson } from '@nx/devkit';

/** The graph plugin entry users register (the package export `@esmx/nx/plugin`). */
export const ESMX_GRAPH_PLUGIN = '@esmx/nx/plugin';

/**
 * Registers the graph plugin in nx.json unless an entry for it exists already, as a string or as
 * `{ plugin, options }` (whose options are the user's and stay untouched).
 */
export function addPluginToNxJson(tree: Tree): void {
  const nxJson = readNxJson(tree) ?? {};
  const plugins = nxJson.plugins ?? [];
  const registered = plugins.some((entry) => (typeof entry === 'string' ? entry : entry.plugin) === ESMX_GRAPH_PLUGIN);
  if (registered) return;
  updateNxJson(tree, { ...nxJson, plugins: [...plugins, ESMX_GRAPH_PLUGIN] });
}
