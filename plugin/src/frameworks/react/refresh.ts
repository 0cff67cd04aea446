import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { RuleSetRule } from '@rspack/core' with { 'resolution-mode': 'import' };
import { TAG } from '../../constants';
import type { FrameworkBuildContext } from '../types';

/** The version `init` installs beside React: the dev server's React Refresh runtime. */
export const REACT_REFRESH_VERSION = '0.19.0';

const REFRESH_LOADER = join(__dirname, 'refresh-loader.cjs');

/**
 * JSX sources through swc; with hot updates, swc adds React Refresh's registrations and the refresh loader ties them to
 * the page's runtime.
 */
export function createReactRules({ swcOptions, hot }: FrameworkBuildContext, importSource: string): RuleSetRule[] {
  const rule = (test: RegExp, syntax: 'typescript' | 'ecmascript'): RuleSetRule => {
    const swc = { loader: 'builtin:swc-loader', options: swcOptions({ syntax, jsx: { importSource, refresh: hot } }) };
    return { test, use: hot ? [{ loader: REFRESH_LOADER }, swc] : [swc] };
  };
  return [rule(/\.tsx$/, 'typescript'), rule(/\.jsx$/, 'ecmascript')];
}

/**
 * The page's one React Refresh runtime, as a classic script that runs before any module: it hooks into React before
 * react-dom loads (react-dom registers with the hook as it initialises), and every module of the page, whatever
 * build it comes from, registers its components with it (`register`, `signature`) and offers itself (`accept`).
 * A module whose exports are all components accepts its own update: its new components replace the old ones in
 * place and keep their state. Any other module lets the update go to its importers (the page reloads when no module
 * accepts it); one whose exports stopped being all components, or changed names, hands the update up the same way.
 */
export function renderReactRefreshScript(root: string): string {
  let runtime: string;
  try {
    // Its `exports` open `./runtime` only, whose entry picks a build by NODE_ENV at run time: the development build is
    // read by path from the package's folder.
    const packageJson = createRequire(join(root, 'package.json')).resolve('react-refresh/package.json');
    runtime = readFileSync(join(dirname(packageJson), 'cjs', 'react-refresh-runtime.development.js'), 'utf8');
  } catch {
    throw new Error(
      `${TAG.serve} expected react-refresh to be installed for React Fast Refresh (from ${root}), found none: ` +
        `edits reload the page instead of keeping component state. Fix: npm install -D react-refresh@${REACT_REFRESH_VERSION} ` +
        '(nx g @esmx/nx:app adds it to the workspace with a React module).',
    );
  }
  return `(function(){var exports={},module={exports:exports},process={env:{NODE_ENV:"development"}};
${runtime}
var R=module.exports,timer;
R.injectIntoGlobalHook(window);
function keysOf(exports){return Object.keys(exports).sort().join(",")}
function onlyComponents(exports){var keys=Object.keys(exports);return keys.length>0&&keys.every(function(k){return R.isLikelyComponentType(exports[k])})}
window.__ESMX_REACT_REFRESH__={
register:R.register,
signature:R.createSignatureFunctionForTransform,
accept:function(mod){
var hot=mod.hot,exports=mod.exports;if(!hot||!exports)return;
for(var k in exports)R.register(exports[k],mod.id+" %exports% "+k);
var previous=hot.data&&hot.data.esmxRefresh,boundary=onlyComponents(exports);
if(previous&&(!boundary||previous!==keysOf(exports))){hot.invalidate();return}
if(!boundary)return;
hot.dispose(function(data){data.esmxRefresh=keysOf(exports)});
hot.accept();
if(previous){clearTimeout(timer);timer=setTimeout(function(){R.performReactRefresh()},16)}
}};
})();
`;
}
