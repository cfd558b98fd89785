/** The trend of Q1–Q3 as a standalone SVG line chart (percentages over the trend's dates). */
import { COLORS, escapeXml, legend, px, svgOpen } from './svg.js';
import type { Trend, TrendPoint } from './trend.js';

const WIDTH = 640;
const LEFT = 48;
const RIGHT = 16;
const TOP = 40;
const PLOT_H = 200;
const PLOT_W = WIDTH - LEFT - RIGHT;
const HEIGHT = TOP + PLOT_H + 96;

const SERIES = [
  { label: 'Q1 reached 30 s (% of new users)', color: COLORS.bar, value: (p: TrendPoint) => p.q1Pct },
  {
    label: 'Q2 top genre retained (%)',
    color: COLORS.highlight,
    value: (p: TrendPoint) => (p.q2TopRate === null ? null : p.q2TopRate * 100),
  },
] as const;

export function renderTrendChart(trend: Trend): string {
  const first = trend.dates[0] ?? '';
  const last = trend.dates[trend.dates.length - 1] ?? '';
  const slot = PLOT_W / Math.max(1, trend.dates.length);
  const x = (date: string): number => LEFT + (trend.dates.indexOf(date) + 0.5) * slot;
  const y = (value: number): number => TOP + PLOT_H - (Math.max(0, Math.min(100, value)) / 100) * PLOT_H;
  const title = `Trend · Q1–Q3 over report dates ${first} to ${last}`;
  const desc =
    `Q1 and Q2's top-genre retention in percent, and Q3's abnormal cohorts, for the ${trend.points.length} of ` +
    `${trend.dates.length} report dates with a report (as last written): ` +
    trend.points
      .map(
        (p) =>
          `${p.reportDate} Q1 ${p.q1Pct === null ? 'n/a' : `${p.q1Pct.toFixed(1)}%`}, Q2 ${p.q2Top ?? 'none'}` +
          `${p.q2TopRate === null ? '' : ` ${(p.q2TopRate * 100).toFixed(1)}%`}, Q3 ${p.q3Abnormal.length === 0 ? 'none' : p.q3Abnormal.join(' + ')}`,
      )
      .join('; ') +
    '.';
  const parts = svgOpen(WIDTH, HEIGHT, title, desc);
  for (const tick of [0, 25, 50, 75, 100]) {
    const ty = px(y(tick));
    parts.push(`<line x1="${LEFT}" y1="${ty}" x2="${WIDTH - RIGHT}" y2="${ty}" stroke="${COLORS.grid}"/>`);
    parts.push(
      `<text x="${LEFT - 6}" y="${px(y(tick) + 4)}" text-anchor="end" fill="${COLORS.axis}">${tick}%</text>`,
    );
  }
  const bottom = TOP + PLOT_H;
  trend.dates.forEach((date, i) => {
    if (i % 2 === (trend.dates.length - 1) % 2) {
      parts.push(
        `<text x="${px(x(date))}" y="${bottom + 16}" text-anchor="middle" fill="${COLORS.axis}">${escapeXml(date.slice(5))}</text>`,
      );
    }
  });
  parts.push(
    `<text x="${px(LEFT + PLOT_W / 2)}" y="${bottom + 32}" text-anchor="middle" fill="${COLORS.axis}">report date (MM-DD, UTC)</text>`,
  );
  parts.push(`<text x="8" y="${bottom + 50}" fill="${COLORS.axis}">Q3 abnormal cohorts:</text>`);
  for (const p of trend.points) {
    parts.push(
      `<text x="${px(x(p.reportDate))}" y="${bottom + 50}" text-anchor="middle" fill="${p.q3Abnormal.length > 0 ? COLORS.highlight : COLORS.axis}">${p.q3Abnormal.length}</text>`,
    );
  }
  for (const series of SERIES) {
    // A date without a report or value breaks the line rather than bridging it.
    let run: string[] = [];
    const flush = () => {
      if (run.length > 1)
        parts.push(
          `<polyline points="${run.join(' ')}" fill="none" stroke="${series.color}" stroke-width="2"/>`,
        );
      run = [];
    };
    const byDate = new Map(trend.points.map((p) => [p.reportDate, series.value(p)]));
    for (const date of trend.dates) {
      const value = byDate.get(date) ?? null;
      if (value === null) {
        flush();
        continue;
      }
      run.push(`${px(x(date))},${px(y(value))}`);
      parts.push(`<circle cx="${px(x(date))}" cy="${px(y(value))}" r="3" fill="${series.color}"/>`);
    }
    flush();
  }
  if (trend.points.length === 0) {
    parts.push(
      `<text x="${px(LEFT + PLOT_W / 2)}" y="${px(TOP + PLOT_H / 2)}" text-anchor="middle" fill="${COLORS.axis}">no report in this window</text>`,
    );
  }
  parts.push(
    ...legend(
      SERIES.map((s) => ({ kind: 'line', color: s.color, label: s.label })),
      8,
      HEIGHT - 10,
    ),
  );
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
