/**
 * Shared pieces of the report's standalone SVG charts. Every chart is an accessible image (role
 * "img" with <title> and <desc>), and is a pure function of its input with fixed decimals, so the
 * same report gives the same bytes.
 */

export function escapeXml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;');
}

/** Fixed decimals keep the SVG bytes stable and small. */
export const px = (v: number): string => v.toFixed(1);

/**
 * An axis from 0 in about four steps of 1, 2 or 5 × 10^k (at least `minStep`) that covers `max`;
 * 0..1 when max ≤ 0.
 */
export function niceAxis(max: number, minStep = 0): { max: number; ticks: number[] } {
  if (!(max > 0)) return { max: 1, ticks: [0, 1] };
  const raw = Math.max(max / 4, minStep);
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw)!;
  const top = Math.ceil(max / step) * step;
  const ticks: number[] = [];
  // Rounded to the step's decimals, so 0.1 + 0.2 prints as 0.3.
  const decimals = Math.max(0, -Math.floor(Math.log10(step)));
  for (let i = 0; i * step <= top + step / 2; i += 1) ticks.push(Number((i * step).toFixed(decimals)));
  return { max: top, ticks };
}

export const COLORS = {
  bar: '#4c6ef5',
  highlight: '#d9480f',
  muted: '#adb5bd',
  ink: '#222',
  grid: '#e5e5e5',
  axis: '#666',
} as const;

export interface LegendEntry {
  readonly label: string;
  readonly color: string;
  /** A filled box (bars), a dashed line (reference), a line with end ticks (interval), a line with a dot. */
  readonly kind: 'box' | 'dash' | 'whisker' | 'line';
}

/** The document's opening: root element, title, desc and background. Close with `</svg>`. */
export function svgOpen(width: number, height: number, title: string, desc: string): string[] {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-labelledby="chart-title chart-desc" font-family="sans-serif" font-size="12">`,
    `<title id="chart-title">${escapeXml(title)}</title>`,
    `<desc id="chart-desc">${escapeXml(desc)}</desc>`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="8" y="20" font-size="14" font-weight="bold">${escapeXml(title)}</text>`,
  ];
}

/** One legend row starting at (x, y); returns its elements. */
export function legend(entries: readonly LegendEntry[], x: number, y: number): string[] {
  const parts: string[] = [];
  let at = x;
  for (const e of entries) {
    const mid = px(y - 4);
    if (e.kind === 'box') {
      parts.push(`<rect x="${px(at)}" y="${px(y - 9)}" width="12" height="10" fill="${e.color}"/>`);
    } else if (e.kind === 'dash') {
      parts.push(
        `<line x1="${px(at)}" y1="${mid}" x2="${px(at + 14)}" y2="${mid}" stroke="${e.color}" stroke-dasharray="4 3"/>`,
      );
    } else if (e.kind === 'whisker') {
      parts.push(`<line x1="${px(at)}" y1="${mid}" x2="${px(at + 14)}" y2="${mid}" stroke="${e.color}"/>`);
      parts.push(`<line x1="${px(at)}" y1="${px(y - 8)}" x2="${px(at)}" y2="${px(y)}" stroke="${e.color}"/>`);
      parts.push(
        `<line x1="${px(at + 14)}" y1="${px(y - 8)}" x2="${px(at + 14)}" y2="${px(y)}" stroke="${e.color}"/>`,
      );
    } else {
      parts.push(
        `<line x1="${px(at)}" y1="${mid}" x2="${px(at + 14)}" y2="${mid}" stroke="${e.color}" stroke-width="2"/>`,
      );
      parts.push(`<circle cx="${px(at + 7)}" cy="${mid}" r="3" fill="${e.color}"/>`);
    }
    parts.push(`<text x="${px(at + 18)}" y="${px(y)}">${escapeXml(e.label)}</text>`);
    // Width is estimated (no font metrics in a pure function): ~7 px per character at 12 px.
    at += 18 + e.label.length * 7 + 14;
  }
  return parts;
}
