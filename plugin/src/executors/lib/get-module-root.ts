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
