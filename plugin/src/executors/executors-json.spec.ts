/**
 * executors.json: every executor points at an implementation and a schema that exist, and the former names `build`
 * and `importmap` stay registered as deprecated aliases of `bundle` and `link` (project.json files may name them).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const pluginRoot = join(__dirname, '../..');
const executors: Record<string, { implementation: string; schema: string; description: string }> = JSON.parse(
  readFileSync(join(pluginRoot, 'executors.json'), 'utf8'),
).executors;

describe('executors.json', () => {
  it('registers the executors by what they run, plus the two deprecated aliases', () => {
    expect(Object.keys(executors).sort()).toEqual(['build', 'bundle', 'importmap', 'link', 'serve', 'standalone', 'start', 'validate']);
  });

  it.each([
    ['build', 'bundle'],
    ['importmap', 'link'],
  ])('keeps @esmx/nx:%s as a deprecated alias of @esmx/nx:%s', (alias, name) => {
    expect(executors[alias].implementation).toBe(executors[name].implementation);
    expect(executors[alias].schema).toBe(executors[name].schema);
    expect(executors[alias].description).toMatch(new RegExp(`^Deprecated alias of @esmx/nx:${name}\\b`));
    expect(executors[name].description).not.toMatch(/deprecated/i);
  });

  it('points every executor at files that exist', () => {
    const missing = Object.entries(executors).flatMap(([name, entry]) =>
      [`${entry.implementation}.ts`, entry.schema].filter((file) => !existsSync(join(pluginRoot, file))).map((file) => `${name}: ${file}`),
    );
    expect(missing).toEqual([]);
  });
});
