import type { ExecutorContext } from '@nx/devkit';
import { join } from 'node:path';

/** The absolute root of the module an executor runs on, or undefined after saying how to run it on one. */
export function getModuleRoot(context: ExecutorContext, tag: string, usage: string): string | undefined {
  const project = context.projectName ? context.projectsConfigurations?.projects?.[context.projectName] : undefined;
  if (!project) {
    process.stderr.write(`${tag} expected to run on a project, found none; fix: run it as ${usage}\n`);
    return undefined;
  }
  return join(context.root, project.root);
}

/**
 * What every executor starts from: its normalized options and the root of its module; undefined after printing why
 * there are none (the options' diagnostic, or how to run it on a project).
 */
export function prepareExecutor<T>(
  normalized: { options?: T; error?: string },
  context: ExecutorContext,
  tag: string,
  usage: string,
): { options: T; root: string } | undefined {
  if (!normalized.options) {
    process.stderr.write(`${normalized.error}\n`);
    return undefined;
  }
  const root = getModuleRoot(context, tag, usage);
  return root === undefined ? undefined : { options: normalized.options, root };
}
