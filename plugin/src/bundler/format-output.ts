import { statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TAG } from '../constants';
import type { BuildTarget } from '../protocol/types';
import { gzipSize, type EmittedFile } from './record-emitted';
import type { SizeRow } from './types';

/** The subset of an Rspack stats error this layer reads. */
export interface StatsProblem {
  message: string;
  moduleName?: string;
  moduleIdentifier?: string;
  file?: string;
  loc?: string;
}

/**
 * Loader errors (swc syntax errors) carry no `loc`, only a code frame: the numbered line above the `·  ─` pointer,
 * or else the frame header `╭─[line:column]`.
 */
export function readFrameLocation(message: string): string | undefined {
  // Rspack colours its frames when the terminal (or Nx) asks for colour.
  const lines = message.replace(/\u001b\[[0-9;]*m/g, '').split('\n');
  const pointer = lines.findIndex((l) => /^\s*·\s*[─^]/.test(l));
  if (pointer > 0) {
    const source = /^\s*(\d+)\s*│/.exec(lines[pointer - 1]);
    if (source) {
      const marker = lines[pointer];
      const column = marker.search(/[─^]/) - marker.indexOf('·') - 1;
      return `${source[1]}:${column}`;
    }
  }
  const header = /╭─\[(\d+):(\d+)\]/.exec(lines.join('\n'));
  return header ? `${header[1]}:${header[2]}` : undefined;
}

/** `[esmx:build] client: src/x.tsx:3:7` + Rspack's own message (which carries the code frame). */
export function formatProblem(target: BuildTarget, kind: 'error' | 'warning', problem: StatsProblem): string {
  const where = problem.moduleName ? problem.moduleName.replace(/^\.\//, '') : problem.file;
  const loc = problem.loc ?? readFrameLocation(problem.message);
  const location = where ? `${where}${loc ? `:${loc}` : ''}` : '(no file)';
  return `${TAG.build} ${target} ${kind} in ${location}\n${problem.message.trim()}`;
}

/**
 * One line per problem: a file compiled by both targets (a shared component, a syntax error in a util) fails the same
 * way in each; printed twice, it reads like two problems. Problems formatted by formatProblem that differ only in the
 * target are merged into one `client and server` problem, in the order first met.
 */
export function mergeTargetProblems(problems: string[]): string[] {
  const prefix = new RegExp(`^${TAG.build.replace(/[[\]]/g, '\\$&')} (client|server) `);
  const byRest = new Map<string, Set<string>>();
  for (const problem of problems) {
    const match = prefix.exec(problem);
    const rest = match ? problem.slice(match[0].length) : problem;
    const targets = byRest.get(rest) ?? new Set<string>();
    if (match) targets.add(match[1]);
    byRest.set(rest, targets);
  }
  return [...byRest].map(([rest, targets]) => (targets.size === 0 ? rest : `${TAG.build} ${[...targets].sort().join(' and ')} ${rest}`));
}

/**
 * Raw and gzip size of each JS/CSS file, compressed in parallel on libuv's thread pool. A file recorded when Rspack
 * emitted it and unchanged since (`emitted`, see record-emitted.ts) keeps its recorded sizes; another server file's
 * size costs one stat, made synchronously (a round trip through the thread pool per file costs more).
 */
export async function measureFiles(target: BuildTarget, dir: string, files: string[], emitted?: Map<string, EmittedFile>): Promise<SizeRow[]> {
  return Promise.all(
    files
      .filter((f) => f.endsWith('.mjs') || f.endsWith('.css'))
      .map(async (file): Promise<SizeRow> => {
        const recorded = emitted?.get(file);
        if (recorded && target === 'server') return { target, file, raw: recorded.raw };
        if (recorded?.gzip !== undefined) return { target, file, raw: recorded.raw, gzip: recorded.gzip };
        if (target === 'server') return { target, file, raw: statSync(join(dir, file)).size };
        const bytes = await readFile(join(dir, file));
        return { target, file, raw: bytes.length, gzip: await gzipSize(bytes) };
      }),
  );
}

export function formatSize(bytes: number): string {
  return bytes < 1024 ? `${bytes} B` : `${(bytes / 1024).toFixed(2)} KiB`;
}

/** One table per module: every emitted JS/CSS file with raw and (client) gzip sizes, then the total; gzip totals the client. */
export function formatSizeTable(name: string, rows: SizeRow[]): string {
  const header = ['file', 'raw', 'gzip'];
  const body = rows.map((r) => [`${r.target}/${r.file}`, formatSize(r.raw), r.gzip === undefined ? '-' : formatSize(r.gzip)]);
  const total = [
    'total',
    formatSize(rows.reduce((s, r) => s + r.raw, 0)),
    formatSize(rows.reduce((s, r) => s + (r.gzip ?? 0), 0)),
  ];
  const all = [header, ...body, total];
  const widths = header.map((_, i) => Math.max(...all.map((row) => row[i].length)));
  const line = (row: string[]) =>
    row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ');
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [`${TAG.build} ${name}`, line(header), rule, ...body.map(line), rule, line(total)].join('\n');
}

/**
 * A watch rebuild's sizes: only the files that are new or changed size since the previous build of the module (the
 * whole table was printed once, after the first build), or one line when none did.
 */
export function formatRebuildSizes(name: string, previous: SizeRow[], rows: SizeRow[]): string {
  const before = new Map(previous.map((row) => [`${row.target}/${row.file}`, row.raw]));
  const changed = rows.filter((row) => before.get(`${row.target}/${row.file}`) !== row.raw);
  if (changed.length === 0) return `${TAG.build} ${name} rebuilt: no file changed size (${rows.length} files)`;
  return formatSizeTable(`${name} rebuilt: ${changed.length} of ${rows.length} files changed size`, changed);
}

