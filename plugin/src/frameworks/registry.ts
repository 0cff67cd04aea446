import { htmlFramework } from './html/index';
import { litFramework } from './lit/index';
import { preactFramework } from './preact/index';
import { reactFramework } from './react/index';
import { solidFramework } from './solid/index';
import { svelteFramework } from './svelte/index';
import { vueFramework } from './vue/index';
import type { FrameworkAdapter } from './types';

/**
 * The built-in frameworks, in the order prompts list them. Adding one is a folder under `src/frameworks/` and a line
 * here; `--framework` (schema.json) accepts any registered or workspace-defined name, so nothing else changes.
 */
export const BUILT_IN_FRAMEWORKS: readonly FrameworkAdapter[] = [reactFramework, preactFramework, vueFramework, svelteFramework, solidFramework, litFramework, htmlFramework];

/**
 * What a module without `esmx.framework` builds with: React's rules, the only JSX transform modules had before
 * frameworks were pluggable (they also compile plain-TypeScript html modules unchanged).
 */
export const DEFAULT_FRAMEWORK = 'react';
