// Property test: randomly generated module sets, written to disk as npm workspaces (real node_modules symlinks),
// never crash the real resolver; each ends in a supply table or diagnostics, and the table obeys its invariants.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as semver from 'semver';
import { formatReport, hasErrors, packageNameOf, resolveModule } from './index';
import type { DiagnosticCode, Resolution, ResolveOptions } from './types';
import { makeTempDir, moduleDir, writeModuleSet, type ModuleSpec } from './fixtures/write-module-set';

const SETS = 1000;
const SEED = 0x5eed2026;

/** mulberry32: small, fast, and reproducible from the seed printed on failure. */
function createRandom(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const chance = (p: number) => next() < p;
  const pick = <T>(items: readonly T[]): T => items[int(items.length)];
  const subset = <T>(items: readonly T[], p: number): T[] => items.filter(() => chance(p));
  return { next, int, chance, pick, subset };
}
type Random = ReturnType<typeof createRandom>;

const SPECIFIERS = ['react', 'react/jsx-runtime', 'react-dom', 'react-dom/client', '@x/lib', '@x/lib/sub', 'lodash'] as const;
const VERSIONS = ['18.3.1', '19.3.1', '19.0.0', '1.2.3', '2.0.0', '4.17.21', 'garbage', '19.1.0-rc.1'] as const;
const RANGES = ['^18.0.0', '^19.0.0', '>=18', '*', 'latest', 'workspace:*', '~19.2.0', '^17', '^1.0.0', '^2', 'not a range !!', '19.3.1'] as const;
const WORDS = ['entry', 'exports', 'provides', 'uses', 'client', 'server', './x', '.', 'x', 'react', '', 'src/a.ts', './a.ts', '../a'] as const;
const CODES: DiagnosticCode[] = [
  'E_SCHEMA', 'E_NOT_LINKED', 'E_NOT_BUILT', 'E_CYCLE', 'E_DUP_PROVIDER', 'E_VERSION', 'E_TARGET_MISSING',
  'E_PROTOCOL', 'E_NO_EXPORT', 'W_MULTI_MAJOR', 'W_NO_RANGE', 'W_TYPE_DRIFT',
];

function randomJson(random: Random, depth: number): unknown {
  const kind = random.int(depth > 2 ? 4 : 7);
  switch (kind) {
    case 0: return random.pick(WORDS);
    case 1: return random.int(3) === 0 ? null : random.chance(0.5);
    case 2: return random.int(100) - 50;
    case 3: return random.pick(WORDS);
    case 4: return Array.from({ length: random.int(4) }, () => randomJson(random, depth + 1));
    default: {
      const value: Record<string, unknown> = {};
      for (let i = random.int(4); i > 0; i--) value[random.pick(WORDS)] = randomJson(random, depth + 1);
      return value;
    }
  }
}

function randomRanges(random: Random): Record<string, string> | undefined {
  if (random.chance(0.3)) return undefined;
  const ranges: Record<string, string> = {};
  for (const pkg of ['react', 'react-dom', '@x/lib', 'lodash', '@types/react']) if (random.chance(0.5)) ranges[pkg] = random.pick(RANGES);
  return ranges;
}

interface GeneratedSet {
  modules: ModuleSpec[];
  hoisted: Record<string, string>;
  links: Record<string, string>;
}

function generateSet(random: Random): GeneratedSet {
  const count = 1 + random.int(7);
  const names = Array.from({ length: count }, (_, i) => (random.chance(0.15) ? `@s/m${i}` : `m${i}`));
  const modules: ModuleSpec[] = names.map((name) => {
    const others = names.filter((n) => n !== name);
    const uses = random.subset(others, 0.4);
    if (random.chance(0.05)) uses.push(name);
    if (random.chance(0.05)) uses.push('ghost');
    if (random.chance(0.03) && uses.length > 0) uses.push(uses[0]);
    const provides = random.subset(SPECIFIERS, 0.2);
    const esmx: Record<string, unknown> = {};
    if (uses.length > 0 || random.chance(0.5)) esmx.uses = uses;
    if (provides.length > 0) esmx.provides = provides;
    if (random.chance(0.4)) esmx.exports = { [random.pick(['.', './ui', './a/b', 'ui'])]: random.pick(['./src/a.ts', 'src/a.ts', './../a.ts']) };
    if (random.chance(0.3)) esmx.entry = { client: random.pick(['./src/entry.client.ts', false, 'x']), server: './src/entry.server.ts' };
    if (random.chance(0.03)) esmx[random.pick(['use', 'remote', 'exposes'])] = [];
    const installed: Record<string, string> = {};
    for (const specifier of provides) if (random.chance(0.8)) installed[packageNameOf(specifier)] = random.pick(VERSIONS);
    const spec: ModuleSpec = {
      name,
      esmx: random.chance(0.05) ? randomJson(random, 0) : random.chance(0.03) ? undefined : esmx,
      dependencies: randomRanges(random),
      peerDependencies: randomRanges(random),
      devDependencies: random.chance(0.3) ? { '@types/react': random.pick(RANGES) } : undefined,
      installed,
      built: random.chance(0.7),
      files: random.chance(0.5) ? ['src/a.ts', 'src/entry.server.ts'] : [],
      linked: random.chance(0.9),
    };
    if (random.chance(0.04)) {
      const text = JSON.stringify({ name, esmx });
      spec.raw = text.slice(0, random.int(text.length));
    } else if (random.chance(0.02)) {
      spec.raw = JSON.stringify(random.pick([[], 'x', { version: '1.0.0' }, { name: 3 }]));
    }
    return spec;
  });
  const hoisted: Record<string, string> = {};
  if (random.chance(0.3)) hoisted.react = random.pick(VERSIONS);
  const links: Record<string, string> = {};
  for (const name of names.slice(1)) {
    if (!random.chance(0.1)) continue;
    links[name] = random.pick([`../${name.replace('/', '__')}`, 'https://cdn.example.com/x', '../nowhere', 'http://[bad', 'file:///definitely/not/here']);
  }
  return { modules, hoisted, links };
}

