// Rspack loader of the dev server's hot client builds, run last on the script block of a `.vue` file. The block's
// source map carries the whole file as its source content, template included, so an edit of the template alone made
// the script block a changed module: the hot update re-ran the component's setup and reset its state. The content
// after the script block is no part of what the map points at; dropped, a template edit leaves the script block as it
// was and vue-loader re-renders the template in place, keeping state.
const SCRIPT_END = '</script>';

function keepUpToScript(content) {
  if (typeof content !== 'string') return content;
  const end = content.lastIndexOf(SCRIPT_END);
  return end === -1 ? content : content.slice(0, end + SCRIPT_END.length);
}

module.exports = function esmxVueScriptMapLoader(source, map) {
  const parsed = typeof map === 'string' ? JSON.parse(map) : map;
  if (!parsed || !Array.isArray(parsed.sourcesContent)) return this.callback(null, source, map);
  this.callback(null, source, { ...parsed, sourcesContent: parsed.sourcesContent.map(keepUpToScript) });
};
