import { join } from 'node:path';
import type { FrameworkAdapter } from '../types';

/** Pinned versions a generated Lit module uses. */
export const LIT_VERSIONS = { lit: '3.3.3', '@lit-labs/ssr': '4.1.0', '@lit-labs/ssr-client': '1.1.8' };

/**
 * Specifiers a Lit provider shares by default: `lit`, the hydration support that must patch LitElement before any
 * element upgrades (one copy, or the page's elements would not hydrate), and the server renderer, built with lit in one
 * build so that the server also runs one lit-html.
 */
export const LIT_PROVIDES = ['lit', '@lit-labs/ssr-client/lit-element-hydrate-support.js', '@lit-labs/ssr', '@lit-labs/ssr/lib/render-result.js'];

/**
 * Lit: web components rendered on the server by @lit-labs/ssr into declarative shadow DOM (their static styles
 * inline in the shadow root, so they arrive with the HTML), hydrated in the browser by @lit-labs/ssr-client's
 * LitElement support. Plain TypeScript: no compiler of its own.
 */
export const litFramework: FrameworkAdapter = {
  name: 'lit',
  description: 'Lit web components (server-rendered with @lit-labs/ssr into declarative shadow DOM, hydrated)',
  templates: join(__dirname, 'files'),
  sourceExtension: 'ts',
  runtimePackage: 'lit',
  provides: LIT_PROVIDES,
  dependencies: LIT_VERSIONS,
  templateValues: ({ name, role }) => ({ tag: toCustomElementName(name, role === 'host' ? 'app' : 'widget') }),
};

/** A valid custom element name from a module name: `@shop/cart` → `shop-cart-widget` (lowercase, a hyphen, a letter first). */
export function toCustomElementName(name: string, suffix: string): string {
  const base = name.toLowerCase().replace(/^@/, '').replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '');
  return `${/^[a-z]/.test(base) ? base : `x-${base}`}-${suffix}`;
}
