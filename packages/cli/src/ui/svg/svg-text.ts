import { escapeHtml } from '../html.js';

/** Text for SVG content and attributes (the same escaping as HTML). */
export const esc = escapeHtml;

/** A rough text width for the sans-serif 12-13 px labels the renderers use (no font metrics server-side). */
export function textWidth(text: string, px = 12.5): number {
  return Math.ceil(text.length * px * 0.58);
}

export const round = (n: number): number => Math.round(n * 10) / 10;
