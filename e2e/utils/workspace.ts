/**
 * A fresh Nx workspace (npm workspaces) with the packed plugin installed from dist/esmx-nx.tgz,
 * driven through the real CLI.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const repoRoot = resolve(__dirname, '../..');
export const pluginTarball = join(repoRoot, 'dist/esmx-nx.tgz');

/** Versions a fresh workspace installs next to the plugin (the plugin's init adds the rest). */
const rootPackage = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));
const versionOf = (name: string): string => rootPackage.devDependencies[name];

export const cliEnv = {
  ...process.env,
  CI: 'true',
  NX_DAEMON: 'false',
  NX_SKIP_FORMAT: 'true',
  NX_NO_CLOUD: 'true',
  NX_INTERACTIVE: 'false',
  NX_TUI: 'false',
  FORCE_COLOR: '0',
  NODE_OPTIONS: '',
  // Generators run `npm install`; everything they need is in the npm cache after the first scenario.
  npm_config_prefer_offline: 'true',
};

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
  output: string;
}

export function run(cwd: string, command: string, args: string[], env: NodeJS.ProcessEnv = {}): CommandResult {
  const result = spawnSync(command, args, {
    cwd,
    env: { ...cliEnv, ...env },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const stdout = result.stdout ?? '';
  const stderr = result.stderr ?? '';
  return { code: result.status ?? 1, stdout, stderr, output: stdout + stderr };
}

export function runNx(cwd: string, args: string[], env: NodeJS.ProcessEnv = {}): CommandResult {
  return run(cwd, join(cwd, 'node_modules/.bin/nx'), args, env);
}

/** Like runNx but throws with the whole output when the command fails. */
export function runNxOk(cwd: string, args: string[], env: NodeJS.ProcessEnv = {}): CommandResult {
  const result = runNx(cwd, args, env);
  if (result.code !== 0) {
    throw new Error(`nx ${args.join(' ')} exited ${result.code}\n${result.output}`);
  }
  return result;
}

/** Starts a long-running command (a server); `waitFor` resolves when its output matches. */
export function startProcess(cwd: string, command: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  const child = spawn(command, args, { cwd, env: { ...cliEnv, ...env }, detached: true });
  let output = '';
  child.stdout?.on('data', (d) => (output += d));
  child.stderr?.on('data', (d) => (output += d));
  const waitFor = (pattern: RegExp, timeoutMs = 120_000): Promise<RegExpMatchArray> =>
    new Promise((resolveMatch, reject) => {
      const started = Date.now();
      const timer = setInterval(() => {
        const match = output.match(pattern);
        if (match) {
          clearInterval(timer);
          resolveMatch(match);
        } else if (child.exitCode !== null || Date.now() - started > timeoutMs) {
          clearInterval(timer);
          reject(new Error(`waiting for ${pattern} (exit ${child.exitCode}):\n${output}`));
        }
      }, 100);
    });
  const stop = () => stopProcess(child);
  /** The error with the end of what the process printed: a failed check next to the server's side of it. */
  const explain = (error: unknown) => new Error(`${(error as Error)?.message ?? String(error)}\n--- ${args.slice(0, 2).join(' ')} printed:\n${output.slice(-6000)}`);
  return { child, waitFor, stop, explain, output: () => output };
}

/** Stops a process group started by startProcess: SIGTERM, then SIGKILL after 10 s. */
export function stopProcess(child: ChildProcess): Promise<void> {
  return new Promise((done) => {
    if (child.exitCode !== null || child.pid === undefined) return done();
    const kill = (signal: NodeJS.Signals) => {
      try {
        process.kill(-child.pid!, signal);
      } catch {
        // The group is already gone.
      }
    };
    const timer = setTimeout(() => kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(timer);
      done();
    });
    kill('SIGTERM');
  });
}

export interface Workspace {
  root: string;
  nx(args: string[], env?: NodeJS.ProcessEnv): CommandResult;
  nxOk(args: string[], env?: NodeJS.ProcessEnv): CommandResult;
  read(path: string): string;
  write(path: string, content: string): void;
  readJson<T = any>(path: string): T;
  git(args: string[]): CommandResult;
  remove(): void;
}

/** Creates a fresh npm-workspaces Nx workspace with the packed plugin installed. */
export function createWorkspace(prefix: string): Workspace {
  const base = join(repoRoot, 'tmp/e2e');
  mkdirSync(base, { recursive: true });
  const root = mkdtempSync(join(base, `${prefix}-`));
  writeFileSync(
    join(root, 'package.json'),
    JSON.stringify(
      {
        name: `${prefix}-workspace`,
        private: true,
        workspaces: ['apps/*', 'libs/*'],
        devDependencies: {
          '@esmx/nx': `file:${pluginTarball}`,
          nx: versionOf('nx'),
        },
      },
      null,
      2,
    ),
  );
  writeFileSync(
    join(root, 'nx.json'),
    JSON.stringify(
      { neverConnectToCloud: true, analytics: false, useDaemonProcess: false, cacheDirectory: '.nx/cache' },
      null,
      2,
    ),
  );
  writeFileSync(join(root, '.gitignore'), 'node_modules\ndist\n.nx\n');
  writeFileSync(join(root, '.npmrc'), 'omit-lockfile-registry-resolved=true\nfund=false\naudit=false\n');
  const install = run(root, 'npm', ['install', '--prefer-offline', '--no-audit', '--no-fund']);
  if (install.code !== 0) throw new Error(`npm install failed in ${root}\n${install.output}`);
  return openWorkspace(root);
}

/** The Workspace helpers over an existing workspace directory (one made by another tool, such as create-nx-workspace). */
export function openWorkspace(root: string): Workspace {
  const workspace: Workspace = {
    root,
    nx: (args, env) => runNx(root, args, env),
    nxOk: (args, env) => runNxOk(root, args, env),
    read: (path) => readFileSync(join(root, path), 'utf8'),
    write: (path, content) => {
      mkdirSync(join(root, path, '..'), { recursive: true });
      writeFileSync(join(root, path), content);
    },
    readJson: (path) => JSON.parse(readFileSync(join(root, path), 'utf8')),
    git: (args) => run(root, 'git', args),
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
  return workspace;
}

/** `git init` + first commit, for `nx affected`. */
export function commitAll(workspace: Workspace, message: string): void {
  // The workspace sits under this repository (tmp/e2e): without its own repo, `git add -A` would commit the
  // enclosing checkout. Only a repository rooted at the workspace counts.
  const top = workspace.git(['rev-parse', '--show-toplevel']);
  if (top.code !== 0 || realpathSync(top.stdout.trim()) !== realpathSync(workspace.root)) {
    workspace.git(['init', '-q', '-b', 'main']);
    workspace.git(['config', 'user.email', 'e2e@example.com']);
    workspace.git(['config', 'user.name', 'e2e']);
  }
  workspace.git(['add', '-A']);
  const commit = workspace.git(['commit', '-q', '-m', message]);
  if (commit.code !== 0) throw new Error(`git commit failed\n${commit.output}`);
}

/** Task ids that Nx reports as read from cache / run, parsed from `--outputStyle=static` output (default configuration dropped). */
export function parseTaskOutcomes(output: string): { cached: string[]; ran: string[] } {
  const cached = new Set<string>();
  const ran = new Set<string>();
  for (const line of output.split('\n')) {
    const match = line.match(/>\s+nx run ([^\s]+)(.*)$/);
    if (!match) continue;
    // `shell:build:production` is `shell:build` in its default configuration.
    match[1] = match[1].replace(/:production$/, '');
    if (/\[(local|remote) cache\]|existing outputs match the cache/.test(match[2])) cached.add(match[1]);
    else ran.add(match[1]);
  }
  return { cached: [...cached], ran: [...ran] };
}
