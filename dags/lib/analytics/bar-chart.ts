/** A horizontal bar chart as a standalone SVG document: one row per bar, a value axis below. */
import { COLORS, escapeXml, type LegendEntry, legend, px, svgOpen } from './svg.js';

export interface Bar {
  readonly label: string;
  readonly value: number;
  /** An interval drawn over the bar (Wilson 95%). */
  readonly whisker?: readonly [number, number];
  /** Text right of the plot. */
  readonly note: string;
  readonly color: string;
}

export interface BarChartSpec {
  readonly title: string;
  readonly desc: string;
  /** One line under the title (the answer, in words). */
  readonly subtitle?: string;
  /** The value axis' name and unit, under the tick labels. */
  readonly axisLabel: string;
  /** Right end of the value axis; values are clamped to [0, max]. */
  readonly max: number;
  readonly ticks: readonly number[];
  readonly tickLabel: (value: number) => string;
  readonly bars: readonly Bar[];
  /** A dashed vertical line across all rows (an overall rate). */
  readonly reference?: { readonly value: number; readonly label: string };
  /** A dashed horizontal line above row `beforeRow` (a threshold between bins; name it in the legend). */
  readonly rowRule?: { readonly beforeRow: number; readonly color: string };
  readonly legend: readonly LegendEntry[];
  /** Shown instead of the rows when there are no bars. */
  readonly emptyText: string;
}

const WIDTH = 640;
const LABEL_W = 130;
const NOTE_W = 150;
const ROW_H = 22;
const TITLE_H = 46;
const PLOT_W = WIDTH - LABEL_W - NOTE_W;

export function barChart(spec: BarChartSpec): string {
  const TOP = spec.subtitle === undefined ? TITLE_H : TITLE_H + 16;
  const rows = Math.max(1, spec.bars.length);
  const bottom = TOP + rows * ROW_H;
  const height = bottom + 62;
  const x = (v: number): number => LABEL_W + (Math.max(0, Math.min(spec.max, v)) / spec.max) * PLOT_W;
  const parts = svgOpen(WIDTH, height, spec.title, spec.desc);
  if (spec.subtitle !== undefined) {
    parts.push(`<text x="8" y="38" fill="${COLORS.ink}">${escapeXml(spec.subtitle)}</text>`);
  }
  for (const tick of spec.ticks) {
    const tx = px(x(tick));
    parts.push(`<line x1="${tx}" y1="${TOP - 4}" x2="${tx}" y2="${bottom}" stroke="${COLORS.grid}"/>`);
    parts.push(
      `<text x="${tx}" y="${bottom + 16}" text-anchor="middle" fill="${COLORS.axis}">${escapeXml(spec.tickLabel(tick))}</text>`,
    );
  }
  parts.push(
    `<text x="${px(LABEL_W + PLOT_W / 2)}" y="${bottom + 32}" text-anchor="middle" fill="${COLORS.axis}">${escapeXml(spec.axisLabel)}</text>`,
  );
  if (spec.bars.length === 0) {
    parts.push(
      `<text x="${px(LABEL_W + PLOT_W / 2)}" y="${TOP + 15}" text-anchor="middle" fill="${COLORS.axis}">${escapeXml(spec.emptyText)}</text>`,
    );
  }
  spec.bars.forEach((bar, i) => {
    const y = TOP + i * ROW_H;
    parts.push(`<text x="${LABEL_W - 6}" y="${y + 15}" text-anchor="end">${escapeXml(bar.label)}</text>`);
    parts.push(
      `<rect x="${LABEL_W}" y="${y + 4}" width="${px(x(bar.value) - LABEL_W)}" height="${ROW_H - 8}" fill="${bar.color}"/>`,
    );
    if (bar.whisker) {
      const [lo, hi] = bar.whisker.map((v) => px(x(v)));
      const mid = px(y + ROW_H / 2);
      parts.push(`<line x1="${lo}" y1="${mid}" x2="${hi}" y2="${mid}" stroke="${COLORS.ink}"/>`);
      parts.push(`<line x1="${lo}" y1="${y + 6}" x2="${lo}" y2="${y + ROW_H - 6}" stroke="${COLORS.ink}"/>`);
      parts.push(`<line x1="${hi}" y1="${y + 6}" x2="${hi}" y2="${y + ROW_H - 6}" stroke="${COLORS.ink}"/>`);
    }
    parts.push(`<text x="${LABEL_W + PLOT_W + 8}" y="${y + 15}">${escapeXml(bar.note)}</text>`);
  });
  if (spec.reference) {
    const rx = px(x(spec.reference.value));
    parts.push(
      `<line x1="${rx}" y1="${TOP - 4}" x2="${rx}" y2="${bottom}" stroke="${COLORS.ink}" stroke-dasharray="4 3"/>`,
    );
    parts.push(
      `<text x="${rx}" y="${TOP - 8}" text-anchor="middle" fill="${COLORS.ink}">${escapeXml(spec.reference.label)}</text>`,
    );
  }
  if (spec.rowRule) {
    const ry = px(TOP + spec.rowRule.beforeRow * ROW_H);
    parts.push(
      `<line x1="8" y1="${ry}" x2="${WIDTH - 8}" y2="${ry}" stroke="${spec.rowRule.color}" stroke-dasharray="4 3"/>`,
    );
  }
  parts.push(...legend(spec.legend, 8, height - 10));
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
