import { TAG } from '../../../constants';
import type { BundleExecutorSchema } from '../schema';

export interface NormalizedBundleOptions {
  mode: 'production' | 'development';
  config?: string;
  links: Record<string, string>;
  link: boolean;
  watch: boolean;
}

export function normalizeOptions(options: BundleExecutorSchema): { options?: NormalizedBundleOptions; error?: string } {
  const mode = options.mode ?? 'production';
  if (mode !== 'production' && mode !== 'development') {
    return {
      error: `${TAG.build} option "mode" must be "production" or "development", found ${JSON.stringify(mode)}; fix: pass --mode=development or leave it out.`,
    };
  }
  const links = options.links ?? {};
  if (typeof links !== 'object' || links === null || Array.isArray(links)) {
    return {
      error: `${TAG.build} option "links" must be an object mapping module names to directories or URLs, found ${JSON.stringify(links)}; fix: pass e.g. --links.cart=../cart`,
    };
  }
  for (const [name, target] of Object.entries(links)) {
    if (typeof target !== 'string' || target === '') {
      return {
        error: `${TAG.build} option "links.${name}" must be a directory or an http(s) URL, found ${JSON.stringify(target)}; fix: set it to the module's root directory or deployed URL.`,
      };
    }
  }
  return {
    options: { mode, config: options.config, links: { ...links }, link: options.link !== false, watch: options.watch === true },
  };
}
