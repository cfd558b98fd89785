/** Date arithmetic on UTC epoch milliseconds; the generator never reads the clock. */

export const SECOND_MS = 1000;
export const HOUR_MS = 3600 * SECOND_MS;
export const DAY_MS = 24 * HOUR_MS;

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Parses `YYYY-MM-DD` as midnight UTC; returns null for malformed or impossible dates. */
export function parseDate(text: string): number | null {
  const m = DATE_RE.exec(text);
  if (!m) return null;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return formatDate(ms) === text ? ms : null;
}

export function formatDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export function addDays(date: string, days: number): string {
  const ms = parseDate(date);
  if (ms === null) throw new RangeError(`invalid date: ${date}`);
  return formatDate(ms + days * DAY_MS);
}

/** `2025-09-09` -> `250909`, used in ids so that ids of different days never collide. */
export function compactDate(date: string): string {
  return date.slice(2).replaceAll('-', '');
}

/** ISO 8601 with seconds and `Z`, or with the given offset in minutes (e.g. +120 -> `+02:00`). */
export function formatTimestamp(ms: number, offsetMinutes = 0): string {
  const local = new Date(ms + offsetMinutes * 60_000).toISOString().slice(0, 19);
  if (offsetMinutes === 0) return `${local}Z`;
  const sign = offsetMinutes > 0 ? '+' : '-';
  const abs = Math.abs(offsetMinutes);
  const hh = String(Math.floor(abs / 60)).padStart(2, '0');
  const mm = String(abs % 60).padStart(2, '0');
  return `${local}${sign}${hh}:${mm}`;
}
