import type { TaskInstanceKey } from '../logging/logger.js';
import type { BackfillStore } from './backfill-records.js';
import type { PoolStore } from './pool-records.js';
import type {
  AssetEventRecord,
  DagRunRecord,
  DagStateRecord,
  Fence,
  LeaseClaim,
  LeaseInfo,
  LeaseResult,
  NewRun,
  RunFilter,
  SchedulerRecord,
  StateChange,
  TaskGridQuery,
  TaskGridRun,
  TaskInstanceRecord,
  TryRecord,
} from './records.js';

/**
 * Durable state of runs, task instances, tries and asset events. No driver types cross this interface, so
 * an in-memory, a SQLite and a PostgreSQL store pass one contract suite. Only the state writer writes.
 */
export interface RunStore extends BackfillStore, PoolStore {
  /** Creates the run and its task instances (state `none`) unless a run exists for that logical date. */
  ensureRun(run: NewRun, taskIds: readonly string[]): Promise<{ run: DagRunRecord; created: boolean }>;
  getRun(dagId: string, runId: string): Promise<DagRunRecord | undefined>;
  findRunByLogicalDate(dagId: string, logicalDate: string): Promise<DagRunRecord | undefined>;
  /** Runs of one DAG (or all DAGs when dagId is undefined), newest logical date first. */
  listRuns(dagId: string | undefined, filter?: RunFilter): Promise<DagRunRecord[]>;
  listTaskInstances(dagId: string, runId: string): Promise<TaskInstanceRecord[]>;
  /**
   * Runs of one DAG with their task instances in one query (a grid of runs × tasks, as a UI shows it):
   * newest logical date first, within `[from, to)`, at most `limit` runs.
   */
  listTaskGrid(dagId: string, query?: TaskGridQuery): Promise<TaskGridRun[]>;
  /** Tries of a run (of one task when taskId is given), ordered by task then try number. */
  listTries(dagId: string, runId: string, taskId?: string): Promise<TryRecord[]>;
  /**
   * Takes the run's lease when it is free, expired, already ours, or `canTakeOver(holder)` says the holder
   * is gone. Atomic: two callers never both acquire. Each acquisition gets the run's next epoch (also a
   * re-acquisition by the same owner); the epoch survives a release, so it never repeats for a run.
   */
  acquireLease(
    dagId: string,
    runId: string,
    claim: LeaseClaim,
    canTakeOver: (holder: LeaseInfo) => boolean,
  ): Promise<LeaseResult>;
  /**
   * Extends the lease of `fence`; false when it is no longer held by that owner at that epoch (released, or
   * acquired since). An expired lease nobody took over is still ours and is renewed.
   */
  renewLease(fence: Fence, now: string, expiresAt: string): Promise<boolean>;
  /** Releases the lease when it is held by the fence's owner at its epoch; does nothing otherwise. */
  releaseLease(fence: Fence): Promise<void>;
  /**
   * Applies the changes in one transaction, in order. With a fence, the same transaction first checks that
   * the fenced run's lease is still held by `fence.owner` at `fence.epoch` (expired but not taken over counts
   * as held); if not it writes nothing and throws `LeaseLostError` naming the current holder. A fenced batch
   * may change only the fenced run (a fence guards one run). An empty batch writes nothing and checks nothing.
   */
  apply(changes: readonly StateChange[], fence?: Fence): Promise<void>;
  listAssetEvents(asset: string, logicalDate: string): Promise<AssetEventRecord[]>;
  /**
   * Events of one asset whose logical date (an ISO instant) is in [from, to], both inclusive; `from` null
   * for no lower bound. Ordered by logical date, then as recorded.
   */
  listAssetEventsBetween(asset: string, from: string | null, to: string): Promise<AssetEventRecord[]>;
  /** Asset events of every asset recorded at or after `since` (an ISO instant), oldest first. */
  listAssetEventsSince(since: string): Promise<AssetEventRecord[]>;
  /**
   * Stores a piece of a try's log written on another machine (whole lines, UTF-8), at its byte offset in
   * the worker's file. Idempotent: a piece already stored at that offset is kept.
   */
  appendTryLog(key: TaskInstanceKey, offset: number, text: string): Promise<void>;
  /**
   * The shipped log of a try from byte `from` on (pieces in offset order) and the offset after it;
   * undefined when no piece of that try was ever shipped (its log is a local file).
   */
  readTryLog(key: TaskInstanceKey, from?: number): Promise<{ text: string; end: number } | undefined>;
  /** The stored state of a DAG; when there is none yet, records `{ paused }` first (a DAG seen the first time). */
  ensureDagState(dagId: string, paused: boolean, at: string): Promise<DagStateRecord>;
  /** Pauses or unpauses a DAG (creating its state when there is none). */
  setDagPaused(dagId: string, paused: boolean, at: string): Promise<DagStateRecord>;
  /** Stored states of every DAG, by DAG id. */
  listDagStates(): Promise<DagStateRecord[]>;
  /** Creates or replaces the row of `record.schedulerId`. */
  heartbeatScheduler(record: SchedulerRecord): Promise<void>;
  /** Every scheduler that ever ran on this state, newest start first. */
  listSchedulers(): Promise<SchedulerRecord[]>;
  /**
   * The `perDag` newest runs of every DAG in one query (a DAG list's "last runs" squares): by DAG id in
   * code-unit order, newest logical date first within a DAG.
   */
  listLatestRuns(perDag: number): Promise<DagRunRecord[]>;
  close(): Promise<void>;
}
