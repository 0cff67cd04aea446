/**
 * plugin/README.md documents every generator and executor option. The schemas are read from disk at
 * test time (every schema.json under src/), so an option added to any of them fails this spec until
 * the README names it as `--<option>` in the section of its generator or executor.
 */
import type { ProjectConfiguration, TargetConfiguration } from '@nx/devkit';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { createNodesV2 } from '../plugin';

const pluginRoot = join(__dirname, '..');
const readme = readFileSync(join(pluginRoot, 'README.md'), 'utf8');

interface SchemaFile {
  kind: 'generators' | 'executors';
  /** The name users type after `@esmx/nx:`. */
  name: string;
  path: string;
  options: string[];
}

function findSchemaFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return entry === 'fixtures' || entry === 'node_modules' || entry === 'files' ? [] : findSchemaFiles(path);
    return entry === 'schema.json' ? [path] : [];
  });
}

/** Registered name of a schema from generators.json / executors.json; the folder name when not registered yet. */
function readSchemaFiles(): SchemaFile[] {
  const manifests = {
    generators: JSON.parse(readFileSync(join(pluginRoot, 'generators.json'), 'utf8')).generators ?? {},
    executors: JSON.parse(readFileSync(join(pluginRoot, 'executors.json'), 'utf8')).executors ?? {},
  } as Record<'generators' | 'executors', Record<string, { schema: string }>>;
  return findSchemaFiles(join(pluginRoot, 'src'))
    .map((path) => {
      const rel = relative(pluginRoot, path).split('\\').join('/');
      const kind = rel.includes('/generators/') ? 'generators' : 'executors';
      const registered = Object.entries(manifests[kind]).find(([, entry]) => entry.schema.replace(/^\.\//, '') === rel);
      const name = registered?.[0] ?? rel.split('/').slice(-2, -1)[0];
      const options = Object.keys(JSON.parse(readFileSync(path, 'utf8')).properties ?? {});
      return { kind, name, path: rel, options } as SchemaFile;
    })
    .filter((schema) => schema.path.startsWith('src/generators/') || schema.path.startsWith('src/executors/'));
}

/** Executor sections live under `## Executor options`; generator sections before it (a generator and an executor may share a name). */
const EXECUTORS_HEADING = '## Executor options';

/**
 * The README text from the heading naming `@esmx/nx:<name>` to the next heading of the same or a higher level, looked
 * up among the sections of its kind.
 */
function findSection(name: string, kind: SchemaFile['kind']): string | undefined {
  const lines = readme.split('\n');
  const split = lines.indexOf(EXECUTORS_HEADING);
  const isOfKind = (index: number) => (kind === 'executors' ? split !== -1 && index > split : split === -1 || index < split);
  const start = lines.findIndex((line, index) => isOfKind(index) && /^#{2,4} /.test(line) && line.includes(`\`@esmx/nx:${name}\``));
  if (start === -1) return undefined;
  const level = (/^#+/.exec(lines[start]) as RegExpExecArray)[0].length;
  const end = lines.findIndex((line, index) => index > start && /^#+ /.test(line) && (/^#+/.exec(line) as RegExpExecArray)[0].length <= level);
  return lines.slice(start, end === -1 ? undefined : end).join('\n');
}

describe('plugin/README.md', () => {
  const schemas = readSchemaFiles();

  it('finds the schemas of the generators', () => {
    expect(schemas.filter((s) => s.kind === 'generators').map((s) => s.name).sort()).toEqual(
      expect.arrayContaining(['app', 'init', 'link']),
    );
  });

  it('has a section for every registered generator and executor', () => {
    const missing = (['generators', 'executors'] as const).flatMap((kind) => {
      const manifest = JSON.parse(readFileSync(join(pluginRoot, `${kind}.json`), 'utf8'))[kind] ?? {};
      return Object.keys(manifest).filter((name) => findSection(name, kind) === undefined).map((name) => `@esmx/nx:${name}`);
    });
    expect(missing).toEqual([]);
  });

  it('documents every option of every schema.json in the section of its generator or executor', () => {
    const missing = schemas.flatMap((schema) => {
      const section = findSection(schema.name, schema.kind);
      if (!section) return [`${schema.path}: no section headed \`@esmx/nx:${schema.name}\``];
      return schema.options.filter((option) => !section.includes(`\`--${option}\``)).map((option) => `${schema.path}: --${option}`);
    });
    expect(missing).toEqual([]);
  });

  it('can fail: an option absent from the README is reported', () => {
    const section = findSection('app', 'generators') ?? '';
    expect(section.includes('`--role`')).toBe(true);
    expect(section.includes('`--not-an-option`')).toBe(false);
  });

  it('tells the link generator and the link executor apart', () => {
    expect(findSection('link', 'generators')).toContain('`--import`');
    expect(findSection('link', 'executors')).toContain('`--links`');
    expect(findSection('link', 'executors')).not.toContain('`--import`');
    expect(findSection('app', 'executors')).toBeUndefined();
  });

  it('shows a Dockerfile that runs the standalone folder the e2e runs (node index.mjs, Node only)', () => {
    const dockerfile = /```dockerfile\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
    expect(dockerfile).toMatch(/^FROM node:20-slim$/m);
    expect(dockerfile).toMatch(/^COPY apps\/shell\/dist\/standalone\/ \.\/$/m);
    expect(dockerfile).toMatch(/^CMD \["node","index\.mjs"\]$/m);
    expect(dockerfile).not.toMatch(/npm (install|ci)/);
  });
});

/** The rows of the README's `## Targets` table: target, executor (its first code span) and the cache column. */
function readTargetsTable(): { target: string; executor: string; cached: string }[] {
  const section = readme.slice(readme.indexOf('\n## Targets\n'), readme.indexOf('\n## Executor options\n'));
  return section
    .split('\n')
    .filter((line) => /^\| `[a-z]+` \|/.test(line))
    .map((line) => {
      const cells = line.split(' | ').map((cell) => cell.replace(/^\| |\s*\|$/g, ''));
      return { target: cells[0].replace(/`/g, ''), executor: /`([^`]+)`/.exec(cells[1])?.[1] ?? '', cached: cells[cells.length - 1] };
    });
}

/** Targets the graph plugin infers for a host with a tsconfig, a spec and a Jest config (so every documented target exists). */
async function inferHostTargets(): Promise<Record<string, TargetConfiguration>> {
  const root = mkdtempSync(join(tmpdir(), 'esmx-docs-'));
  const write = (file: string, content: unknown) => {
    mkdirSync(dirname(join(root, file)), { recursive: true });
    writeFileSync(join(root, file), typeof content === 'string' ? content : JSON.stringify(content));
  };
  try {
    write('package.json', { name: 'workspace', private: true, workspaces: ['apps/*'] });
    write('apps/shell/package.json', { name: 'shell', esmx: { entry: { client: './src/entry.client.ts', server: './src/entry.server.ts' } } });
    write('apps/shell/tsconfig.json', '{}');
    write('apps/shell/src/entry.server.spec.ts', '');
    write('apps/shell/jest.config.mjs', 'export default {};');
    const results = await createNodesV2[1](['apps/shell/package.json'], {}, { workspaceRoot: root, nxJsonConfiguration: {} });
    return ((results[0][1].projects ?? {})['apps/shell'] as ProjectConfiguration).targets ?? {};
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

describe('the README\'s Targets table', () => {
  it('names every inferred target, with its executor and whether Nx caches it, as the graph plugin infers them', async () => {
    const targets = await inferHostTargets();
    const rows = readTargetsTable();
    expect(rows.map((row) => row.target).sort()).toEqual(Object.keys(targets).sort());
    for (const row of rows) {
      const inferred = targets[row.target];
      expect({ target: row.target, executor: row.executor, cached: row.cached.startsWith('yes') }).toEqual({
        target: row.target,
        executor: inferred.executor,
        cached: inferred.cache === true,
      });
      expect(row.cached).toMatch(/^(yes|no)\b/);
    }
  });

  it('states the configurations the targets have', async () => {
    const targets = await inferHostTargets();
    const claimed = /`bundle`, `build`, `start` and `standalone` have a `production` \(default\) and a `development`\s+configuration/.test(readme);
    expect(claimed).toBe(true);
    for (const name of ['bundle', 'build', 'start', 'standalone']) {
      expect([name, Object.keys(targets[name].configurations ?? {}).sort(), targets[name].defaultConfiguration]).toEqual([name, ['development', 'production'], 'production']);
    }
    expect(readme).toMatch(/`serve` has them too, with `development` as its default/);
    expect([Object.keys(targets.serve.configurations ?? {}).sort(), targets.serve.defaultConfiguration]).toEqual([['development', 'production'], 'development']);
  });
});
