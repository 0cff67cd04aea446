/**
 * `nx run <module>:validate` as a user runs it: in this repository (the plugin loaded from its TypeScript
 * source, no build) and in a fresh workspace with the packed plugin, on the sample module set and on broken copies.
 */
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createWorkspace, repoRoot, run, runNx, type Workspace } from './utils/workspace';

const sampleModules = join(repoRoot, 'tools/sample-modules');

/** The JSON envelope validate prints, cut out of Nx's own task header and footer. */
function parseEnvelope(output: string): { diagnostics: any[]; supply: any; mounts: any } {
  const start = output.indexOf('{\n  "diagnostics"');
  if (start < 0) throw new Error(`no JSON envelope in:\n${output}`);
  const end = output.indexOf('\n}\n', start);
  return JSON.parse(output.slice(start, end + 2));
}

function expectNoStackTrace(output: string): void {
  expect(output).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
}

describe('validate in this repository (plugin loaded from source)', () => {
  it('infers the targets of the sample modules and validates the sample host', () => {
    const project = JSON.parse(runNx(repoRoot, ['show', 'project', 'sample-host', '--json']).stdout);
    expect(Object.keys(project.targets).sort()).toEqual(['build', 'bundle', 'serve', 'standalone', 'start', 'validate']);
    const result = runNx(repoRoot, ['run', 'sample-host:validate', '--skip-nx-cache', '--outputStyle=static']);
    expect(result.code).toBe(0);
    expect(result.output).toMatch(/react@19\.3\.1 ← sample-shared/);
    expect(result.output).toMatch(/^0 errors, \d+ warnings?$/m);
  });
});

describe('validate in a fresh workspace', () => {
  let ws: Workspace;

  beforeAll(() => {
    ws = createWorkspace('validate');
    for (const name of ['host', 'cart', 'profile', 'shared']) {
      cpSync(join(sampleModules, name), join(ws.root, 'libs', name), {
        recursive: true,
        filter: (path) => !/\/(dist|node_modules)(\/|$)/.test(path),
      });
    }
    ws.nxOk(['g', '@esmx/nx:init', '--skipPackageJson']);
    const install = run(ws.root, 'npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', 'react@19.3.1', 'react-dom@19.3.1']);
    if (install.code !== 0) throw new Error(install.output);
  });

  afterAll(() => {
    if (process.env.KEEP_E2E !== '1') ws?.remove();
  });

  const editPackage = (name: string, edit: (pkg: any) => void): (() => void) => {
    const path = join(ws.root, 'libs', name, 'package.json');
    const original = readFileSync(path, 'utf8');
    const pkg = JSON.parse(original);
    edit(pkg);
    writeFileSync(path, JSON.stringify(pkg, null, 2));
    return () => writeFileSync(path, original);
  };

  it('prints the readable report and the --json envelope for the healthy sample set', () => {
    const readable = ws.nx(['run', 'sample-host:validate', '--outputStyle=static']);
    expect(readable.code).toBe(0);
    expect(readable.output).toContain('sample-cart');
    expect(readable.output).toMatch(/react@19\.3\.1 ← sample-shared/);

    const json = ws.nx(['run', 'sample-host:validate', '--json', '--outputStyle=static']);
    expect(json.code).toBe(0);
    const envelope = parseEnvelope(json.stdout);
    expect(envelope.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(envelope.supply.groups.map((g: any) => `${g.package}@${g.major}<-${g.provider}`).sort()).toEqual([
      'react-dom@19<-sample-shared',
      'react@19<-sample-shared',
    ]);
    expect(envelope.supply.wiring['sample-host'].react.provider).toBe('sample-shared');
    expect(Object.keys(envelope.mounts).sort()).toEqual(['sample-cart', 'sample-host', 'sample-profile', 'sample-shared']);
    expect(envelope.mounts['sample-cart'].via).toBe('node_modules');
  });

  it.each([
    [
      'a version out of range',
      'cart',
      (pkg: any) => (pkg.dependencies.react = '^18.2.0'),
      { code: 'E_VERSION', module: 'sample-cart', package: 'react', required: '^18.2.0' },
    ],
    [
      'an unknown used module',
      'host',
      (pkg: any) => pkg.esmx.uses.push('sample-missing'),
      { code: 'E_NOT_LINKED', package: 'sample-missing' },
    ],
    [
      'a malformed esmx field',
      'host',
      (pkg: any) => (pkg.esmx.exports = { './ui': 'src/ui.ts' }),
      { code: 'E_SCHEMA', module: 'sample-host' },
    ],
    [
      'a cycle',
      'shared',
      (pkg: any) => (pkg.esmx.uses = ['sample-cart']),
      { code: 'E_CYCLE' },
    ],
  ])('reports %s with its code and fix, exits 1, no stack trace', (_case, name, edit, expected) => {
    const restore = editPackage(name, edit);
    try {
      const json = ws.nx(['run', 'sample-host:validate', '--json', '--skip-nx-cache', '--outputStyle=static']);
      expect(json.code).toBe(1);
      const errors = parseEnvelope(json.stdout).diagnostics.filter((d) => d.severity === 'error');
      expect(errors).toEqual(expect.arrayContaining([expect.objectContaining(expected)]));
      for (const error of errors) {
        expect(error.message).toMatch(/^\[esmx:protocol\] /);
        expect(error.fix.length).toBeGreaterThan(10);
      }

      const readable = ws.nx(['run', 'sample-host:validate', '--skip-nx-cache', '--outputStyle=static']);
      expect(readable.code).toBe(1);
      expect(readable.output).toContain(expected.code);
      expect(readable.output).toMatch(/fix: /);
      expectNoStackTrace(readable.output);
    } finally {
      restore();
    }
  });
});
