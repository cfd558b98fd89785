import type { TryRecord } from '@streampro/engine';
import { formatDuration } from '../format.js';
import { SVG_COLOURS } from '../states.js';
import { esc, round, textWidth } from './svg-text.js';

export interface GanttInput {
  readonly title: string;
  /** Rows, top to bottom. */
  readonly taskIds: readonly string[];
  readonly tries: readonly TryRecord[];
  /** When the run started (the left edge when it precedes every try). */
  readonly runStartedAt: string | null;
  readonly now: Date;
}

const ROW = 24;
const BAR = 14;
const CHART_W = 760;
const TOP = 26;

/**
 * The tries of a run on one time axis: a bar per try coloured by how it ended (a running try reaches
 * now), and between two tries of a task the wait for the retry, hatched.
 */
export function ganttSvg(input: GanttInput): string {
  const starts = input.tries.map((t) => Date.parse(t.startedAt));
  const ends = input.tries.map((t) => (t.endedAt ? Date.parse(t.endedAt) : input.now.getTime()));
  const t0 = Math.min(
    ...starts,
    input.runStartedAt ? Date.parse(input.runStartedAt) : Number.POSITIVE_INFINITY,
  );
  const t1 = Math.max(...ends, t0 + 1);
  const labelW = Math.min(260, Math.max(80, ...input.taskIds.map((id) => textWidth(id))) + 16);
  const width = labelW + CHART_W + 20;
  const height = TOP + input.taskIds.length * ROW + 10;
  if (!Number.isFinite(t0)) {
    return `<svg xmlns="http://www.w3.org/2000/svg" role="img" width="${width}" height="40" aria-label="${esc(input.title)}: no try yet"><text x="8" y="24" font-size="13" fill="#333">No try yet.</text></svg>`;
  }
  const x = (ms: number): number => labelW + ((ms - t0) / (t1 - t0)) * CHART_W;
  const parts: string[] = [];
  for (let i = 0; i <= 4; i++) {
    const ms = t0 + ((t1 - t0) * i) / 4;
    const px = round(x(ms));
    parts.push(
      `<line x1="${px}" y1="${TOP - 6}" x2="${px}" y2="${height - 8}" stroke="#d0d0d0"/>` +
        `<text x="${px}" y="${TOP - 10}" font-size="11" fill="#333" text-anchor="${i === 0 ? 'start' : i === 4 ? 'end' : 'middle'}">+${esc(formatDuration(ms - t0))}</text>`,
    );
  }
  input.taskIds.forEach((taskId, row) => {
    const y = TOP + row * ROW;
    parts.push(`<text x="4" y="${y + ROW / 2 + 4}" font-size="12.5" fill="#1a1a1a">${esc(taskId)}</text>`);
    const mine = input.tries.filter((t) => t.taskId === taskId).sort((a, b) => a.tryNumber - b.tryNumber);
    mine.forEach((t, k) => {
      const s = Date.parse(t.startedAt);
      const e = t.endedAt ? Date.parse(t.endedAt) : input.now.getTime();
      const prev = mine[k - 1];
      if (prev?.endedAt) {
        const w = Date.parse(prev.endedAt);
        if (s > w) {
          parts.push(
            `<rect class="wait" x="${round(x(w))}" y="${y + (ROW - BAR) / 2}" width="${round(Math.max(1, x(s) - x(w)))}" height="${BAR}" fill="url(#hatch)" stroke="#a84300" stroke-width="0.6"><title>${esc(`${taskId}: waiting for try ${t.tryNumber}, ${formatDuration(s - w)}`)}</title></rect>`,
          );
        }
      }
      const label = `${taskId} try ${t.tryNumber}: ${t.state}, ${formatDuration(e - s)}`;
      parts.push(
        `<rect class="try" data-task="${esc(taskId)}" data-try="${t.tryNumber}" data-state="${t.state}" x="${round(x(s))}" y="${y + (ROW - BAR) / 2}" width="${round(Math.max(2, x(e) - x(s)))}" height="${BAR}" rx="2" fill="${SVG_COLOURS[t.state].stroke}"><title>${esc(label)}</title></rect>`,
      );
    });
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" class="gantt" role="img" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" aria-label="${esc(input.title)}" font-family="system-ui, sans-serif">
<defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#fde6d2"/><line x1="0" y1="0" x2="0" y2="6" stroke="#a84300" stroke-width="1.5"/></pattern></defs>
${parts.join('\n')}
</svg>`;
}
