// Packs the plugin once per e2e run: every scenario installs the same dist/esmx-nx.tgz.
const { execFileSync } = require('node:child_process');
const path = require('node:path');

module.exports = async () => {
  const repo = path.join(__dirname, '..');
  execFileSync(process.execPath, [path.join(repo, 'tools/pack-plugin.mjs')], { cwd: repo, stdio: 'inherit' });
};
