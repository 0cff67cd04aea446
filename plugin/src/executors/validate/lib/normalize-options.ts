import { TAG } from '../../../constants';
import type { ValidateExecutorSchema } from '../schema';

export interface NormalizedValidateOptions {
  json: boolean;
  links: Record<string, string>;
  linkGraph?: string;
  outputFile?: string;
}

/**
 * Fills defaults in one place and checks shapes that Nx's schema validation would catch on the command line but
 * not when the executor is called programmatically or with a hand-edited project.json.
 */
export function normalizeOptions(options: ValidateExecutorSchema): { options?: NormalizedValidateOptions; error?: string } {
  const links = options.links ?? {};
  if (typeof links !== 'object' || links === null || Array.isArray(links)) {
    return {
      error: `${TAG.validate} option "links" must be an object mapping module names to directories or URLs, found ${JSON.stringify(links)}; fix: pass e.g. --links.cart=../cart`,
    };
  }
  for (const [name, target] of Object.entries(links)) {
    if (typeof target !== 'string' || target.length === 0) {
      return {
        error: `${TAG.validate} option "links.${name}" must be a directory or an http(s) URL, found ${JSON.stringify(target)}; fix: set it to the module's root directory or deployed URL`,
      };
    }
  }
  for (const key of ['linkGraph', 'outputFile'] as const) {
    const value = options[key];
    if (value !== undefined && (typeof value !== 'string' || value.length === 0)) {
      const example = key === 'linkGraph' ? 'dist/link-graph.html' : 'dist/validate.json';
      return { error: `${TAG.validate} option "${key}" must be a file path, found ${JSON.stringify(value)}; fix: pass --${key}=${example}` };
    }
  }
  return { options: { json: options.json === true, links: { ...links }, linkGraph: options.linkGraph, outputFile: options.outputFile } };
}
