import type { Tree } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { createWorkspaceFilter, isCoveredByGlobs, isHostModule, listWorkspaceGlobs, readWorkspacePackages } from './workspace-modules';

describe('createWorkspaceFilter', () => {
  it('lets `**` span zero or more whole directories, never part of a name', () => {
    const covers = createWorkspaceFilter(['apps/**/web']);
    expect(covers('apps/web')).toBe(true);
    expect(covers('apps/a/web')).toBe(true);
    expect(covers('apps/a/b/web')).toBe(true);
    expect(covers('apps/xweb')).toBe(false);
    expect(covers('apps/a/xweb')).toBe(false);
    expect(covers('apps/web/x')).toBe(false);
  });

  it('keeps `*` and `?` within one directory name', () => {
    expect(isCoveredByGlobs(['apps/*'], 'apps/shell')).toBe(true);
    expect(isCoveredByGlobs(['apps/*'], 'apps/team/shell')).toBe(false);
    expect(isCoveredByGlobs(['apps/*'], 'apps')).toBe(false);
    expect(isCoveredByGlobs(['apps/shel?'], 'apps/shell')).toBe(true);
    expect(isCoveredByGlobs(['apps/shel?'], 'apps/shel/l')).toBe(false);
  });

  it('expands braces and character classes', () => {
    const covers = createWorkspaceFilter(['{apps,libs}/*', 'tools/[ab]']);
    expect(covers('apps/shell')).toBe(true);
    expect(covers('libs/shared')).toBe(true);
    expect(covers('{apps,libs}/shell')).toBe(false);
    expect(covers('docs/site')).toBe(false);
    expect(covers('tools/a')).toBe(true);
    expect(covers('tools/c')).toBe(false);
  });

  it('takes entries in order: a later `!glob` removes, a later glob adds back, as npm does', () => {
    expect(isCoveredByGlobs(['apps/*', '!apps/legacy'], 'apps/legacy')).toBe(false);
    expect(isCoveredByGlobs(['apps/*', '!apps/legacy'], 'apps/shell')).toBe(true);
    expect(isCoveredByGlobs(['apps/*', '!apps/legacy', 'apps/legacy'], 'apps/legacy')).toBe(true);
    expect(isCoveredByGlobs(['!apps/legacy', 'apps/*'], 'apps/legacy')).toBe(true);
    expect(isCoveredByGlobs(['apps/*', '!!apps/legacy'], 'apps/legacy')).toBe(true);
    expect(isCoveredByGlobs(['apps/*', '!!!apps/legacy'], 'apps/legacy')).toBe(false);
  });

  it('drops a leading ./ or / and a trailing /, and skips dot directories', () => {
    expect(isCoveredByGlobs(['./apps/*/'], 'apps/shell')).toBe(true);
    expect(isCoveredByGlobs(['/apps/*'], 'apps/shell')).toBe(true);
    expect(isCoveredByGlobs(['apps/*'], 'apps/.cache')).toBe(false);
    expect(isCoveredByGlobs(['', './'], 'apps/shell')).toBe(false);
  });
});

describe('listWorkspaceGlobs', () => {
  it('reads the array and the { packages } form, keeping strings only', () => {
    expect(listWorkspaceGlobs({ workspaces: ['apps/*', 3] })).toEqual(['apps/*']);
    expect(listWorkspaceGlobs({ workspaces: { packages: ['libs/*'] } })).toEqual(['libs/*']);
    expect(listWorkspaceGlobs({ workspaces: 'apps/*' })).toBeUndefined();
    expect(listWorkspaceGlobs({})).toBeUndefined();
  });
});

describe('readWorkspacePackages', () => {
  let tree: Tree;
  const writePackage = (root: string, pkg: Record<string, unknown>) => tree.write(`${root}/package.json`, JSON.stringify(pkg));

  beforeEach(() => {
    tree = createTreeWithEmptyWorkspace();
    writePackage('apps/web', { name: 'web', esmx: { entry: { client: './src/entry.client.ts' } } });
    writePackage('apps/team/web', { name: 'team-web', esmx: {} });
    writePackage('apps/xweb', { name: 'xweb', esmx: {} });
    writePackage('libs/shared', { name: 'shared', esmx: { provides: ['react'] } });
    writePackage('libs/plain', { name: 'plain' });
    tree.write('libs/broken/package.json', '{ "name": ');
    writePackage('apps/web/node_modules/dep', { name: 'dep' });
  });

  it('lists the packages the workspaces globs cover, sorted by name, with their esmx field', () => {
    tree.write('package.json', JSON.stringify({ name: 'ws', workspaces: ['apps/**/web', 'libs/*'] }));
    const packages = readWorkspacePackages(tree);
    expect(packages.map((pkg) => [pkg.name, pkg.root])).toEqual([
      ['plain', 'libs/plain'],
      ['shared', 'libs/shared'],
      ['team-web', 'apps/team/web'],
      ['web', 'apps/web'],
    ]);
    expect(packages.find((pkg) => pkg.name === 'plain')?.esmx).toBeUndefined();
    expect(packages.find((pkg) => pkg.name === 'web')?.packageJsonPath).toBe('apps/web/package.json');
  });

  it('leaves out what a `!glob` excludes', () => {
    tree.write('package.json', JSON.stringify({ name: 'ws', workspaces: { packages: ['{apps,libs}/*', '!libs/plain'] } }));
    expect(readWorkspacePackages(tree).map((pkg) => pkg.name)).toEqual(['shared', 'web', 'xweb']);
  });

  it('lists every named package when the root declares no workspaces', () => {
    tree.write('package.json', JSON.stringify({ name: 'ws' }));
    expect(readWorkspacePackages(tree).map((pkg) => pkg.name)).toEqual(['plain', 'shared', 'team-web', 'web', 'xweb']);
  });

  it('tells hosts (an entry with a side) from other modules', () => {
    const byName = new Map(readWorkspacePackages(tree).map((pkg) => [pkg.name, pkg]));
    expect(isHostModule(byName.get('web')!)).toBe(true);
    expect(isHostModule(byName.get('shared')!)).toBe(false);
    expect(isHostModule(byName.get('plain')!)).toBe(false);
  });
});
