import { createRequire } from 'node:module';
import { join } from 'node:path';
import type * as TS from 'typescript';
import { createGeneratorError } from '../../lib/generator-error';

/**
 * The workspace's own `typescript`: every Nx workspace with a `module-federation.config.ts` has it, since Nx itself needs
 * it to load that file. Only its parser is used. Falls back to a copy the plugin can resolve.
 */
export function loadTypeScript(workspaceRoot: string): typeof TS {
  for (const from of [join(workspaceRoot, 'package.json'), __filename]) {
    try {
      return createRequire(from)('typescript') as typeof TS;
    } catch {
      // Not installed there: try the next place, then report below.
    }
  }
  throw createGeneratorError(
    'expected the typescript package in this workspace (the migration parses module-federation.config files with it), found none.',
    'install it: npm install -D typescript, then re-run',
  );
}
