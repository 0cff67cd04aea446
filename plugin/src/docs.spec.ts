/**
 * plugin/README.md documents every generator and executor option. The schemas are read from disk at
 * test time (every schema.json under src/), so an option added to any of them fails this spec until
 * the README names it as `--<option>` in the section of its generator or executor.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

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
