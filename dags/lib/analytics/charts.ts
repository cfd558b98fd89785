/**
 * Small horizontal bar charts as standalone SVG documents. GitHub strips inline <svg> and
 * data: URIs from rendered Markdown, so the report links to these as separate files.
 */
import type { Report } from './report.js';

export const CHART_FILES = { q2: 'q2-retention.svg', q3: 'q3-dropoff.svg' } as const;

interface Bar {
  readonly label: string;
  readonly value: number;
  readonly whisker?: readonly [number, number];
  readonly note: string;
  readonly highlight: boolean;
}

const WIDTH = 640;
const LABEL_W = 130;
const NOTE_W = 150;
const ROW_H = 22;
const TOP = 46;
const PLOT_W = WIDTH - LABEL_W - NOTE_W;

function escapeXml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;');
}

/** Fixed decimals keep the SVG bytes stable and small. */
const px = (v: number): string => v.toFixed(1);

function barChart(title: string, bars: readonly Bar[], reference?: { value: number; label: string }): string {
  const height = TOP + bars.length * ROW_H + 28;
  const x = (v: number): number => LABEL_W + Math.max(0, Math.min(1, v)) * PLOT_W;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${WIDTH}" height="${height}" fill="#ffffff"/>`,
    `<text x="8" y="20" font-size="14" font-weight="bold">${escapeXml(title)}</text>`,
  ];
  for (const tick of [0, 0.25, 0.5, 0.75, 1]) {
    const tx = px(x(tick));
    const bottom = TOP + bars.length * ROW_H;
    parts.push(`<line x1="${tx}" y1="${TOP - 4}" x2="${tx}" y2="${bottom}" stroke="#e5e5e5"/>`);
    parts.push(`<text x="${tx}" y="${bottom + 16}" text-anchor="middle" fill="#666">${tick * 100}%</text>`);
  }
  bars.forEach((bar, i) => {
    const y = TOP + i * ROW_H;
    const fill = bar.highlight ? '#d9480f' : '#4c6ef5';
    parts.push(`<text x="${LABEL_W - 6}" y="${y + 15}" text-anchor="end">${escapeXml(bar.label)}</text>`);
    parts.push(
      `<rect x="${LABEL_W}" y="${y + 4}" width="${px(x(bar.value) - LABEL_W)}" height="${ROW_H - 8}" fill="${fill}"/>`,
    );
    if (bar.whisker) {
      const [lo, hi] = bar.whisker.map((v) => px(x(v)));
      const mid = px(y + ROW_H / 2);
      parts.push(`<line x1="${lo}" y1="${mid}" x2="${hi}" y2="${mid}" stroke="#222"/>`);
      parts.push(`<line x1="${lo}" y1="${y + 6}" x2="${lo}" y2="${y + ROW_H - 6}" stroke="#222"/>`);
      parts.push(`<line x1="${hi}" y1="${y + 6}" x2="${hi}" y2="${y + ROW_H - 6}" stroke="#222"/>`);
    }
    parts.push(`<text x="${LABEL_W + PLOT_W + 8}" y="${y + 15}">${escapeXml(bar.note)}</text>`);
  });
  if (reference) {
    const rx = px(x(reference.value));
    parts.push(
      `<line x1="${rx}" y1="${TOP - 4}" x2="${rx}" y2="${TOP + bars.length * ROW_H}" stroke="#222" stroke-dasharray="4 3"/>`,
    );
    parts.push(
      `<text x="${rx}" y="${TOP - 8}" text-anchor="middle" fill="#222">${escapeXml(reference.label)}</text>`,
    );
  }
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}

const pct = (v: number): string => `${(v * 100).toFixed(1)}%`;

/** Q2: retention rate per first-session genre with its Wilson 95% interval; the top genre highlighted. */
export function renderRetentionChart(report: Report): string {
  return barChart(
    `Q2 · 2nd session within ${report.q2.windowHours} h, by first-session genre (${report.reportDate})`,
    report.q2.genres.map((g) => ({
      label: g.genre,
      value: g.rate,
      whisker: g.ci95,
      note: `${pct(g.rate)} (${g.retained}/${g.users})`,
      highlight: g.genre === report.q2.top,
    })),
  );
}

/** Q3: drop-off rate per device cohort; abnormal cohorts highlighted, overall rate dashed. */
export function renderDropOffChart(report: Report): string {
  const sessions = report.q3.cohorts.reduce((sum, c) => sum + c.sessions, 0);
  const dropOffs = report.q3.cohorts.reduce((sum, c) => sum + c.dropOffs, 0);
  return barChart(
    `Q3 · session drop-off (< 10 s) by device OS + app version (${report.reportDate})`,
    report.q3.cohorts.map((c) => ({
      label: `${c.deviceOs} ${c.appVersion}`,
      value: c.rate,
      note: `${pct(c.rate)} of ${c.sessions}, z ${c.z.toFixed(1)}`,
      highlight: c.abnormal,
    })),
    sessions === 0 ? undefined : { value: dropOffs / sessions, label: `all ${pct(dropOffs / sessions)}` },
  );
}

/** File name -> SVG text, to be written next to the Markdown report. */
export function renderCharts(report: Report): Record<string, string> {
  return { [CHART_FILES.q2]: renderRetentionChart(report), [CHART_FILES.q3]: renderDropOffChart(report) };
}
