import type {
  AssetEventRecord,
  DagRunRecord,
  LeaseClaim,
  LeaseInfo,
  LeaseResult,
  NewRun,
  RunFilter,
  StateChange,
  TaskInstanceRecord,
  TryRecord,
} from './records.js';

/**
 * Durable state of runs, task instances, tries and asset events. No driver types cross this interface, so
 * an in-memory, a SQLite and later a PostgreSQL store pass one contract suite. Only the scheduler writes.
 */
export interface RunStore {
  /** Creates the run and its task instances (state `none`) unless a run exists for that logical date. */
  ensureRun(run: NewRun, taskIds: readonly string[]): Promise<{ run: DagRunRecord; created: boolean }>;
  getRun(dagId: string, runId: string): Promise<DagRunRecord | undefined>;
  findRunByLogicalDate(dagId: string, logicalDate: string): Promise<DagRunRecord | undefined>;
  /** Runs of one DAG (or all DAGs when dagId is undefined), newest logical date first. */
  listRuns(dagId: string | undefined, filter?: RunFilter): Promise<DagRunRecord[]>;
  listTaskInstances(dagId: string, runId: string): Promise<TaskInstanceRecord[]>;
  /** Tries of a run (of one task when taskId is given), ordered by task then try number. */
  listTries(dagId: string, runId: string, taskId?: string): Promise<TryRecord[]>;
  /**
   * Takes the run's lease when it is free, expired, already ours, or `canTakeOver(holder)` says the holder
   * is gone. Atomic: two callers never both acquire.
   */
  acquireLease(
    dagId: string,
    runId: string,
    claim: LeaseClaim,
    canTakeOver: (holder: LeaseInfo) => boolean,
  ): Promise<LeaseResult>;
  /** Extends our lease; false when we no longer hold it. */
  renewLease(dagId: string, runId: string, owner: string, now: string, expiresAt: string): Promise<boolean>;
  releaseLease(dagId: string, runId: string, owner: string): Promise<void>;
  /** Applies the changes in one transaction, in order. */
  apply(changes: readonly StateChange[]): Promise<void>;
  listAssetEvents(asset: string, logicalDate: string): Promise<AssetEventRecord[]>;
  close(): Promise<void>;
}
