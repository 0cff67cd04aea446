import { formatDiagnostic, formatReport } from './index';
import type { Resolution } from './types';

const resolution: Resolution = {
  module: 'shell',
  diagnostics: [
    {
      code: 'W_MULTI_MAJOR',
      severity: 'warning',
      module: 'shell',
      package: 'react',
      found: '18.3.1 (legacy), 19.3.1 (shared)',
      required: 'one major of react, unless the coexistence is intended',
      message: '[esmx:protocol] shell: 2 majors of react are provided side by side: 18.3.1 (legacy), 19.3.1 (shared)',
      fix: 'nothing to do if intended',
    },
    {
      code: 'E_VERSION',
      severity: 'error',
      module: 'cart',
      package: 'react',
      found: '18.3.1 (legacy), 19.3.1 (shared)',
      required: '^17',
      message: '[esmx:protocol] cart: requires react@^17, but its uses closure provides 18.3.1 (legacy), 19.3.1 (shared)',
      fix: 'change the range',
    },
  ],
  supply: {
    groups: [
      { package: 'react', major: 18, version: '18.3.1', provider: 'legacy', specifiers: ['react'] },
      { package: 'react', major: 19, version: '19.3.1', provider: 'shared', specifiers: ['react', 'react/jsx-runtime'] },
    ],
    wiring: {
      shell: {
        react: { specifier: 'react', package: 'react', provider: 'shared', version: '19.3.1', major: 19 },
        'react/jsx-runtime': { specifier: 'react/jsx-runtime', package: 'react', provider: 'shared', version: '19.3.1', major: 19 },
      },
      cart: {},
      shared: {
        react: { specifier: 'react', package: 'react', provider: 'shared', version: '19.3.1', major: 19 },
        'react/jsx-runtime': { specifier: 'react/jsx-runtime', package: 'react', provider: 'shared', version: '19.3.1', major: 19 },
      },
    },
  },
  mounts: {
    shell: { name: 'shell', via: 'self', root: '/ws/apps/shell', clientDir: '/ws/apps/shell/dist/client', serverDir: '/ws/apps/shell/dist/server', built: false },
    cart: { name: 'cart', via: 'node_modules', root: '/ws/apps/cart', built: true, declaredBy: 'shell' },
    shared: { name: 'shared', via: 'link', root: '/elsewhere/shared', link: '/elsewhere/shared', built: true, declaredBy: 'shell' },
    legacy: { name: 'legacy', via: 'link', url: 'https://cdn.example.com/legacy/', link: 'https://cdn.example.com/legacy', built: true, declaredBy: 'cart' },
  },
  modules: {},
};

describe('formatDiagnostic', () => {
  it('prints severity, code, message, then package, found, required and fix', () => {
    expect(formatDiagnostic(resolution.diagnostics[1])).toBe(
      [
        'error E_VERSION [esmx:protocol] cart: requires react@^17, but its uses closure provides 18.3.1 (legacy), 19.3.1 (shared)',
        '    package:  react',
        '    found:    18.3.1 (legacy), 19.3.1 (shared)',
        '    required: ^17',
        '    fix:      change the range',
      ].join('\n'),
    );
  });

  it('omits the lines a diagnostic does not have', () => {
    expect(formatDiagnostic({ code: 'E_CYCLE', severity: 'error', module: 'a', message: '[esmx:protocol] a: cycle', fix: 'break it' })).toBe(
      'error E_CYCLE [esmx:protocol] a: cycle\n    fix:      break it',
    );
  });
});

describe('formatReport', () => {
  it('lists mounts with how each was found, supply groups, wiring and diagnostics by severity', () => {
    expect(formatReport(resolution)).toBe(
      [
        '[esmx:validate] shell (/ws/apps/shell)',
        '',
        'Mounts',
        '  shell   self          .  not built',
        '  cart    node_modules  ../cart  built (used by shell)',
        '  shared  link          ../../../elsewhere/shared (link "/elsewhere/shared")  built (used by shell)',
        '  legacy  link          https://cdn.example.com/legacy/  (URL: its manifest is fetched at run time, not checked now) (used by cart)',
        '',
        'Supply',
        '  react@18.3.1 (major 18) ← legacy  [react]',
        '  react@19.3.1 (major 19) ← shared  [react, react/jsx-runtime]',
        '',
        'Wiring',
        '  shell   react@19.3.1 ← shared  (react, react/jsx-runtime)',
        '  shared  react@19.3.1 ← itself  (react, react/jsx-runtime)',
        '',
        'Diagnostics',
        '  Errors (1)',
        '    error E_VERSION [esmx:protocol] cart: requires react@^17, but its uses closure provides 18.3.1 (legacy), 19.3.1 (shared)',
        '        package:  react',
        '        found:    18.3.1 (legacy), 19.3.1 (shared)',
        '        required: ^17',
        '        fix:      change the range',
        '  Warnings (1)',
        '    warning W_MULTI_MAJOR [esmx:protocol] shell: 2 majors of react are provided side by side: 18.3.1 (legacy), 19.3.1 (shared)',
        '        package:  react',
        '        found:    18.3.1 (legacy), 19.3.1 (shared)',
        '        required: one major of react, unless the coexistence is intended',
        '        fix:      nothing to do if intended',
        '',
        '1 error, 1 warning',
      ].join('\n'),
    );
  });

  it('has no color codes unless asked, and colors by severity when asked', () => {
    expect(formatReport(resolution)).not.toContain('\u001b[');
    const colored = formatReport(resolution, { color: true });
    expect(colored).toContain('\u001b[31merror E_VERSION\u001b[39m');
    expect(colored).toContain('\u001b[33mwarning W_MULTI_MAJOR\u001b[39m');
    expect(colored.split('\n').pop()).toBe('\u001b[31m1 error, 1 warning\u001b[39m');
  });

  it('reports an unreadable root module', () => {
    const text = formatReport({ module: '/ws/x/package.json', diagnostics: [], supply: { groups: [], wiring: {} }, mounts: {}, modules: {} });
    expect(text).toBe(
      [
        '[esmx:validate] /ws/x/package.json',
        '',
        'Mounts',
        '  (none: the module itself could not be read)',
        '',
        'Supply',
        '  (nothing provided in the uses closure)',
        '',
        'Wiring',
        '  (no consumer wired to a provider)',
        '',
        'Diagnostics',
        '  none',
        '',
        '0 errors, 0 warnings',
      ].join('\n'),
    );
  });
});
