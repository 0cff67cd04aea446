// Rspack loader of the dev server's hot client builds, run on a React source after swc compiled it with React
// Refresh's registrations (`$RefreshReg$`, `$RefreshSig$`). It binds those two names to the page's one React Refresh
// runtime (set up by the dev page script before any module runs), and ends the module by offering it to that runtime,
// which accepts the hot update in place when the module exports only components. Without the runtime (react-refresh
// not installed), the registrations do nothing and an edit reloads the page.
// The prologue is on the first line with no line break, so the source map's lines stay where they were.
const PROLOGUE =
  'var $RefreshReg$=function(type,id){var r=globalThis.__ESMX_REACT_REFRESH__;if(r)r.register(type,__webpack_module__.id+" "+id)},' +
  '$RefreshSig$=function(){var r=globalThis.__ESMX_REACT_REFRESH__;return r?r.signature():function(type){return type}};';
const EPILOGUE = '\nif(globalThis.__ESMX_REACT_REFRESH__)globalThis.__ESMX_REACT_REFRESH__.accept(__webpack_module__);\n';

module.exports = function esmxReactRefreshLoader(source, map) {
  this.callback(null, PROLOGUE + source + EPILOGUE, map);
};
