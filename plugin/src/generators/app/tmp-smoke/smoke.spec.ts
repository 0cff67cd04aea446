import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { mkdirSync, writeFileSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { appGenerator } from '../generator';
import { resolveModule, formatReport } from '../../../protocol';
import { buildModule } from '../../../bundler';
jest.setTimeout(120000);
it('smoke build', async () => {
  const tree = createTreeWithEmptyWorkspace();
  const mods: any[] = [
    { directory: 'libs/shared', role: 'provider', framework: 'react' },
    { directory: 'apps/cart', role: 'remote', framework: 'react' },
    { directory: 'apps/promo', role: 'remote', framework: 'html' },
    { directory: 'apps/shell', role: 'host', framework: 'react' },
  ];
  for (const m of mods) await appGenerator(tree, { skipInstall: true, ...m });
  const { linkGenerator } = await import('../../link/generator');
  await linkGenerator(tree, { from: 'shell', to: 'cart', import: true, skipInstall: true });
  await linkGenerator(tree, { from: 'shell', to: 'promo', import: true, skipInstall: true });
  const out = '/work/main/tmp/gen-check';
  for (const c of tree.listChanges()) { if (!c.content) continue; mkdirSync(dirname(join(out, c.path)), { recursive: true }); writeFileSync(join(out, c.path), c.content); }
  mkdirSync(join(out, 'node_modules'));
  for (const m of mods) symlinkSync(join(out, m.directory), join(out, 'node_modules', m.directory.split('/').pop()));
  for (const m of mods) {
    const root = join(out, m.directory);
    const resolution = resolveModule(root);
    console.log(formatReport(resolution));
    const result = await buildModule({ root, mode: 'production', resolution, log: (l) => console.log(l) });
    console.log(m.directory, result.ok, result.errors, result.warnings);
  }
});
