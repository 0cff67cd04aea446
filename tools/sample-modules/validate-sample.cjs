#!/usr/bin/env node
// Validates the sample module set in this folder and prints the report (or, with --json, the JSON envelope).
//
//   node tools/sample-modules/validate-sample.cjs [--json] [--module=host|cart|profile|shared]
//
// The set is npm-workspace shaped but has no node_modules in git, so it is mounted through explicit links
// (links.json, relative to the host) — the same option users pass as `links` to @esmx/nx:validate. The plugin's
// TypeScript source is loaded through @swc-node/register, like Nx loads the in-repo plugin.
'use strict';
const path = require('node:path');

const SAMPLE_DIR = __dirname;
const REPO_ROOT = path.resolve(SAMPLE_DIR, '../..');

function loadProtocol() {
  require(require.resolve('@swc-node/register', { paths: [REPO_ROOT] }));
  return require(path.join(REPO_ROOT, 'plugin/src/protocol/index.ts'));
}

/**
 * Resolves one module of the sample set (default the host).
 * @returns {{ text: string, success: boolean, resolution: object }}
 */
function validateSampleSet(options = {}) {
  const protocol = loadProtocol();
  const moduleDir = path.join(SAMPLE_DIR, options.module ?? 'host');
  // links.json is written relative to the host; re-base it for whichever module is validated.
  const links = Object.fromEntries(
    Object.entries(require('./links.json')).map(([name, dir]) => [name, path.resolve(SAMPLE_DIR, 'host', dir)]),
  );
  const resolution = protocol.resolveModule(moduleDir, { links });
  const text = options.json
    ? `${JSON.stringify({ diagnostics: resolution.diagnostics, supply: resolution.supply, mounts: resolution.mounts }, null, 2)}\n`
    : `${protocol.formatReport(resolution, { color: options.color === true })}\n`;
  return { text, success: !protocol.hasErrors(resolution.diagnostics), resolution };
}

module.exports = { validateSampleSet, SAMPLE_DIR };

if (require.main === module) {
  const args = process.argv.slice(2);
  const moduleArg = args.find((a) => a.startsWith('--module='));
  const result = validateSampleSet({
    json: args.includes('--json'),
    module: moduleArg ? moduleArg.slice('--module='.length) : undefined,
    color: process.stdout.isTTY === true && !process.env.NO_COLOR,
  });
  process.stdout.write(result.text);
  process.exitCode = result.success ? 0 : 1;
}
