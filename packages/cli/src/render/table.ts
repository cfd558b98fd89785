import { stripVTControlCharacters } from 'node:util';
import Table from 'cli-table3';

/**
 * A plain table. Borders are kept light and colours off in the table itself so output pasted into an issue
 * or piped to a file reads the same.
 */
export function renderTable(
  head: readonly string[],
  rows: readonly (readonly string[])[],
  maxWidth?: number,
): string {
  const widths = fitColumns(head, rows, maxWidth);
  const table = new Table({
    head: [...head],
    style: { head: [], border: [], compact: true },
    ...(widths ? { colWidths: widths } : {}),
  });
  // Narrowed columns hold long plain text (ids, paths): it is cut into lines here, never coloured cells.
  for (const row of rows)
    table.push(widths ? row.map((cell, i) => hardWrap(cell, widths[i]! - 2)) : [...row]);
  return table.toString();
}

function hardWrap(text: string, width: number): string {
  if (visible(text) <= width) return text;
  const lines: string[] = [];
  for (const line of text.split('\n')) {
    for (let at = 0; at < line.length; at += width) lines.push(line.slice(at, at + width));
  }
  return lines.join('\n');
}

/** Visible width of a cell's widest line (colour codes left out). */
const visible = (text: string): number =>
  Math.max(0, ...text.split('\n').map((l) => stripVTControlCharacters(l).length));

/** Natural width of a table of these cells (one space of padding each side, one column per border). */
export function tableWidth(head: readonly string[], rows: readonly (readonly string[])[]): number {
  return naturalWidths(head, rows).reduce((a, b) => a + b, 0) + head.length + 1;
}

function naturalWidths(head: readonly string[], rows: readonly (readonly string[])[]): number[] {
  return head.map((h, i) => Math.max(visible(h), ...rows.map((r) => visible(r[i] ?? ''))) + 2);
}

/** Columns at most this wide (states, counts, durations) keep their width: only long text wraps. */
const SHORT_COLUMN = 12;

/**
 * Column widths that fit `maxWidth` (a terminal's columns) when the natural table is wider: the long text
 * columns share what the short ones leave, in proportion to their natural width, each at least 8, and
 * their cells are cut into lines. Undefined when the table fits.
 */
function fitColumns(
  head: readonly string[],
  rows: readonly (readonly string[])[],
  maxWidth: number | undefined,
): number[] | undefined {
  if (!maxWidth || tableWidth(head, rows) <= maxWidth) return undefined;
  const widths = naturalWidths(head, rows);
  const long = widths.map((w, i) => (w > SHORT_COLUMN ? i : -1)).filter((i) => i >= 0);
  if (long.length === 0) return undefined;
  const fixed = widths.reduce((sum, w, i) => (long.includes(i) ? sum : sum + w), 0) + head.length + 1;
  const room = Math.max(8 * long.length, maxWidth - fixed);
  const natural = long.reduce((sum, i) => sum + widths[i]!, 0);
  for (const i of long) widths[i] = Math.max(8, Math.floor((room * widths[i]!) / natural));
  return widths;
}

/** `850 ms`, `12.3 s`, `4m 05s`, `1h 02m`; `-` when unknown. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '-';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}
