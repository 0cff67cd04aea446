/**
 * @esmx/nx/runtime: the SSR runtime of a linked host. Loaded by `node dist/index.mjs` and the start/serve
 * executors; it never imports Nx (a deployed server does not install it).
 */
export { startServer } from './server';
export { createRequestHandler } from './request-handler';
export type { NextFunction, RequestHandler, RequestHandlerOptions } from './request-handler';
export type { ServerHandle, StartServerOptions } from './server';
export type { FaultCounts, FaultTracing, HealthReport, LinkedModuleInfo, OnFatalPolicy, RenderContext, RenderParams, ServerRenderHandle } from './types';
export type { ShimMode } from './shim';
export { renderPart } from './render-context';
