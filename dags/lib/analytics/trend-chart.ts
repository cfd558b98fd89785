/**
 * The trend of Q1–Q3 as a standalone SVG: Q2's top-genre rate (0–100 %) and Q1's percentage (its
 * own scale, it is usually a few percent) as two line panels over the same dates, and Q3's number
 * of abnormal cohorts per date in a row below them.
 */
import { COLORS, escapeXml, legend, niceAxis, px, svgOpen } from './svg.js';
import type { Trend, TrendPoint } from './trend.js';

const WIDTH = 640;
const LEFT = 56;
const RIGHT = 16;
const PLOT_W = WIDTH - LEFT - RIGHT;
const PANEL_H = 100;
const Q2_TOP = 52;
const Q1_TOP = Q2_TOP + PANEL_H + 40;
const AXIS_Y = Q1_TOP + PANEL_H;
const Q3_Y = AXIS_Y + 66;
const HEIGHT = Q3_Y + 40;

interface Panel {
  readonly top: number;
  readonly title: string;
  readonly color: string;
  readonly axis: { readonly max: number; readonly ticks: readonly number[] };
  readonly value: (p: TrendPoint) => number | null;
}

const fmt = (v: number | null, digits = 1): string => (v === null ? 'n/a' : `${v.toFixed(digits)}%`);

function describe(trend: Trend): string {
  return (
    `Q2's top-genre retention and Q1's share of new users reaching 30 s, in percent, and Q3's number of ` +
    `abnormal cohorts, for the ${trend.points.length} of ${trend.dates.length} report dates with a report ` +
    `(as last written)${trend.points.length === 0 ? '.' : ': '}` +
    trend.points
      .map(
        (p) =>
          `${p.reportDate} Q1 ${fmt(p.q1Pct)}, Q2 ${p.q2Top ?? 'none'}` +
          `${p.q2TopRate === null ? '' : ` ${fmt(p.q2TopRate * 100)}`}, ` +
          `Q3 ${p.q3Abnormal.length === 0 ? 'none' : p.q3Abnormal.join(' + ')}`,
      )
      .join('; ') +
    (trend.points.length === 0 ? '' : '.')
  );
}

export function renderTrendChart(trend: Trend): string {
  const first = trend.dates[0] ?? '';
  const last = trend.dates[trend.dates.length - 1] ?? '';
  const slot = PLOT_W / Math.max(1, trend.dates.length);
  const x = (date: string): number => LEFT + (trend.dates.indexOf(date) + 0.5) * slot;
  const q1Max = Math.max(0, ...trend.points.map((p) => p.q1Pct ?? 0));
  const panels: Panel[] = [
    {
      top: Q2_TOP,
      title: 'Q2 top genre, retained within 72 h (% of its users)',
      color: COLORS.highlight,
      axis: { max: 100, ticks: [0, 50, 100] },
      value: (p) => (p.q2TopRate === null ? null : p.q2TopRate * 100),
    },
    {
      top: Q1_TOP,
      title: 'Q1 new users reaching 30 s in their first session (%)',
      color: COLORS.bar,
      axis: niceAxis(q1Max),
      value: (p) => p.q1Pct,
    },
  ];
  const parts = svgOpen(
    WIDTH,
    HEIGHT,
    `Trend · Q1–Q3 over report dates ${first} to ${last}`,
    describe(trend),
  );
  for (const panel of panels) {
    const y = (v: number): number =>
      panel.top + PANEL_H - (Math.max(0, Math.min(panel.axis.max, v)) / panel.axis.max) * PANEL_H;
    parts.push(
      `<text x="${LEFT}" y="${panel.top - 10}" fill="${panel.color}" font-weight="bold">${escapeXml(panel.title)}</text>`,
    );
    for (const tick of panel.axis.ticks) {
      parts.push(
        `<line x1="${LEFT}" y1="${px(y(tick))}" x2="${WIDTH - RIGHT}" y2="${px(y(tick))}" stroke="${COLORS.grid}"/>`,
      );
      parts.push(
        `<text x="${LEFT - 6}" y="${px(y(tick) + 4)}" text-anchor="end" fill="${COLORS.axis}">${tick}%</text>`,
      );
    }
    // A date without a report or value breaks the line rather than bridging it.
    const byDate = new Map(trend.points.map((p) => [p.reportDate, panel.value(p)]));
    const runs: string[][] = [[]];
    for (const date of trend.dates) {
      const value = byDate.get(date) ?? null;
      if (value === null) runs.push([]);
      else runs[runs.length - 1]!.push(`${px(x(date))},${px(y(value))}`);
    }
    for (const run of runs.filter((r) => r.length > 1)) {
      parts.push(
        `<polyline points="${run.join(' ')}" fill="none" stroke="${panel.color}" stroke-width="2"/>`,
      );
    }
    for (const point of runs.flat()) {
      const [cx, cy] = point.split(',');
      parts.push(`<circle cx="${cx}" cy="${cy}" r="3" fill="${panel.color}"/>`);
    }
  }
  trend.dates.forEach((date, i) => {
    // Every other date, counted back from the report date so that D is always labelled.
    if ((trend.dates.length - 1 - i) % 2 === 0) {
      parts.push(
        `<text x="${px(x(date))}" y="${AXIS_Y + 16}" text-anchor="middle" fill="${COLORS.axis}">${escapeXml(date.slice(5))}</text>`,
      );
    }
  });
  parts.push(
    `<text x="${px(LEFT + PLOT_W / 2)}" y="${AXIS_Y + 32}" text-anchor="middle" fill="${COLORS.axis}">report date (MM-DD, UTC)</text>`,
  );
  parts.push(
    `<text x="${LEFT}" y="${Q3_Y - 18}" fill="${COLORS.ink}" font-weight="bold">Q3 abnormal cohorts (count)</text>`,
  );
  for (const p of trend.points) {
    const abnormal = p.q3Abnormal.length > 0;
    parts.push(
      `<text x="${px(x(p.reportDate))}" y="${Q3_Y}" text-anchor="middle" fill="${abnormal ? COLORS.highlight : COLORS.axis}"${abnormal ? ' font-weight="bold"' : ''}>${p.q3Abnormal.length}</text>`,
    );
  }
  if (trend.points.length === 0) {
    parts.push(
      `<text x="${px(LEFT + PLOT_W / 2)}" y="${px(Q2_TOP + PANEL_H / 2)}" text-anchor="middle" fill="${COLORS.axis}">no report in this window</text>`,
    );
  }
  parts.push(
    ...legend(
      [
        { kind: 'line', color: COLORS.highlight, label: 'Q2 top-genre rate' },
        { kind: 'line', color: COLORS.bar, label: 'Q1 reached 30 s' },
      ],
      8,
      HEIGHT - 10,
    ),
  );
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
