import type { BackfillDateRecord, BackfillRecord, BackfillState } from './backfill-records.js';

type Row = Record<string, unknown>;
/** How a driver's time column becomes the ISO string of a record (SQLite stores it, pg returns a Date). */
type Time = (v: unknown) => string;

const timeOrNull = (time: Time, v: unknown): string | null =>
  v === null || v === undefined ? null : time(v);

/** A `backfills` row as a record; `params` is the parsed object (pg parses jsonb, SQLite stores text). */
export function backfillFromRow(r: Row, time: Time, params: unknown): BackfillRecord {
  return {
    id: Number(r.id),
    dagId: r.dag_id as string,
    startDate: time(r.start_date),
    endDate: time(r.end_date),
    reprocess: r.reprocess as BackfillRecord['reprocess'],
    backwards: Boolean(r.backwards),
    maxActiveRuns: Number(r.max_active_runs),
    params: params as BackfillRecord['params'],
    state: r.state as BackfillState,
    createdAt: time(r.created_at),
    updatedAt: time(r.updated_at),
    completedAt: timeOrNull(time, r.completed_at),
  };
}

export function backfillDateFromRow(r: Row, time: Time): BackfillDateRecord {
  return {
    backfillId: Number(r.backfill_id),
    logicalDate: time(r.logical_date),
    ordinal: Number(r.ordinal),
    action: r.action as BackfillDateRecord['action'],
    runId: (r.run_id as string | null) ?? null,
    claimedAt: timeOrNull(time, r.claimed_at),
  };
}
