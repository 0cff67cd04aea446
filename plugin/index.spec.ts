/**
 * The public entry points `@esmx/nx` (index.ts) and `@esmx/nx/plugin` (plugin.ts): every exported name is listed here,
 * so that an accidental export (or a lost one) fails this spec, and every export carries a doc comment on its
 * declaration, which is what editors show to users.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import * as ts from 'typescript';

const ENTRIES = {
  'index.ts': [
    'BuildManifest',
    'BuildModuleOptions',
    'BuildModuleResult',
    'Diagnostic',
    'DiagnosticCode',
    'EsmxDeclaration',
    'FrameworkAdapter',
    'FrameworkBuildContext',
    'ImportMap',
    'LinkFile',
    'LinkModuleOptions',
    'LinkModuleResult',
    'Mount',
    'RebuildResult',
    'Resolution',
    'SSR_FLAG',
    'SizeRow',
    'SupplyTable',
    'appGenerator',
    'buildModule',
    'formatDiagnostic',
    'formatReport',
    'hasErrors',
    'initGenerator',
    'linkGenerator',
    'linkModule',
    'renderLinkGraphPage',
    'resolveModule',
    'writeLinkGraphPage',
  ],
  'plugin.ts': ['EsmxPluginOptions', 'createDependencies', 'createNodes', 'createNodesV2'],
} as const;

interface ExportedName {
  name: string;
  documented: boolean;
}

function listExports(program: ts.Program, file: string): ExportedName[] {
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(file);
  if (!source) throw new Error(`not in the program: ${file}`);
  const entry = checker.getSymbolAtLocation(source);
  if (!entry) throw new Error(`not a module: ${file}`);
  return checker.getExportsOfModule(entry).map((symbol) => {
    const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
    return { name: symbol.name, documented: ts.displayPartsToString(target.getDocumentationComment(checker)).trim() !== '' };
  });
}

describe('public entry points', () => {
  const leaky = join(__dirname, 'fixtures/leaky-entry.ts');
  const files = [...Object.keys(ENTRIES).map((entry) => join(__dirname, entry)), leaky];
  const program = ts.createProgram(files, {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    skipLibCheck: true,
    noEmit: true,
  });

  it.each(Object.entries(ENTRIES))('%s exports exactly the listed names, each with a doc comment', (entry, expected) => {
    const exported = listExports(program, join(__dirname, entry));
    expect(exported.map((e) => e.name).sort()).toEqual([...expected].sort());
    expect(exported.filter((e) => !e.documented).map((e) => e.name)).toEqual([]);
  });

  it('can fail: a re-exported name and a missing doc comment are both seen', () => {
    expect(listExports(program, leaky)).toEqual([
      { name: 'documented', documented: true },
      { name: 'leaked', documented: false },
    ]);
  });
});

describe('the generators of the public entry point', () => {
  it('are not loaded with it: requiring @esmx/nx loads no @nx/devkit module (a build script does not pay for them)', () => {
    const probe = `require(${JSON.stringify(join(__dirname, 'index.ts'))});` +
      `process.stdout.write(JSON.stringify(Object.keys(require.cache).filter((k) => k.includes('/@nx/devkit/'))));`;
    const loaded = execFileSync(process.execPath, ['-r', '@swc-node/register', '-e', probe], { encoding: 'utf8' });
    expect(JSON.parse(loaded)).toEqual([]);
  });

  it('load on first call and run: initGenerator registers the plugin in a fresh tree', async () => {
    const { createTreeWithEmptyWorkspace } = await import('@nx/devkit/testing');
    const { initGenerator } = await import('./index');
    const tree = createTreeWithEmptyWorkspace();
    await initGenerator(tree, {} as Parameters<typeof initGenerator>[1]);
    const nxJson = JSON.parse(tree.read('nx.json', 'utf8')!);
    expect(JSON.stringify(nxJson.plugins)).toContain('@esmx/nx');
  });
});
