import { addDays } from '../time/dates.js';
import { DagDefinitionError } from './errors.js';

/**
 * Which partitions (logical dates of an asset's events) the run of an asset-scheduled DAG for date D reads,
 * in days relative to D: `{ from: 0, to: 4 }` is D … D+4, `{ from: -6, to: 0 }` the week up to D, and
 * `{ from: null, to: 4 }` every partition up to D+4 (a table whose latest row per key is read). The window
 * always holds D itself: the run for D is created once every asset has its partition D.
 */
export interface PartitionWindow {
  /** First day of the window relative to D (≤ 0), or `null` for every earlier partition. */
  readonly from: number | null;
  /** Last day of the window relative to D (≥ 0). */
  readonly to: number;
}

/** The window of an asset without one: the partition of the same date only. */
export const SAME_DATE: PartitionWindow = { from: 0, to: 0 };

/** Logical dates (ISO) bounding an asset's window for the consumer date `date`; `from` null when unbounded. */
export interface DateRange {
  readonly from: string | null;
  readonly to: string | null;
}

export function checkPartitionWindow(dagId: string, asset: string, window: PartitionWindow): PartitionWindow {
  const { from, to } = window;
  const where = `DAG '${dagId}': the partition window of ${asset}`;
  if (from !== null && (!Number.isInteger(from) || from > 0)) {
    throw new DagDefinitionError(
      `${where} needs 'from' as a whole number of days ≤ 0 (or null), got ${from}`,
    );
  }
  if (!Number.isInteger(to) || to < 0) {
    throw new DagDefinitionError(`${where} needs 'to' as a whole number of days ≥ 0, got ${to}`);
  }
  return { from, to };
}

/** The logical dates the run for `date` reads from an asset with this window. */
export function partitionsOf(date: Date, window: PartitionWindow): DateRange {
  return {
    from: window.from === null ? null : addDays(date, window.from).toISOString(),
    to: addDays(date, window.to).toISOString(),
  };
}

/** The consumer dates whose window holds a partition of `eventDate` (`to` null when unbounded). */
export function consumersOf(eventDate: Date, window: PartitionWindow): DateRange {
  return {
    from: addDays(eventDate, -window.to).toISOString(),
    to: window.from === null ? null : addDays(eventDate, -window.from).toISOString(),
  };
}

/** A window in words for listings: `D..D+4`, `≤D+4` (every earlier partition), `D-6..D`. */
export function describeWindow(window: PartitionWindow): string {
  const at = (n: number): string => (n === 0 ? 'D' : n > 0 ? `D+${n}` : `D${n}`);
  if (window.from === 0 && window.to === 0) return 'D';
  return window.from === null ? `≤${at(window.to)}` : `${at(window.from)}..${at(window.to)}`;
}
