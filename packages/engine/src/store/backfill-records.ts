import type { ParamValue } from '../model/params.js';

/**
 * A backfill the scheduler executes: `running` creates runs for its dates, `paused` creates none (its runs
 * already queued wait), `cancelled` creates none and its queued runs are failed, `done` once every date has
 * a finished run.
 */
export type BackfillState = 'running' | 'paused' | 'cancelled' | 'done';

/** What a backfill does with one date (decided when it is created; see `planBackfill`). */
export type BackfillAction = 'run' | 'rerun' | 'resume' | 'skip';

export type BackfillReprocess = 'none' | 'failed' | 'all';

export interface BackfillRecord {
  /** 1, 2, 3… per state database. */
  readonly id: number;
  readonly dagId: string;
  /** First and last logical date (ISO instants), inclusive. */
  readonly startDate: string;
  readonly endDate: string;
  readonly reprocess: BackfillReprocess;
  readonly backwards: boolean;
  /** Runs of this backfill queued or running at the same time. */
  readonly maxActiveRuns: number;
  /** Params of the runs it creates (never secret values). */
  readonly params: Readonly<Record<string, ParamValue>>;
  readonly state: BackfillState;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** When it became `done`, or when a cancelled one had no run left queued or running. */
  readonly completedAt: string | null;
}

export type NewBackfill = Omit<BackfillRecord, 'id' | 'state' | 'updatedAt' | 'completedAt'>;

export interface BackfillDateRecord {
  readonly backfillId: number;
  readonly logicalDate: string;
  /** Position in the order dates are started (newest first with `backwards`). */
  readonly ordinal: number;
  readonly action: BackfillAction;
  /** The run of that date: the existing one at creation, or the one created when the date was claimed. */
  readonly runId: string | null;
  /** When a scheduler took the date (created, re-queued or adopted its run); null while it waits. */
  readonly claimedAt: string | null;
}

export type NewBackfillDate = Pick<BackfillDateRecord, 'logicalDate' | 'action' | 'runId'>;

/** The backfill records: created by `dag backfill --queue`, advanced by the scheduler. */
export interface BackfillStore {
  /** Creates the backfill and its dates (ordinals in the given order) in one transaction; state `running`. */
  createBackfill(backfill: NewBackfill, dates: readonly NewBackfillDate[]): Promise<BackfillRecord>;
  getBackfill(id: number): Promise<BackfillRecord | undefined>;
  /** Backfills of one DAG (or all), newest first. */
  listBackfills(dagId?: string): Promise<BackfillRecord[]>;
  listBackfillDates(id: number): Promise<BackfillDateRecord[]>;
  /**
   * Moves the backfill to `state` when its current state is one of `from` (compare and set); returns the
   * updated record, or undefined when it was in another state (or does not exist). `completedAt` is set
   * when given, kept otherwise.
   */
  setBackfillState(
    id: number,
    state: BackfillState,
    at: string,
    from: readonly BackfillState[],
    completedAt?: string,
  ): Promise<BackfillRecord | undefined>;
  /** Takes a waiting date for one scheduler: true when it was unclaimed (it is now), false otherwise. */
  claimBackfillDate(id: number, logicalDate: string, runId: string, at: string): Promise<boolean>;
}
