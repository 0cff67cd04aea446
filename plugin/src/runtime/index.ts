/**
 * @esmx/nx/runtime: the SSR runtime of a linked host. Loaded by `node dist/index.mjs` and the start/serve
 * executors; it never imports Nx (a deployed server does not install it).
 */
export type { LinkedModuleInfo, RenderContext, RenderParams, ServerRenderHandle } from './types';
export { startServer, normalizeBase, resolveListenOptions } from './server';
export type { ServerHandle, StartServerOptions } from './server';
export { renderPart, createRenderContext, createPagePieces, describeLinkedModules } from './render-context';
export type { PagePieces } from './render-context';
export { serializeForScript, escapeAttribute } from './escape';
export { decodeStaticPath } from './static-files';
export { loadLinkedHost, readLinkFile, toServerUrl } from './link';
export type { LinkedHost, LinkedModule, LinkFile } from './link';
export { collectPageAssets, resolveWithMap } from './compose';
export type { PageAssets, PageAsset } from './compose';
export type { ShimMode } from './shim';
