import { join } from 'node:path';
import type { FrameworkAdapter } from '../types';

/** Template strings on the server, plain DOM listeners in the browser: no dependency, no provider needed. */
export const htmlFramework: FrameworkAdapter = {
  name: 'html',
  description: 'plain HTML (template strings on the server, DOM listeners in the browser, no dependency)',
  templates: join(__dirname, 'files'),
  sourceExtension: 'ts',
  provides: [],
  dependencies: {},
};