function checkInvariants(resolution: Resolution, set: GeneratedSet, options: ResolveOptions): void {
  expect(typeof resolution.module).toBe('string');
  for (const d of resolution.diagnostics) {
    expect(CODES).toContain(d.code);
    expect(d.severity).toBe(d.code.startsWith('W_') ? 'warning' : d.code === 'E_NOT_BUILT' && !options.requireBuilt ? 'warning' : 'error');
    expect(d.message.startsWith(`[esmx:protocol] ${d.module}: `)).toBe(true);
    expect(d.message).not.toContain('[object Object]');
    expect(d.fix.length).toBeGreaterThan(0);
  }
  // One provider per (package, major), and every wiring points at a provided group or at the consumer itself.
  const keys = resolution.supply.groups.map((g) => `${g.package}@${g.major}`);
  expect(new Set(keys).size).toBe(keys.length);
  for (const group of resolution.supply.groups) expect(semver.major(group.version)).toBe(group.major);
  for (const [consumer, table] of Object.entries(resolution.supply.wiring)) {
    expect(resolution.modules[consumer]).toBeDefined();
    for (const [specifier, wiring] of Object.entries(table)) {
      expect(wiring.specifier).toBe(specifier);
      expect(resolution.modules[wiring.provider].provides).toContain(specifier);
      const range = resolution.modules[consumer].ranges[wiring.package];
      if (wiring.provider !== consumer && range !== undefined && semver.validRange(range)) {
        expect(semver.satisfies(wiring.version, range, { includePrerelease: true })).toBe(true);
      }
    }
  }
  // Every use of every module read is either mounted or reported.
  for (const module of Object.values(resolution.modules)) {
    for (const used of module.uses) {
      const mounted = resolution.mounts[used] !== undefined;
      const reported = resolution.diagnostics.some((d) => d.package === used || d.module === used);
      expect(mounted || reported).toBe(true);
    }
  }
  if (!hasErrors(resolution.diagnostics)) {
    expect(resolution.mounts[resolution.module].via).toBe('self');
    expect(Object.keys(resolution.modules)[0]).toBe(resolution.module);
  }
  expect(Object.keys(set.links).every((name) => typeof name === 'string')).toBe(true);
  const report = formatReport(resolution);
  expect(report.split('\n').pop()).toMatch(/^\d+ errors?, \d+ warnings?$/);
  expect(JSON.parse(JSON.stringify(resolution))).toEqual(resolution);
}

describe('resolveModule over random module sets', () => {
  let base: string;
  beforeAll(() => {
    base = makeTempDir('property', { inMemory: true });
  });
  afterAll(() => {
    fs.rmSync(base, { recursive: true, force: true });
  });

  it(`never crashes on ${SETS} generated sets (seed ${SEED}) and keeps the supply table consistent`, () => {
    const random = createRandom(SEED);
    const seen = new Set<string>();
    let clean = 0;
    for (let i = 0; i < SETS; i++) {
      const set = generateSet(random);
      const setRoot = path.join(base, String(i));
      writeModuleSet(setRoot, set.modules, { hoisted: set.hoisted });
      const options: ResolveOptions = { links: set.links, requireBuilt: random.chance(0.2) };
      let resolution: Resolution;
      try {
        resolution = resolveModule(moduleDir(setRoot, set.modules[0]), options);
      } catch (error) {
        throw new Error(`set ${i} (seed ${SEED}) crashed the resolver: ${(error as Error).stack}\n${JSON.stringify(set, null, 1)}`);
      }
      try {
        checkInvariants(resolution, set, options);
      } catch (error) {
        throw new Error(`set ${i} (seed ${SEED}) broke an invariant: ${(error as Error).message}\n${JSON.stringify(set, null, 1)}`);
      }
      // Deterministic: validate output and build inputs must not change between two runs over the same files.
      if (i % 10 === 0) expect(resolveModule(moduleDir(setRoot, set.modules[0]), options)).toEqual(resolution);
      for (const d of resolution.diagnostics) seen.add(d.code);
      if (resolution.diagnostics.length === 0 && resolution.supply.groups.length > 0) clean++;
    }
    // The generator must reach every code the resolver can emit, or the property proves less than it claims.
    expect([...seen].sort()).toEqual(CODES.filter((c) => !['E_PROTOCOL', 'E_NO_EXPORT'].includes(c)).sort());
    expect(clean).toBeGreaterThan(10);
  });
});
