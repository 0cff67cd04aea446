import type { Configuration, DefinePlugin } from '@rspack/core' with { 'resolution-mode': 'import' };
import type { FrameworkAdapter } from '../frameworks/types';
import { createRspackConfig, type HotPlugins } from './create-rspack-config';
import { findConfigHook, loadConfigHook } from './load-config-hook';
import { getTargetDir } from './swap-dist';
import type { ExternalsPlan, TargetPlan } from './types';

export interface TargetConfigsInput {
  root: string;
  name: string;
  mode: 'production' | 'development';
  plans: TargetPlan[];
  externals: ExternalsPlan;
  /** Staging folder; each target emits into its `client/` or `server/` subfolder. */
  stage: string;
  /** The `config` option; default: an `esmx.rspack.*` file in `root`, when there is one. */
  configHook?: string;
  /** `rspack.DefinePlugin`, passed in because @rspack/core is loaded lazily. */
  DefinePlugin: typeof DefinePlugin;
  /** The module's framework adapter. */
  framework: FrameworkAdapter;
  /** Hot updates in the client build (the dev server's). */
  hot?: HotPlugins;
  /** Extensions only other known adapters compile, with the adapter's name. */
  foreignExtensions?: Map<string, string>;
}

/**
 * One Rspack config per planned target, each passed through the module's config hook when it has one.
 * Throws a tagged error when the hook cannot be loaded.
 */
export async function createTargetConfigs(input: TargetConfigsInput): Promise<Configuration[]> {
  const { root, mode } = input;
  const hookPath = findConfigHook(root, input.configHook);
  const hook = hookPath ? await loadConfigHook(hookPath) : undefined;
  const configs: Configuration[] = [];
  for (const plan of input.plans) {
    const base = createRspackConfig({
      root,
      name: input.name,
      mode,
      target: plan.target,
      entries: plan.entries,
      externals: input.externals,
      outputPath: getTargetDir(input.stage, plan.target),
      DefinePlugin: input.DefinePlugin,
      hot: input.hot,
      framework: input.framework,
      foreignExtensions: input.foreignExtensions,
    });
    const changed = hook ? await hook(base, { target: plan.target, mode, root }) : undefined;
    configs.push(changed ?? base);
  }
  return configs;
}
