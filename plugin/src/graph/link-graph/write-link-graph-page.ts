import { render } from 'ejs';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Resolution } from '../../protocol/types';
import { buildLinkGraph } from './build-link-graph';

const TEMPLATE_FILE = join(__dirname, 'link-graph.html.ejs');

/** The module-link graph of a resolution as one self-contained HTML page (inline CSS and SVG, no script, no fetch). */
export function renderLinkGraphPage(resolution: Resolution): string {
  return render(readFileSync(TEMPLATE_FILE, 'utf8'), { graph: buildLinkGraph(resolution) }, { filename: TEMPLATE_FILE });
}

/** Writes the page to `file` (directories created as needed) and returns its absolute path. */
export function writeLinkGraphPage(resolution: Resolution, file: string): string {
  const target = resolve(file);
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, renderLinkGraphPage(resolution));
  return target;
}
