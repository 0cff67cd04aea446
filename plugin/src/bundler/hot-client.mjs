// Bundled first into every entry of a module's client build when the dev server serves it with hot updates (one
// instance per build: its entries share one runtime). The dev server announces each rebuild of a module as an
// `esmx:hot` event on the page (its live-reload script turns the server's events into them); this build picks the
// ones for its module, downloads the update from its own dist folder and applies it in place. When the update cannot
// be applied (no module accepts it, or the page missed a rebuild), the page reloads: never a page half old, half new.
const hot = __webpack_module__.hot;
const name = __ESMX_HOT_MODULE__;
let wanted;
let applying = false;

function reload(reason) {
  console.info(`[esmx:hmr] ${name}: ${reason}; reloading the page.`);
  location.reload();
}

async function applyUpdates() {
  if (applying) return;
  applying = true;
  try {
    while (wanted !== __webpack_hash__) {
      const target = wanted;
      const updated = await hot.check(true);
      if (!updated && __webpack_hash__ !== target) return reload('the page missed an update');
      if (updated) console.info(`[esmx:hmr] ${name}: updated ${updated.length} module(s) in place`);
    }
  } catch (error) {
    reload(error && error.message ? error.message : String(error));
  } finally {
    applying = false;
  }
}

if (hot) {
  addEventListener('esmx:hot', (event) => {
    if (event.detail.module !== name) return;
    event.detail.handled = true;
    wanted = event.detail.hash;
    applyUpdates();
  });
}
