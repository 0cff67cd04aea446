import type { Tree } from '@nx/devkit';
import { readNxJson } from '@nx/devkit';
import { TAG } from '../../../constants';
import { findFramework, FrameworkError, loadFrameworks, readFrameworksOf, type FrameworkAdapter } from '../../../frameworks/index';

/**
 * The adapter `--framework` names: built in, or registered under `frameworks` in the plugin options of the tree's
 * nx.json (files relative to the workspace root). An unknown name lists the known ones.
 */
export async function loadFramework(tree: Tree, name: string | undefined): Promise<FrameworkAdapter> {
  try {
    const table = await loadFrameworks(tree.root, readFrameworksOf(readNxJson(tree)));
    if (name === undefined || name === '') throw new FrameworkError(describeMissingFramework(table.adapters.values()));
    return findFramework(table, name, '--framework');
  } catch (error) {
    if (!(error instanceof FrameworkError)) throw error;
    // Nx adds "Pass --verbose to see the stacktrace" to any error with a stack; a user error has none worth seeing.
    const bare = new Error(error.message);
    bare.stack = '';
    throw bare;
  }
}

/** The message for a run without --framework: every known framework with its one-line description. */
function describeMissingFramework(adapters: Iterable<FrameworkAdapter>): string {
  const list = [...adapters].map((adapter) => `${adapter.name}: ${adapter.description}`).join('; ');
  return `${TAG.generator} expected --framework to name the module's framework, found none. Fix: pass --framework=<name>, one of: ${list}.`;
}
