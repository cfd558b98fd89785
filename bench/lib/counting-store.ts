import type {
  AssetEventRecord,
  BackfillDateRecord,
  BackfillRecord,
  BackfillState,
  DagRunRecord,
  DagStateRecord,
  Fence,
  LeaseClaim,
  LeaseInfo,
  LeaseResult,
  NewBackfill,
  NewBackfillDate,
  NewRun,
  PoolClaim,
  PoolRecord,
  PoolUsage,
  RunFilter,
  RunStore,
  SchedulerRecord,
  StateChange,
  TaskGridQuery,
  TaskGridRun,
  TaskInstanceKey,
  TaskInstanceRecord,
  TryRecord,
} from '@streampro/engine';

/**
 * A RunStore that forwards to another and counts its write transactions (commits) and the changes they
 * carry, so the durable baseline can make exactly as many commits as the engine did.
 */
export class CountingStore implements RunStore {
  commits = 0;
  readonly changesByKind = new Map<StateChange['kind'], number>();

  constructor(private readonly inner: RunStore) {}

  reset(): void {
    this.commits = 0;
    this.changesByKind.clear();
  }

  async ensureRun(run: NewRun, taskIds: readonly string[]): Promise<{ run: DagRunRecord; created: boolean }> {
    this.commits++;
    return this.inner.ensureRun(run, taskIds);
  }
  getRun(dagId: string, runId: string): Promise<DagRunRecord | undefined> {
    return this.inner.getRun(dagId, runId);
  }
  findRunByLogicalDate(dagId: string, logicalDate: string): Promise<DagRunRecord | undefined> {
    return this.inner.findRunByLogicalDate(dagId, logicalDate);
  }
  listRuns(dagId: string | undefined, filter?: RunFilter): Promise<DagRunRecord[]> {
    return this.inner.listRuns(dagId, filter);
  }
  listTaskInstances(dagId: string, runId: string): Promise<TaskInstanceRecord[]> {
    return this.inner.listTaskInstances(dagId, runId);
  }
  listTaskGrid(dagId: string, query?: TaskGridQuery): Promise<TaskGridRun[]> {
    return this.inner.listTaskGrid(dagId, query);
  }
  listTries(dagId: string, runId: string, taskId?: string): Promise<TryRecord[]> {
    return this.inner.listTries(dagId, runId, taskId);
  }
  acquireLease(
    dagId: string,
    runId: string,
    claim: LeaseClaim,
    canTakeOver: (holder: LeaseInfo) => boolean,
  ): Promise<LeaseResult> {
    this.commits++;
    return this.inner.acquireLease(dagId, runId, claim, canTakeOver);
  }
  renewLease(fence: Fence, now: string, expiresAt: string): Promise<boolean> {
    this.commits++;
    return this.inner.renewLease(fence, now, expiresAt);
  }
  releaseLease(fence: Fence): Promise<void> {
    this.commits++;
    return this.inner.releaseLease(fence);
  }
  apply(changes: readonly StateChange[], fence?: Fence): Promise<void> {
    // The SQLite store returns without a transaction for an empty batch.
    if (changes.length > 0) this.commits++;
    for (const c of changes) this.changesByKind.set(c.kind, (this.changesByKind.get(c.kind) ?? 0) + 1);
    return this.inner.apply(changes, fence);
  }
  listAssetEvents(asset: string, logicalDate: string): Promise<AssetEventRecord[]> {
    return this.inner.listAssetEvents(asset, logicalDate);
  }
  listAssetEventsBetween(asset: string, from: string | null, to: string): Promise<AssetEventRecord[]> {
    return this.inner.listAssetEventsBetween(asset, from, to);
  }

  listAssetEventsSince(since: string): Promise<AssetEventRecord[]> {
    return this.inner.listAssetEventsSince(since);
  }
  createBackfill(backfill: NewBackfill, dates: readonly NewBackfillDate[]): Promise<BackfillRecord> {
    this.commits++;
    return this.inner.createBackfill(backfill, dates);
  }
  getBackfill(id: number): Promise<BackfillRecord | undefined> {
    return this.inner.getBackfill(id);
  }
  listBackfills(dagId?: string): Promise<BackfillRecord[]> {
    return this.inner.listBackfills(dagId);
  }
  listBackfillDates(id: number): Promise<BackfillDateRecord[]> {
    return this.inner.listBackfillDates(id);
  }
  setBackfillState(
    id: number,
    state: BackfillState,
    at: string,
    from: readonly BackfillState[],
    completedAt?: string,
  ): Promise<BackfillRecord | undefined> {
    this.commits++;
    return this.inner.setBackfillState(id, state, at, from, completedAt);
  }
  claimBackfillDate(id: number, logicalDate: string, runId: string, at: string): Promise<boolean> {
    this.commits++;
    return this.inner.claimBackfillDate(id, logicalDate, runId, at);
  }
  appendTryLog(key: TaskInstanceKey, offset: number, text: string): Promise<void> {
    this.commits++;
    return this.inner.appendTryLog(key, offset, text);
  }
  readTryLog(key: TaskInstanceKey, from?: number): Promise<{ text: string; end: number } | undefined> {
    return this.inner.readTryLog(key, from);
  }
  setPool(name: string, slots: number, description: string, at: string): Promise<PoolRecord> {
    this.commits++;
    return this.inner.setPool(name, slots, description, at);
  }
  deletePool(name: string): Promise<boolean> {
    this.commits++;
    return this.inner.deletePool(name);
  }
  listPools(now: string): Promise<PoolUsage[]> {
    return this.inner.listPools(now);
  }
  claimPoolSlots(claims: readonly PoolClaim[], now: string): Promise<boolean[]> {
    this.commits++;
    return this.inner.claimPoolSlots(claims, now);
  }
  ensureDagState(dagId: string, paused: boolean, at: string): Promise<DagStateRecord> {
    this.commits++;
    return this.inner.ensureDagState(dagId, paused, at);
  }
  setDagPaused(dagId: string, paused: boolean, at: string): Promise<DagStateRecord> {
    this.commits++;
    return this.inner.setDagPaused(dagId, paused, at);
  }
  listDagStates(): Promise<DagStateRecord[]> {
    return this.inner.listDagStates();
  }
  heartbeatScheduler(record: SchedulerRecord): Promise<void> {
    this.commits++;
    return this.inner.heartbeatScheduler(record);
  }
  listSchedulers(): Promise<SchedulerRecord[]> {
    return this.inner.listSchedulers();
  }
  listLatestRuns(perDag: number): Promise<DagRunRecord[]> {
    return this.inner.listLatestRuns(perDag);
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}
