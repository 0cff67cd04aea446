/** The per-request `RenderContext`, built from strings precomputed once per map generation and base (page-pieces.ts). */
import { TAG } from '../constants';
import { nonceAttribute, serializeForScript } from './escape';
import { renderCss, renderImportMap, renderModuleEntry, renderModulePreload, renderPreload, toFlatString, type PagePieces } from './page-pieces';
import type { LinkedModuleInfo, RenderContext, RenderParams } from './types';

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
    target = toFlatString(`window[${serializeForScript(String(name))}]=`);
    if (typeof name === 'string' && STATE_TARGETS.size < MAX_STATE_TARGETS) STATE_TARGETS.set(name, target);
  }
  return target;
}

class Context implements RenderContext {
  html = '';
  status = 200;
  redirect: string | null = null;
  /** Created when the handler first reads `responseHeaders`: most pages set no header (one object less per page). */
  #headers: Record<string, string> | undefined = undefined;
  /** The headers a handler set on `rc`, or undefined when it never touched `responseHeaders` (any other object: its own). */
  static headersOf(rc: RenderContext): Record<string, string> | undefined {
    return #headers in rc ? rc.#headers : rc.responseHeaders;
  }
  get responseHeaders(): Record<string, string> {
    return (this.#headers ??= {});
  }
  /** Plain JS may assign the object as a whole (the type says readonly). */
  set responseHeaders(headers: Record<string, string>) {
    this.#headers = headers;
  }
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

export const handlerHeadersOf = Context.headersOf;

export function createRenderContext(
  params: RenderParams,
  base: string,
  nonce: string | undefined,
  pieces: PagePieces,
  log: PartLogger = (message) => console.error(message),
): RenderContext {
  return new Context(params, base, nonce, pieces, log);
}
