import {
  assertScheduledLogicalDate,
  type Dag,
  InvalidInputError,
  logicalDateLabel,
  parseLogicalDate,
} from '@streampro/engine';
import { UsageError } from '../errors.js';

/** Validates a `--date`-like flag and returns its label (`YYYY-MM-DD` at midnight UTC). */
export function parseDateFlag(flag: string, text: string | undefined): Date {
  if (text === undefined || text === '')
    throw new UsageError(`--${flag} is required, e.g. --${flag} 2025-09-09`);
  try {
    return parseLogicalDate(text, `--${flag}`);
  } catch (error) {
    if (error instanceof InvalidInputError) throw new UsageError(error.message);
    throw error;
  }
}

/**
 * Checks a parsed `--date` against the DAG's schedule (a scheduled instant, not before the start date), so
 * a misaligned date is a usage error naming the nearest scheduled dates rather than a second run of the same
 * partition or a "no run found".
 */
export function checkScheduledDate(dag: Dag, flag: string, date: Date, text: string): void {
  try {
    assertScheduledLogicalDate(dag, date, { what: `--${flag}`, text });
  } catch (error) {
    if (error instanceof InvalidInputError) throw new UsageError(error.message);
    throw error;
  }
}

/** Validates `--start`/`--end`: both real dates, end not before start. */
export function parseDateRange(
  start: string | undefined,
  end: string | undefined,
): { start: Date; end: Date } {
  const s = parseDateFlag('start', start);
  const e = parseDateFlag('end', end);
  if (e.getTime() < s.getTime()) {
    throw new UsageError(
      `--end ${logicalDateLabel(e)} is before --start ${logicalDateLabel(s)}; swap them (use --backwards to run newest first)`,
    );
  }
  return { start: s, end: e };
}

/** `2025-09-09` for midnight UTC, else the full ISO string. */
export function dateLabel(iso: string | null | undefined): string | null {
  if (iso === null || iso === undefined) return null;
  return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso;
}
