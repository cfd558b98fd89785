import { InvalidInputError } from '../model/errors.js';

const DAY_MS = 86_400_000;
const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})$/;

/**
 * Parses a logical date given by a user: `YYYY-MM-DD` (midnight UTC) or an ISO 8601 date-time with `Z` or an
 * offset. A date that is not on the calendar (2025-02-30) is rejected, not rolled over.
 */
export function parseLogicalDate(text: string, what = 'date'): Date {
  const trimmed = String(text).trim();
  const d = DATE_ONLY.exec(trimmed);
  const dt = d ? null : DATE_TIME.exec(trimmed);
  const parts = d ?? dt;
  if (!parts) {
    throw new InvalidInputError(
      `invalid ${what} ${JSON.stringify(text)}: expected YYYY-MM-DD (e.g. 2025-09-09) or an ISO 8601 date-time with Z or an offset`,
    );
  }
  const [, y, m, day] = parts;
  const year = Number(y);
  const month = Number(m);
  const dd = Number(day);
  const probe = new Date(Date.UTC(year, month - 1, dd));
  if (probe.getUTCFullYear() !== year || probe.getUTCMonth() !== month - 1 || probe.getUTCDate() !== dd) {
    throw new InvalidInputError(`invalid ${what} ${JSON.stringify(text)}: not a real calendar date`);
  }
  if (d) return probe;
  const parsed = new Date(trimmed.replace(' ', 'T'));
  if (Number.isNaN(parsed.getTime())) {
    throw new InvalidInputError(`invalid ${what} ${JSON.stringify(text)}: not a valid date-time`);
  }
  return parsed;
}

/** `YYYY-MM-DD` of a date in UTC. */
export function toDs(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** Short, path-safe label of a logical date: `2025-09-09` at midnight UTC, else `2025-09-09T130000Z`. */
export function logicalDateLabel(date: Date): string {
  const iso = date.toISOString();
  if (iso.endsWith('T00:00:00.000Z')) return iso.slice(0, 10);
  return `${iso.slice(0, 19).replace(/:/g, '')}Z`;
}

export function addDays(date: Date, days: number): Date {
  return new Date(date.getTime() + days * DAY_MS);
}

export { DAY_MS };
