import { collectStaticClosure } from './create-manifest';
import { formatProblem, formatRebuildSizes, formatSizeTable, mergeTargetProblems, readFrameLocation } from './format-output';

describe('bundler output helpers', () => {
  it('reads file:line:column from an swc code frame', () => {
    const message = '  × Syntax Error: Unexpected token `=`.\n   ╭────\n 1 │ export const = ;\n   ·              ─\n   ╰────';
    expect(readFrameLocation(message)).toBe('1:14');
    expect(readFrameLocation('x\n ╭─[2:0]\n 2 │ a\n ╰──')).toBe('2:0');
    const coloured = '\u001b[31m×\u001b[0m Syntax Error\n   ╭────\n \u001b[2m1\u001b[0m │ export const = ;\n   · \u001b[35;1m             ─\u001b[0m\n';
    expect(readFrameLocation(coloured)).toBe('1:14');
    expect(formatProblem('server', 'warning', { message: 'bad\n', moduleName: './src/a.ts', loc: '3:4' })).toBe(
      '[esmx:build] server warning in src/a.ts:3:4\nbad',
    );
  });

  it('merges a problem that both targets report the same way into one, keeping the others apart', () => {
    const client = formatProblem('client', 'error', { message: 'Expression expected', moduleName: './src/util.ts', loc: '2:14' });
    const server = formatProblem('server', 'error', { message: 'Expression expected', moduleName: './src/util.ts', loc: '2:14' });
    const clientOnly = formatProblem('client', 'error', { message: 'window is odd', moduleName: './src/dom.ts', loc: '1:1' });
    expect(mergeTargetProblems([client, clientOnly, server])).toEqual([
      '[esmx:build] client and server error in src/util.ts:2:14\nExpression expected',
      clientOnly,
    ]);
  });

  it('prints a size table with a total; gzip only for client files (server files are never downloaded)', () => {
    expect(
      formatSizeTable('cart', [
        { target: 'client', file: 'a.mjs', raw: 2048, gzip: 100 },
        { target: 'server', file: 'a.mjs', raw: 10 },
      ]),
    ).toBe(
      [
        '[esmx:build] cart',
        'file               raw   gzip',
        '------------  --------  -----',
        'client/a.mjs  2.00 KiB  100 B',
        'server/a.mjs      10 B      -',
        '------------  --------  -----',
        'total         2.01 KiB  100 B',
      ].join('\n'),
    );
  });

  it('collects the transitive static graph of an entry, with the bare specifiers it imports dynamically', () => {
    const graph = new Map([
      ['a.mjs', { files: ['chunks/b.mjs'], externals: ['react'], lazyExternals: [], exports: [] }],
      ['chunks/b.mjs', { files: ['chunks/c.mjs', 'a.mjs'], externals: ['cart/widget'], lazyExternals: ['promo/widget'], exports: [] }],
      ['chunks/c.mjs', { files: [], externals: ['react'], lazyExternals: ['cart/widget', 'promo/widget'], exports: [] }],
      ['chunks/lazy.mjs', { files: [], externals: [], lazyExternals: ['never/reached'], exports: [] }],
    ]);
    expect(collectStaticClosure('a.mjs', graph)).toEqual({
      imports: ['chunks/b.mjs', 'chunks/c.mjs'],
      externals: ['cart/widget', 'react'],
      lazyExternals: ['cart/widget', 'promo/widget'],
    });
  });

  it("prints a watch rebuild's sizes as the files that changed size, or one line when none did", () => {
    const first = [
      { target: 'client' as const, file: 'widget.mjs', raw: 2048, gzip: 900 },
      { target: 'server' as const, file: 'widget.mjs', raw: 4096 },
    ];
    expect(formatRebuildSizes('cart', first, first)).toBe('[esmx:build] cart rebuilt: no file changed size (2 files)');
    const next = [{ ...first[0], raw: 2100, gzip: 920 }, first[1], { target: 'client' as const, file: 'chunks/lazy.mjs', raw: 100, gzip: 90 }];
    const table = formatRebuildSizes('cart', first, next);
    expect(table.split('\n')[0]).toBe('[esmx:build] cart rebuilt: 2 of 3 files changed size');
    expect(table).toContain('client/widget.mjs');
    expect(table).toContain('client/chunks/lazy.mjs');
    expect(table).not.toContain('server/widget.mjs');
  });
});

