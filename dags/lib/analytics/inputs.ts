/**
 * The partitions the report of D reads, declared once for the DAG's schedule (which runs it again when one of
 * them lands or is re-processed) and for the staging of its inputs. Q2 needs 72 h after the last first
 * session of D and Q3 the sessions in [D, D + 4 days), so events are read from ingestion dates D … D+4; users,
 * videos and devices from every ingestion date up to D+4 (the latest row of each key wins).
 */
import type { PartitionWindow } from '@streampro/engine';
import { type PartitionsByTable, TRUSTED_TABLES, type TrustedTable } from './tables.js';

/** Days after D whose partitions the windows need. */
export const WINDOW_DAYS = 4;

export const WINDOWS: Readonly<Record<TrustedTable, PartitionWindow>> = {
  users: { from: null, to: WINDOW_DAYS },
  videos: { from: null, to: WINDOW_DAYS },
  devices: { from: null, to: WINDOW_DAYS },
  events: { from: 0, to: WINDOW_DAYS },
};

const shift = (ds: string, days: number): string =>
  new Date(Date.parse(`${ds}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

/** The ingestion-date range of one table the report of `ds` reads (`from` absent: no lower bound). */
export function inputRange(table: TrustedTable, ds: string): { from?: string; to: string } {
  const { from, to } = WINDOWS[table];
  return from === null ? { to: shift(ds, to) } : { from: shift(ds, from), to: shift(ds, to) };
}

/** The ingestion dates every table must have for the report of `ds` to be final: D … D+4. */
export function requiredDates(ds: string): string[] {
  return Array.from({ length: WINDOW_DAYS + 1 }, (_, i) => shift(ds, i));
}

/** Required dates missing from what was read, per table (empty lists when the report is final). */
export function missingPartitions(ds: string, read: PartitionsByTable): Record<TrustedTable, string[]> {
  const required = requiredDates(ds);
  return Object.fromEntries(
    TRUSTED_TABLES.map((t) => [t, required.filter((d) => !read[t].includes(d))]),
  ) as Record<TrustedTable, string[]>;
}

/** The ingestion date of a lake key (`…/ingestion_date=YYYY-MM-DD/…`), or undefined. */
export function ingestionDateOf(key: string): string | undefined {
  return /(?:^|\/)ingestion_date=(\d{4}-\d{2}-\d{2})\//.exec(key)?.[1];
}
