// Test support for the adapters' specs: generates modules with `@esmx/nx:app` on a virtual tree, writes them under
// the repository's tmp/ (so packages resolve from the repository's node_modules) and builds them with real Rspack.
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { buildModule } from '../bundler/build-module';
import { makeResolution, REPO_ROOT } from '../bundler/fixtures/fixture-workspace';
import { appGenerator } from '../generators/app/generator';
import type { AppGeneratorSchema } from '../generators/app/schema';
import type { BuildManifest } from '../protocol/types';

export interface GeneratedWorkspace {
  root: string;
  /** Module name → package root. */
  roots: Record<string, string>;
  build(name: string): ReturnType<typeof buildModule>;
  manifest(name: string, target: 'client' | 'server'): BuildManifest;
  /** The text of one built file of a module's export. */
  readExport(name: string, target: 'client' | 'server', exportName: string): string;
  remove(): void;
}

export async function generateAndWrite(modules: Array<Partial<AppGeneratorSchema> & { directory: string }>): Promise<GeneratedWorkspace> {
  const tree = createTreeWithEmptyWorkspace();
  for (const options of modules) await appGenerator(tree, { skipInstall: true, ...options } as AppGeneratorSchema);
  mkdirSync(join(REPO_ROOT, 'tmp'), { recursive: true });
  const root = mkdtempSync(join(REPO_ROOT, 'tmp', 'frameworks-'));
  for (const change of tree.listChanges()) {
    if (!change.content) continue;
    mkdirSync(dirname(join(root, change.path)), { recursive: true });
    writeFileSync(join(root, change.path), change.content);
  }
  const roots: Record<string, string> = {};
  mkdirSync(join(root, 'node_modules'));
  for (const { directory } of modules) {
    const name = JSON.parse(readFileSync(join(root, directory, 'package.json'), 'utf8')).name;
    roots[name] = join(root, directory);
    symlinkSync(roots[name], join(root, 'node_modules', name));
  }
  const manifest = (name: string, target: 'client' | 'server'): BuildManifest =>
    JSON.parse(readFileSync(join(roots[name], 'dist', target, 'manifest.json'), 'utf8'));
  return {
    root,
    roots,
    build: (name) => buildModule({ root: roots[name], mode: 'production', resolution: makeResolution(name, roots), log: () => undefined }),
    manifest,
    readExport: (name, target, exportName) =>
      readFileSync(join(roots[name], 'dist', target, manifest(name, target).exports[exportName].file), 'utf8'),
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
}
