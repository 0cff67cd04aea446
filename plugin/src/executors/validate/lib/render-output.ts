import { formatReport } from '../../../protocol/index';
import type { Resolution } from '../../../protocol/types';

/** Exactly what `--json` prints: the envelope and nothing else. */
export function renderJsonEnvelope(resolution: Resolution): string {
  const { diagnostics, supply, mounts } = resolution;
  return `${JSON.stringify({ diagnostics, supply, mounts }, null, 2)}\n`;
}

/** The readable report; colors only on a terminal, and never under NO_COLOR (https://no-color.org). */
export function renderReport(resolution: Resolution, stream: { isTTY?: boolean } = process.stdout): string {
  const color = stream.isTTY === true && !process.env.NO_COLOR;
  return `${formatReport(resolution, { color })}\n`;
}
