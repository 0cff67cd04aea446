/**
 * What the standalone output's bundled runtime (runtime/index.cjs) exports: the public runtime, plus the deploy
 * commands its index.mjs runs (`node index.mjs link …`, `node index.mjs rollback`).
 */
export { createRequestHandler, renderPart, startServer } from './index';
export { runDeployCommand } from './promote';
