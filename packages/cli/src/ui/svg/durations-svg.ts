import type { TaskState } from '@streampro/engine';
import { formatDuration, median } from '../format.js';
import { SVG_COLOURS } from '../states.js';
import { esc, round } from './svg-text.js';

export interface DurationPoint {
  readonly label: string;
  readonly ms: number;
  readonly state: TaskState;
}

const W = 640;
const H = 110;
const LEFT = 64;
const PAD = 14;

/**
 * One task's durations across runs (oldest left), a dot per run coloured by state, and the median as a
 * dashed line with its value: a slow run stands out against the task's usual time.
 */
export function durationsSvg(taskId: string, points: readonly DurationPoint[]): string {
  const mid = median(points.map((p) => p.ms));
  const title = `${taskId}: ${points.length} run(s), median ${formatDuration(mid)}`;
  if (points.length === 0 || mid === null) {
    return `<svg xmlns="http://www.w3.org/2000/svg" role="img" width="${W}" height="30" aria-label="${esc(taskId)}: no finished try"><text x="${LEFT}" y="20" font-size="12" fill="#333">no finished try</text></svg>`;
  }
  const max = Math.max(...points.map((p) => p.ms), 1);
  const y = (ms: number): number => PAD + (1 - ms / max) * (H - 2 * PAD);
  const step = points.length > 1 ? (W - LEFT - PAD) / (points.length - 1) : 0;
  const x = (i: number): number => LEFT + (points.length > 1 ? i * step : (W - LEFT - PAD) / 2);
  const line = points.map((p, i) => `${i ? 'L' : 'M'}${round(x(i))} ${round(y(p.ms))}`).join(' ');
  const dots = points
    .map(
      (p, i) =>
        `<circle cx="${round(x(i))}" cy="${round(y(p.ms))}" r="3.5" fill="${SVG_COLOURS[p.state].stroke}"><title>${esc(`${p.label}: ${formatDuration(p.ms)} (${p.state})`)}</title></circle>`,
    )
    .join('');
  const my = round(y(mid));
  return `<svg xmlns="http://www.w3.org/2000/svg" class="durations" role="img" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" aria-label="${esc(title)}" font-family="system-ui, sans-serif">
<text x="4" y="${PAD + 4}" font-size="11" fill="#333">${esc(formatDuration(max))}</text>
<text x="4" y="${H - PAD + 4}" font-size="11" fill="#333">0</text>
<line x1="${LEFT}" y1="${H - PAD}" x2="${W - PAD}" y2="${H - PAD}" stroke="#bbb"/>
<path d="${line}" fill="none" stroke="#7a869a" stroke-width="1"/>
<line class="median" x1="${LEFT}" y1="${my}" x2="${W - PAD}" y2="${my}" stroke="#14213d" stroke-dasharray="5 4"/>
<text x="${W - PAD}" y="${my - 4}" font-size="11" fill="#14213d" text-anchor="end">median ${esc(formatDuration(mid))}</text>
${dots}
</svg>`;
}
