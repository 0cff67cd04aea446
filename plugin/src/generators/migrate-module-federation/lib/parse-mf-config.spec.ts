import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ts from 'typescript';
import { MfConfigParseError, parseMfConfig } from './parse-mf-config';

const nx23 = join(__dirname, '..', 'fixtures', 'nx23-react-ssr');
const configs = join(__dirname, '..', 'fixtures', 'configs');
const parse = (dir: string, file: string) => parseMfConfig(ts, file, readFileSync(join(dir, file), 'utf8'));
const parseError = (file: string): MfConfigParseError => {
  try {
    parse(configs, file);
  } catch (error) {
    if (error instanceof MfConfigParseError) return error;
    throw error;
  }
  throw new Error(`${file} parsed`);
};

describe('parseMfConfig on the configs Nx 23 generates', () => {
  it('reads a host: its name and remotes, Nx default sharing', () => {
    expect(parse(nx23, 'apps/shell/module-federation.config.ts')).toEqual({
      file: 'apps/shell/module-federation.config.ts',
      name: 'shell',
      remotes: [{ name: 'shop' }, { name: 'cart' }],
      exposes: {},
      shared: { kind: 'default' },
      additionalShared: [],
      ignoredKeys: [],
    });
  });

  it('reads a remote: its exposes', () => {
    expect(parse(nx23, 'apps/shop/module-federation.config.ts')).toMatchObject({
      name: 'shop',
      remotes: [],
      exposes: { './Module': './src/remote-entry.ts' },
      shared: { kind: 'default' },
    });
  });

  it("recognises the SSR config's shared function as eager-only (nothing to migrate)", () => {
    expect(parse(nx23, 'apps/shell/module-federation.server.config.ts').shared).toEqual({ kind: 'function', eagerOnly: true, line: 9 });
    expect(parse(nx23, 'apps/shop/module-federation.server.config.ts').shared).toEqual({ kind: 'function', eagerOnly: true, line: 8 });
  });
});

describe('parseMfConfig on other literal shapes', () => {
  it('follows const names and satisfies; reads [name, url] remotes, a shared object, additionalShared, unknown keys', () => {
    expect(parse(configs, 'explicit-shared.ts')).toEqual({
      file: 'explicit-shared.ts',
      name: 'shell',
      remotes: [{ name: 'shop' }, { name: 'cart', url: 'https://cart.example.com/' }],
      exposes: {},
      shared: {
        kind: 'list',
        packages: [
          { name: 'react', singleton: true },
          { name: 'react-dom', singleton: true },
          { name: 'lodash', singleton: false },
        ],
      },
      additionalShared: ['zustand'],
      ignoredKeys: ['library'],
    });
  });

  it('reads module.exports, template literals and a shared list (each a singleton, as Nx shares them)', () => {
    expect(parse(configs, 'shared-list.js')).toMatchObject({
      name: 'catalog',
      exposes: { './Module': './src/remote-entry.ts', './Button': './src/button.tsx' },
      shared: { kind: 'list', packages: [{ name: 'react', singleton: true }, { name: 'react-dom', singleton: true }] },
    });
  });

  it('keeps a custom shared function as such, for the report', () => {
    expect(parse(configs, 'custom-shared-function.ts').shared).toEqual({ kind: 'function', eagerOnly: false, line: 4 });
  });
});

describe('parseMfConfig refuses what it would have to run', () => {
  it('remotes computed from the environment: the line, what it expected and what it found', () => {
    const error = parseError('computed-remotes.ts');
    expect({ line: error.line, expected: error.expected }).toEqual({ line: 5, expected: 'an array literal of remote names as `remotes`' });
    expect(error.found).toBe("`process.env.REMOTES ? process.env.REMOTES.split(',') : ['shop']`");
  });

  it('a spread of an imported base config', () => {
    const error = parseError('spread-base.ts');
    expect({ line: error.line, expected: error.expected, found: error.found }).toEqual({
      line: 4,
      expected: 'an object literal as the config with plain `key: value` entries',
      found: '`...base`',
    });
  });

  it('a file without a default export', () => {
    expect(parseError('no-default-export.ts').expected).toBe('a default export of the config (`export default config`)');
  });
});
