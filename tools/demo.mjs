// `npm run demo`: a demo workspace in tmp/demo made with the packed plugin — a React provider,
// a React host and two remotes (React and plain HTML) — built and served on http://127.0.0.1:4300.
// Reuses tmp/demo when it exists (the plugin is re-packed and re-installed each time).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const demo = join(repo, 'tmp/demo');
const port = Number(process.env.PORT ?? 4300);
const env = { ...process.env, NX_DAEMON: 'false', NX_SKIP_FORMAT: 'true', NX_NO_CLOUD: 'true', NX_TUI: 'false', npm_config_prefer_offline: 'true' };

function step(title) {
  console.log(`\n[esmx:demo] ${title}`);
}

function sh(cwd, command, args) {
  const result = spawnSync(command, args, { cwd, env, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`[esmx:demo] \`${command} ${args.join(' ')}\` failed in ${cwd} (exit ${result.status}).`);
    process.exit(result.status ?? 1);
  }
}

const nx = (args) => sh(demo, join(demo, 'node_modules/.bin/nx'), args);

if (!existsSync(join(repo, 'node_modules/.bin/nx'))) {
  step('installing the repository’s dependencies (npm ci)');
  sh(repo, 'npm', ['ci', '--no-audit', '--no-fund']);
}

step('packing the plugin');
sh(repo, process.execPath, [join(repo, 'tools/pack-plugin.mjs')]);
const tarball = join(repo, 'dist/esmx-nx.tgz');

const fresh = !existsSync(join(demo, 'nx.json'));
if (fresh) {
  step(`creating the demo workspace in ${demo}`);
  mkdirSync(demo, { recursive: true });
  const rootPackage = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8'));
  writeFileSync(
    join(demo, 'package.json'),
    JSON.stringify(
      {
        name: 'esmx-demo',
        private: true,
        workspaces: ['apps/*', 'libs/*'],
        devDependencies: { nx: rootPackage.devDependencies.nx },
      },
      null,
      2,
    ),
  );
  writeFileSync(
    join(demo, 'nx.json'),
    JSON.stringify({ neverConnectToCloud: true, analytics: false, useDaemonProcess: false, cacheDirectory: '.nx/cache' }, null, 2),
  );
  writeFileSync(join(demo, '.gitignore'), 'node_modules\ndist\n.nx\n');
  writeFileSync(join(demo, '.npmrc'), 'omit-lockfile-registry-resolved=true\nfund=false\naudit=false\n');
}

step('installing the packed plugin');
sh(demo, 'npm', ['install', '-D', tarball, '--prefer-offline', '--no-audit', '--no-fund']);

if (fresh) {
  step('generating modules: libs/shared (provider), apps/shell (host), apps/cart and apps/promo (remotes)');
  nx(['g', '@esmx/nx:init']);
  nx(['g', '@esmx/nx:app', 'libs/shared', '--role=provider', '--framework=react']);
  nx(['g', '@esmx/nx:app', 'apps/shell', '--role=host', '--framework=react', `--port=${port}`]);
  nx(['g', '@esmx/nx:app', 'apps/cart', '--role=remote', '--framework=react', '--host=shell']);
  nx(['g', '@esmx/nx:app', 'apps/promo', '--role=remote', '--framework=html', '--host=shell']);
  sh(demo, 'npm', ['install', '--prefer-offline', '--no-audit', '--no-fund']);
}

step('building every module (nx run-many -t build)');
nx(['run-many', '-t', 'build', '--outputStyle=static']);

step(`serving the host: nx run shell:start --port=${port}`);
const server = spawn(join(demo, 'node_modules/.bin/nx'), ['run', 'shell:start', `--port=${port}`, '--outputStyle=stream'], {
  cwd: demo,
  env,
  stdio: 'inherit',
});
console.log(`\n[esmx:demo] open http://127.0.0.1:${port}/ (Ctrl-C stops the server)\n`);
const stop = () => server.kill('SIGTERM');
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
server.on('exit', (code) => process.exit(code ?? 0));
