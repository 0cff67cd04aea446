import * as path from 'node:path';
import { TAG } from '../constants';
import type { Diagnostic, Mount, Resolution, Wiring } from './types';

export interface FormatOptions {
  /** ANSI colors; the executor turns them on only for a TTY (and not under NO_COLOR). Default false. */
  color?: boolean;
}

type Paint = (text: string) => string;
interface Palette {
  red: Paint;
  yellow: Paint;
  dim: Paint;
  bold: Paint;
}

function paletteFor(options: FormatOptions): Palette {
  const wrap = (open: number, close: number): Paint => (text) => (options.color ? `\u001b[${open}m${text}\u001b[${close}m` : text);
  return { red: wrap(31, 39), yellow: wrap(33, 39), dim: wrap(2, 22), bold: wrap(1, 22) };
}

/** One diagnostic as a readable block: severity, code and message, then package/found/required/fix lines. */
export function formatDiagnostic(d: Diagnostic, options: FormatOptions = {}): string {
  const paint = paletteFor(options);
  const label = d.severity === 'error' ? paint.red(`error ${d.code}`) : paint.yellow(`warning ${d.code}`);
  const lines = [`${label} ${d.message}`];
  if (d.package !== undefined) lines.push(`    package:  ${d.package}`);
  if (d.found !== undefined) lines.push(`    found:    ${d.found}`);
  if (d.required !== undefined) lines.push(`    required: ${d.required}`);
  lines.push(`    fix:      ${d.fix}`);
  return lines.join('\n');
}

/** The validator's readable report: module, mounts, supply groups, wiring, diagnostics, and a summary line. */
export function formatReport(resolution: Resolution, options: FormatOptions = {}): string {
  const paint = paletteFor(options);
  const rootMount = resolution.mounts[resolution.module];
  const rootDir = rootMount?.root;
  const out: string[] = [];
  out.push(`${TAG.validate} ${paint.bold(resolution.module)}${rootDir ? ` ${paint.dim(`(${rootDir})`)}` : ''}`);

  out.push('', paint.bold('Mounts'));
  const mounts = Object.values(resolution.mounts);
  if (mounts.length === 0) out.push('  (none: the module itself could not be read)');
  const nameWidth = Math.max(0, ...mounts.map((m) => m.name.length));
  for (const mount of mounts) out.push(`  ${mount.name.padEnd(nameWidth)}  ${describeMount(mount, rootDir, paint)}`);

  out.push('', paint.bold('Supply'));
  if (resolution.supply.groups.length === 0) out.push('  (nothing provided in the uses closure)');
  for (const group of resolution.supply.groups) {
    out.push(`  ${group.package}@${group.version} (major ${group.major}) ← ${group.provider}  ${paint.dim(`[${group.specifiers.join(', ')}]`)}`);
  }

  out.push('', paint.bold('Wiring'));
  const consumers = Object.entries(resolution.supply.wiring);
  const wired = consumers.filter(([, table]) => Object.keys(table).length > 0);
  if (wired.length === 0) out.push('  (no consumer wired to a provider)');
  const consumerWidth = Math.max(0, ...wired.map(([name]) => name.length));
  for (const [consumer, table] of wired) {
    describeWiring(table, consumer).forEach((line, i) => {
      out.push(`  ${(i === 0 ? consumer : '').padEnd(consumerWidth)}  ${line}`);
    });
  }

  const errors = resolution.diagnostics.filter((d) => d.severity === 'error');
  const warnings = resolution.diagnostics.filter((d) => d.severity === 'warning');
  out.push('', paint.bold('Diagnostics'));
  if (errors.length === 0 && warnings.length === 0) out.push('  none');
  if (errors.length > 0) {
    out.push(`  ${paint.red(`Errors (${errors.length})`)}`);
    for (const d of errors) out.push(indent(formatDiagnostic(d, options), '    '));
  }
  if (warnings.length > 0) {
    out.push(`  ${paint.yellow(`Warnings (${warnings.length})`)}`);
    for (const d of warnings) out.push(indent(formatDiagnostic(d, options), '    '));
  }
  out.push('', summarize(errors.length, warnings.length, paint));
  return out.join('\n');
}

/** `2 errors, 1 warning` */
export function summarize(errors: number, warnings: number, paint?: Palette): string {
  const text = `${errors} ${errors === 1 ? 'error' : 'errors'}, ${warnings} ${warnings === 1 ? 'warning' : 'warnings'}`;
  if (!paint) return text;
  return errors > 0 ? paint.red(text) : warnings > 0 ? paint.yellow(text) : text;
}

function describeMount(mount: Mount, rootDir: string | undefined, paint: Palette): string {
  const where = mount.root ? showPath(mount.root, rootDir) : mount.url ?? '';
  const from = mount.declaredBy ? ` ${paint.dim(`(used by ${mount.declaredBy})`)}` : '';
  if (mount.via === 'self') return `self          ${where}  ${builtLabel(mount)}`;
  if (mount.via === 'node_modules') return `node_modules  ${where}  ${builtLabel(mount)}${from}`;
  if (mount.url) return `link          ${where}  (URL: its manifest is fetched at run time, not checked now)${from}`;
  const given = mount.link !== undefined && mount.link !== where ? ` ${paint.dim(`(link ${JSON.stringify(mount.link)})`)}` : '';
  return `link          ${where}${given}  ${builtLabel(mount)}${from}`;
}

function builtLabel(mount: Mount): string {
  return mount.built ? 'built' : 'not built';
}

function showPath(target: string, rootDir: string | undefined): string {
  if (!rootDir || target === rootDir) return target === rootDir ? '.' : target;
  const relative = path.relative(rootDir, target);
  return relative.startsWith('..') || relative === '' ? relative || '.' : `./${relative}`;
}

/** One line per provider and package: `react@19.3.1 ← shared  (react, react/jsx-runtime)`. */
function describeWiring(table: Record<string, Wiring>, consumer: string): string[] {
  const byTarget = new Map<string, string[]>();
  for (const wiring of Object.values(table)) {
    const label = `${wiring.package}@${wiring.version} ← ${wiring.provider === consumer ? 'itself' : wiring.provider}`;
    byTarget.set(label, [...(byTarget.get(label) ?? []), wiring.specifier]);
  }
  return [...byTarget].map(([label, specifiers]) => `${label}  (${specifiers.join(', ')})`);
}

function indent(text: string, prefix: string): string {
  return text.split('\n').map((line) => prefix + line).join('\n');
}
