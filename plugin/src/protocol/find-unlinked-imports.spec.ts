import * as fs from 'node:fs';
import * as path from 'node:path';
import { makeTempDir, writeModuleSet } from './fixtures/write-module-set';
import { checkUsedTargets, findUnlinkedImports, resolveModule } from './index';

let root: string;
beforeEach(() => {
  root = makeTempDir('unlinked');
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

function write(file: string, text: string): void {
  fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
  fs.writeFileSync(path.join(root, file), text);
}

const entry = { client: './src/entry.client.ts', server: './src/entry.server.ts' };

describe('findUnlinkedImports', () => {
  beforeEach(() => {
    writeModuleSet(root, [
      { name: 'shell', dir: 'apps/shell', esmx: { entry, uses: ['cart'] } },
      { name: 'cart', dir: 'apps/cart', esmx: { exports: { './widget': './src/widget.ts' }, uses: ['shared'] }, files: ['src/widget.ts'], built: true },
      { name: 'shared', dir: 'libs/shared', esmx: { exports: { './ui': './src/ui.ts' } }, files: ['src/ui.ts'], built: true },
      { name: 'promo', dir: 'apps/promo', esmx: { exports: { './widget': './src/widget.ts' } }, files: ['src/widget.ts'] },
    ]);
    // A plain npm package (no esmx field): bundled privately, never a link problem.
    write('node_modules/lodash-es/package.json', JSON.stringify({ name: 'lodash-es', version: '4.0.0' }));
  });

  it('reports an esmx module imported (in a file reached through a relative import) but not used, with file, line and fix', () => {
    write('apps/shell/src/entry.client.ts', "import { mountApp } from './app';\nmountApp();\n");
    write('apps/shell/src/entry.server.ts', "import 'node:fs';\nimport { x } from 'lodash-es';\nexport default async function render() {}\n");
    write(
      'apps/shell/src/app.tsx',
      "import { a } from 'cart/widget';\nimport { b } from 'shared/ui';\n// import 'nope/x';\nexport const load = () => import('promo/widget');\nexport function mountApp() {}\n",
    );
    const resolution = resolveModule(path.join(root, 'apps/shell'));
    expect(resolution.diagnostics).toEqual([]);
    expect(findUnlinkedImports(resolution)).toEqual([
      {
        code: 'E_NOT_LINKED',
        severity: 'error',
        module: 'shell',
        package: 'promo',
        message:
          '[esmx:protocol] shell: src/app.tsx:4 imports "promo/widget", but "promo" is not in the esmx.uses of shell: "promo" is an esmx module, ' +
          'so the import is neither linked nor safe to bundle (it would be a second, private copy of that module)',
        found: '"promo/widget" in src/app.tsx:4',
        required: '"promo" in esmx.uses',
        fix: `add "promo" to esmx.uses in ${path.join(root, 'apps/shell/package.json')}, or remove the import`,
      },
    ]);
  });

  it('reports each module once, and nothing once it is in esmx.uses', () => {
    write('apps/shell/src/entry.client.ts', "import 'promo/widget';\nimport('promo/widget');\n");
    write('apps/shell/src/entry.server.ts', "export * from 'promo/widget';\n");
    expect(findUnlinkedImports(resolveModule(path.join(root, 'apps/shell'))).map((d) => d.package)).toEqual(['promo']);
    const pkg = JSON.parse(fs.readFileSync(path.join(root, 'apps/shell/package.json'), 'utf8'));
    pkg.esmx.uses.push('promo');
    fs.writeFileSync(path.join(root, 'apps/shell/package.json'), JSON.stringify(pkg));
    expect(findUnlinkedImports(resolveModule(path.join(root, 'apps/shell')))).toEqual([]);
  });
});

describe('checkUsedTargets', () => {
  it("reports a used module's missing export file, naming that module, its package.json and who uses it", () => {
    writeModuleSet(root, [
      { name: 'shell', dir: 'apps/shell', esmx: { uses: ['cart'] } },
      { name: 'cart', dir: 'apps/cart', esmx: { entry: { client: './src/missing-entry.ts' }, exports: { './widget': './src/widget.ts', './ui': './src/ui' } }, files: ['src/ui/index.tsx'], built: true },
    ]);
    const resolution = resolveModule(path.join(root, 'apps/shell'));
    expect(resolution.diagnostics).toEqual([]);
    const cartRoot = path.join(root, 'apps/cart');
    // Only exports: a used module's entries are its own page, which the host never imports.
    expect(checkUsedTargets(resolution)).toEqual([
      {
        code: 'E_TARGET_MISSING',
        severity: 'error',
        module: 'cart',
        message: `[esmx:protocol] cart: esmx.exports["./widget"] points at ./src/widget.ts, which does not exist in ${cartRoot} (cart is used by shell, whose build imports it through this export)`,
        found: 'no such file',
        required: './src/widget.ts (or the same path with one of .ts .tsx .mts .js .jsx .mjs .cjs)',
        fix: `create ${path.join(cartRoot, 'src/widget.ts')} or correct esmx.exports["./widget"] in ${path.join(cartRoot, 'package.json')}`,
      },
    ]);
  });

  it('leaves a module installed inside node_modules alone: a published package ships its build, not its sources', () => {
    writeModuleSet(root, [{ name: 'shell', dir: 'apps/shell', esmx: { uses: ['kit'] } }]);
    write('node_modules/kit/package.json', JSON.stringify({ name: 'kit', version: '1.0.0', esmx: { exports: { './ui': './src/ui.ts' } } }));
    const resolution = resolveModule(path.join(root, 'apps/shell'));
    expect(Object.keys(resolution.modules)).toEqual(['shell', 'kit']);
    expect(checkUsedTargets(resolution)).toEqual([]);
  });
});
