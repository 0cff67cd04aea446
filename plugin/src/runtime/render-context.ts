/** The per-request `RenderContext`, built from strings precomputed once per map generation and base. */
import { TAG } from '../constants';
import type { ImportMap } from '../protocol/types';
import type { PageAsset, PageAssets } from './compose';
import { escapeAttribute, nonceAttribute, serializeForScript } from './escape';
import { renderShimTags, type ShimMode } from './shim';
import type { BuildManifest } from '../protocol/types';
import type { LinkedModuleInfo, RenderContext, RenderParams } from './types';

/** What every request of one generation under one base shares. */
export interface PagePieces {
  importMapJson: string;
  assets: PageAssets;
  shim: { mode: ShimMode; src: string; integrity: string };
  modules: readonly LinkedModuleInfo[];
  /** Tag strings for requests without a nonce (the common case): built once. */
  plain: { importmap: string; modulePreload: string; preload: string; css: string; moduleEntry: string };
}

/** ` integrity="…" crossorigin="anonymous"` (both escaped: the value comes from a manifest), or nothing. */
function integrityAttributes(integrity: string | undefined): string {
  return integrity ? ` integrity="${escapeAttribute(integrity)}" crossorigin="anonymous"` : '';
}

function renderModulePreload(modules: PageAsset[], nonce: string | undefined): string {
  const n = nonceAttribute(nonce);
  return modules
    .map((m) => `<link rel="modulepreload" href="${escapeAttribute(m.href)}"${integrityAttributes(m.integrity)}${n}>`)
    .join('');
}

function renderCss(css: PageAsset[], nonce: string | undefined): string {
  const n = nonceAttribute(nonce);
  return css.map((c) => `<link rel="stylesheet" href="${escapeAttribute(c.href)}"${integrityAttributes(c.integrity)}${n}>`).join('');
}

function renderPreload(assets: PageAssets, nonce: string | undefined): string {
  const n = nonceAttribute(nonce);
  // Same integrity and CORS mode as the stylesheet link, or the browser fetches it twice and warns.
  const styles = assets.css.map(
    (c) => `<link rel="preload" as="style" href="${escapeAttribute(c.href)}"${integrityAttributes(c.integrity)}${n}>`,
  );
  const fonts = assets.fonts.map(
    (f) => `<link rel="preload" as="font" href="${escapeAttribute(f.href)}" crossorigin="anonymous"${n}>`,
  );
  return styles.join('') + fonts.join('');
}

function renderImportMap(pieces: Omit<PagePieces, 'plain'>, nonce: string | undefined): string {
  return (
    `<script type="importmap"${nonceAttribute(nonce)}>${pieces.importMapJson}</script>` +
    renderShimTags(pieces.shim.mode, pieces.shim.src, pieces.shim.integrity, nonce)
  );
}

function renderModuleEntry(entry: string | undefined, nonce: string | undefined): string {
  if (!entry) return '';
  return `<script type="module"${nonceAttribute(nonce)}>import ${serializeForScript(entry)};</script>`;
}

/** The host first, then the other modules by name; frozen because every request of a generation shares it. */
export function describeLinkedModules(host: string, manifests: Record<string, BuildManifest>): readonly LinkedModuleInfo[] {
  const names = Object.keys(manifests).sort((a, b) => (a === host ? -1 : b === host ? 1 : a < b ? -1 : a > b ? 1 : 0));
  return Object.freeze(
    names.map((name) => {
      const { version, provides } = manifests[name];
      const versions: Record<string, string> = {};
      for (const pkg of Object.keys(provides ?? {}).sort()) versions[pkg] = provides[pkg].version;
      return Object.freeze({ name, version, provides: Object.freeze(versions) });
    }),
  );
}

export function createPagePieces(
  map: ImportMap,
  assets: PageAssets,
  shim: PagePieces['shim'],
  modules: readonly LinkedModuleInfo[] = [],
): PagePieces {
  const importMapJson = serializeForScript({ imports: map.imports, scopes: map.scopes, integrity: map.integrity });
  const base = { importMapJson, assets, shim, modules };
  return {
    ...base,
    plain: {
      importmap: renderImportMap(base, undefined),
      modulePreload: renderModulePreload(assets.modules, undefined),
      preload: renderPreload(assets, undefined),
      css: renderCss(assets.css, undefined),
      moduleEntry: renderModuleEntry(assets.entry, undefined),
    },
  };
}

export type PartLogger = (message: string) => void;

/**
 * Renders one part of a page in isolation: a remote that throws (or rejects) yields `fallback` instead of taking
 * the page down. `fallback` may be a function of the error. The failure is logged with its stack.
 */
export async function renderPart(
  render: () => string | Promise<string>,
  fallback: string | ((error: unknown) => string),
  log: PartLogger = (message) => console.error(message),
): Promise<string> {
  try {
    return await render();
  } catch (error) {
    log(`${TAG.ssr} a page part failed and its fallback was rendered: ${(error as Error)?.stack ?? String(error)}`);
    return typeof fallback === 'function' ? fallback(error) : fallback;
  }
}

/** Serialized `window[name]=` targets: a page names the same few globals on every request. Bounded against odd callers. */
const STATE_TARGETS = new Map<string, string>();
const MAX_STATE_TARGETS = 256;

function stateTarget(name: string): string {
  let target = STATE_TARGETS.get(name);
  if (target === undefined) {
    target = `window[${serializeForScript(String(name))}]=`;
    if (typeof name === 'string' && STATE_TARGETS.size < MAX_STATE_TARGETS) STATE_TARGETS.set(name, target);
  }
  return target;
}

class Context implements RenderContext {
  html = '';
  status = 200;
  redirect: string | null = null;
  readonly responseHeaders: Record<string, string> = {};
  constructor(
    readonly params: RenderParams,
    readonly base: string,
    readonly nonce: string | undefined,
    private readonly pieces: PagePieces,
    private readonly log: PartLogger,
  ) {}
  importmap(): string {
    return this.nonce ? renderImportMap(this.pieces, this.nonce) : this.pieces.plain.importmap;
  }
  preload(): string {
    return this.nonce ? renderPreload(this.pieces.assets, this.nonce) : this.pieces.plain.preload;
  }
  modulePreload(): string {
    return this.nonce ? renderModulePreload(this.pieces.assets.modules, this.nonce) : this.pieces.plain.modulePreload;
  }
  css(): string {
    return this.nonce ? renderCss(this.pieces.assets.css, this.nonce) : this.pieces.plain.css;
  }
  moduleEntry(): string {
    return this.nonce ? renderModuleEntry(this.pieces.assets.entry, this.nonce) : this.pieces.plain.moduleEntry;
  }
  state(name: string, data: unknown): string {
    return `<script${nonceAttribute(this.nonce)}>${stateTarget(name)}${serializeForScript(data)};</script>`;
  }
  renderPart(render: () => string | Promise<string>, fallback: string | ((error: unknown) => string)): Promise<string> {
    return renderPart(render, fallback, this.log);
  }
  get modules(): readonly LinkedModuleInfo[] {
    return this.pieces.modules;
  }
}

export function createRenderContext(
  params: RenderParams,
  base: string,
  nonce: string | undefined,
  pieces: PagePieces,
  log: PartLogger = (message) => console.error(message),
): RenderContext {
  return new Context(params, base, nonce, pieces, log);
}
