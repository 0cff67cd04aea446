import { render } from 'ejs';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { writeFileAtomic } from '../../utils/atomic-write';
import type { Resolution } from '../types';
import { buildLinkGraph } from './build-link-graph';

const TEMPLATE_FILE = join(__dirname, 'link-graph.html.ejs');

/** The module-link graph of a resolution as one self-contained HTML page (inline CSS and SVG, no script, no fetch). */
export function renderLinkGraphPage(resolution: Resolution): string {
  return render(readFileSync(TEMPLATE_FILE, 'utf8'), { graph: buildLinkGraph(resolution) }, { filename: TEMPLATE_FILE });
}

/** Writes the page to `file` (directories created as needed) and returns its absolute path. */
export function writeLinkGraphPage(resolution: Resolution, file: string): string {
  const target = resolve(file);
  writeFileAtomic(target, renderLinkGraphPage(resolution));
  return target;
}
