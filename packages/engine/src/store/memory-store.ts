import type { TaskInstanceKey } from '../logging/logger.js';
import type {
  BackfillDateRecord,
  BackfillRecord,
  BackfillState,
  NewBackfill,
  NewBackfillDate,
} from './backfill-records.js';
import {
  assertValidPool,
  claimOccupies,
  type PoolClaim,
  type PoolRecord,
  type PoolUsage,
} from './pool-records.js';
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
import type { RunStore } from './run-store.js';
import {
  applyTaskPatch,
  checkFence,
  holdsFence,
  inGridRange,
  joinLogPieces,
  leaseAvailable,
  newTaskInstance,
  normalizeGridQuery,
  sortRuns,
} from './shared.js';

const key = (...parts: string[]): string => parts.join('\u0000');

/** A RunStore in memory: for tests and `dag test`. Values are copied in and out, like a database. */
export class MemoryRunStore implements RunStore {
  readonly #runs = new Map<string, DagRunRecord>();
  readonly #tasks = new Map<string, Map<string, TaskInstanceRecord>>();
  readonly #tries = new Map<string, TryRecord>();
  readonly #assets: AssetEventRecord[] = [];
  readonly #dagStates = new Map<string, DagStateRecord>();
  readonly #schedulers = new Map<string, SchedulerRecord>();
  readonly #backfills: BackfillRecord[] = [];
  readonly #backfillDates = new Map<number, BackfillDateRecord[]>();
  /** Last lease epoch of each run; kept when the lease is released, so epochs never repeat. */
  readonly #leaseEpochs = new Map<string, number>();
  readonly #pools = new Map<string, PoolRecord>();
  readonly #logs = new Map<string, Map<number, string>>();
  readonly #claims = new Map<string, PoolClaim & { readonly claimedAt: string }>();

  async ensureRun(run: NewRun, taskIds: readonly string[]): Promise<{ run: DagRunRecord; created: boolean }> {
    const existing = [...this.#runs.values()].find(
      (r) => r.dagId === run.dagId && r.logicalDate === run.logicalDate,
    );
    if (existing) return { run: structuredClone(existing), created: false };
    const record: DagRunRecord = { ...run, state: 'queued', startedAt: null, endedAt: null, lease: null };
    this.#runs.set(key(run.dagId, run.runId), record);
    const tis = new Map<string, TaskInstanceRecord>();
    for (const taskId of taskIds) tis.set(taskId, newTaskInstance(run.dagId, run.runId, taskId));
    this.#tasks.set(key(run.dagId, run.runId), tis);
    return { run: structuredClone(record), created: true };
  }

  async getRun(dagId: string, runId: string): Promise<DagRunRecord | undefined> {
    const r = this.#runs.get(key(dagId, runId));
    return r && structuredClone(r);
  }

  async findRunByLogicalDate(dagId: string, logicalDate: string): Promise<DagRunRecord | undefined> {
    const r = [...this.#runs.values()].find((x) => x.dagId === dagId && x.logicalDate === logicalDate);
    return r && structuredClone(r);
  }

  async listRuns(dagId: string | undefined, filter: RunFilter = {}): Promise<DagRunRecord[]> {
    const rows = [...this.#runs.values()].filter(
      (r) => (dagId === undefined || r.dagId === dagId) && (!filter.state || r.state === filter.state),
    );
    return structuredClone(sortRuns(rows).slice(0, filter.limit ?? rows.length));
  }

  async listTaskInstances(dagId: string, runId: string): Promise<TaskInstanceRecord[]> {
    return structuredClone([...(this.#tasks.get(key(dagId, runId))?.values() ?? [])]);
  }

  async listTaskGrid(dagId: string, query: TaskGridQuery = {}): Promise<TaskGridRun[]> {
    const q = normalizeGridQuery(query);
    const runs = sortRuns(
      [...this.#runs.values()].filter((r) => r.dagId === dagId && inGridRange(r.logicalDate, q)),
    ).slice(0, q.limit);
    return structuredClone(
      runs.map((run) => ({ run, tasks: [...(this.#tasks.get(key(dagId, run.runId))?.values() ?? [])] })),
    );
  }

  async listTries(dagId: string, runId: string, taskId?: string): Promise<TryRecord[]> {
    const rows = [...this.#tries.values()].filter(
      (t) => t.dagId === dagId && t.runId === runId && (taskId === undefined || t.taskId === taskId),
    );
    rows.sort((a, b) => (a.taskId < b.taskId ? -1 : a.taskId > b.taskId ? 1 : a.tryNumber - b.tryNumber));
    return structuredClone(rows);
  }

  async acquireLease(
    dagId: string,
    runId: string,
    claim: LeaseClaim,
    canTakeOver: (holder: LeaseInfo) => boolean,
  ): Promise<LeaseResult> {
    const k = key(dagId, runId);
    const run = this.#runs.get(k);
    if (!run) throw new Error(`no run ${dagId}/${runId}`);
    const holder = run.lease;
    if (holder && !leaseAvailable(holder, claim, canTakeOver)) return { acquired: false, holder };
    const epoch = (this.#leaseEpochs.get(k) ?? 0) + 1;
    this.#leaseEpochs.set(k, epoch);
    const lease: LeaseInfo = {
      owner: claim.owner,
      host: claim.host,
      pid: claim.pid,
      heartbeatAt: claim.now,
      expiresAt: claim.expiresAt,
      epoch,
    };
    this.#runs.set(k, { ...run, lease });
    return { acquired: true, epoch, tookOverFrom: holder && holder.owner !== claim.owner ? holder : null };
  }

  async renewLease(fence: Fence, now: string, expiresAt: string): Promise<boolean> {
    const k = key(fence.dagId, fence.runId);
    const run = this.#runs.get(k);
    if (!run || !holdsFence(run.lease, fence)) return false;
    this.#runs.set(k, { ...run, lease: { ...run.lease, heartbeatAt: now, expiresAt } });
    return true;
  }

  async releaseLease(fence: Fence): Promise<void> {
    const k = key(fence.dagId, fence.runId);
    const run = this.#runs.get(k);
    if (run && holdsFence(run.lease, fence)) this.#runs.set(k, { ...run, lease: null });
  }

  async apply(changes: readonly StateChange[], fence?: Fence): Promise<void> {
    if (fence && changes.length > 0) {
      const run = this.#runs.get(key(fence.dagId, fence.runId));
      if (!run) throw new Error(`no run ${fence.dagId}/${fence.runId}`);
      checkFence(run.lease && structuredClone(run.lease), fence, changes);
    }
    // Every mutation records its inverse; a change that fails undoes the batch, as a rolled back transaction.
    const undo: (() => void)[] = [];
    try {
      for (const c of structuredClone(changes)) this.#applyOne(c, undo);
    } catch (error) {
      for (const step of undo.reverse()) step();
      throw error;
    }
  }

  #applyOne(c: StateChange, undo: (() => void)[]): void {
    switch (c.kind) {
      case 'run': {
        const run = this.#runs.get(key(c.dagId, c.runId));
        if (!run) throw new Error(`no run ${c.dagId}/${c.runId}`);
        setUndoable(this.#runs, key(c.dagId, c.runId), undo, {
          ...run,
          state: c.state,
          startedAt: c.startedAt === undefined ? run.startedAt : c.startedAt,
          endedAt: c.endedAt === undefined ? run.endedAt : c.endedAt,
          params: c.params === undefined ? run.params : { ...c.params },
        });
        return;
      }
      case 'task': {
        const ti = this.#tasks.get(key(c.dagId, c.runId))?.get(c.taskId);
        if (!ti) throw new Error(`no task instance ${c.dagId}/${c.runId}/${c.taskId}`);
        setUndoable(this.#tasks.get(key(c.dagId, c.runId))!, c.taskId, undo, applyTaskPatch(ti, c));
        return;
      }
      case 'add-task': {
        const tis = this.#tasks.get(key(c.dagId, c.runId));
        if (tis && !tis.has(c.taskId)) {
          setUndoable(tis, c.taskId, undo, newTaskInstance(c.dagId, c.runId, c.taskId));
        }
        return;
      }
      case 'try-start': {
        const r = c.record;
        setUndoable(this.#tries, key(r.dagId, r.runId, r.taskId, String(r.tryNumber)), undo, r);
        return;
      }
      case 'try-end': {
        const k = key(c.dagId, c.runId, c.taskId, String(c.tryNumber));
        const t = this.#tries.get(k);
        if (t) {
          setUndoable(this.#tries, k, undo, {
            ...t,
            state: c.state,
            endedAt: c.endedAt,
            durationMs: c.durationMs,
            errorName: c.errorName ?? null,
            errorMessage: c.errorMessage ?? null,
            errorStack: c.errorStack ?? null,
          });
        }
        return;
      }
      case 'dispatch':
        throw new Error(
          `a try dispatched to workers (${c.jobKey}) needs the PostgreSQL store: set STREAMPRO_DATABASE_URL`,
        );
      case 'asset-event':
        this.#assets.push(c.event);
        undo.push(() => this.#assets.pop());
        return;
      default: {
        const never: never = c;
        throw new Error(`unknown change ${JSON.stringify(never)}`);
      }
    }
  }

  async listAssetEvents(asset: string, logicalDate: string): Promise<AssetEventRecord[]> {
    return structuredClone(this.#assets.filter((e) => e.asset === asset && e.logicalDate === logicalDate));
  }

  async listAssetEventsBetween(asset: string, from: string | null, to: string): Promise<AssetEventRecord[]> {
    const events = this.#assets.filter(
      (e) => e.asset === asset && (from === null || e.logicalDate >= from) && e.logicalDate <= to,
    );
    // A stable sort keeps the recorded order within a date.
    return structuredClone(events.sort((a, b) => a.logicalDate.localeCompare(b.logicalDate)));
  }

  async listAssetEventsSince(since: string): Promise<AssetEventRecord[]> {
    const events = this.#assets.filter((e) => e.createdAt >= since);
    return structuredClone(events.sort((a, b) => a.createdAt.localeCompare(b.createdAt)));
  }

  async createBackfill(backfill: NewBackfill, dates: readonly NewBackfillDate[]): Promise<BackfillRecord> {
    const record: BackfillRecord = {
      ...structuredClone(backfill),
      id: this.#backfills.length + 1,
      state: 'running',
      updatedAt: backfill.createdAt,
      completedAt: null,
    };
    this.#backfills.push(record);
    this.#backfillDates.set(
      record.id,
      dates.map((d, ordinal) => ({ ...d, backfillId: record.id, ordinal, claimedAt: null })),
    );
    return structuredClone(record);
  }

  async getBackfill(id: number): Promise<BackfillRecord | undefined> {
    return structuredClone(this.#backfills.find((b) => b.id === id));
  }

  async listBackfills(dagId?: string): Promise<BackfillRecord[]> {
    const chosen = this.#backfills.filter((b) => dagId === undefined || b.dagId === dagId);
    return structuredClone(chosen.reverse());
  }

  async listBackfillDates(id: number): Promise<BackfillDateRecord[]> {
    return structuredClone(this.#backfillDates.get(id) ?? []);
  }

  async setBackfillState(
    id: number,
    state: BackfillState,
    at: string,
    from: readonly BackfillState[],
    completedAt?: string,
  ): Promise<BackfillRecord | undefined> {
    const i = this.#backfills.findIndex((b) => b.id === id);
    const current = this.#backfills[i];
    if (!current || !from.includes(current.state)) return undefined;
    const next = { ...current, state, updatedAt: at, completedAt: completedAt ?? current.completedAt };
    this.#backfills[i] = next;
    return structuredClone(next);
  }

  async claimBackfillDate(id: number, logicalDate: string, runId: string, at: string): Promise<boolean> {
    const dates = this.#backfillDates.get(id) ?? [];
    const i = dates.findIndex((d) => d.logicalDate === logicalDate && d.claimedAt === null);
    if (i < 0) return false;
    dates[i] = { ...dates[i]!, runId, claimedAt: at };
    return true;
  }

  async appendTryLog(k: TaskInstanceKey, offset: number, text: string): Promise<void> {
    const id = key(k.dagId, k.runId, k.taskId, String(k.tryNumber));
    if (!this.#logs.has(id)) this.#logs.set(id, new Map());
    const pieces = this.#logs.get(id)!;
    if (!pieces.has(offset)) pieces.set(offset, text);
  }

  async readTryLog(k: TaskInstanceKey, from = 0): Promise<{ text: string; end: number } | undefined> {
    const pieces = this.#logs.get(key(k.dagId, k.runId, k.taskId, String(k.tryNumber))) ?? new Map();
    const chosen = [...pieces.entries()]
      .filter(([offset]) => offset >= from)
      .sort((a, b) => a[0] - b[0])
      .map(([offset, body]) => ({ offset, body }));
    return joinLogPieces(chosen, from);
  }

  async setPool(name: string, slots: number, description: string, at: string): Promise<PoolRecord> {
    assertValidPool(name, slots);
    const record: PoolRecord = { name, slots, description, updatedAt: at };
    this.#pools.set(name, record);
    return { ...record };
  }

  async deletePool(name: string): Promise<boolean> {
    return this.#pools.delete(name);
  }

  #occupancy(
    pool: string,
    now: string,
    exclude?: string,
  ): { queued: number; running: number; taken: number } {
    let queued = 0;
    let running = 0;
    let taken = 0;
    for (const [k, claim] of this.#claims) {
      if (claim.pool !== pool || k === exclude) continue;
      const how = claimOccupies(
        claim,
        this.#tasks.get(key(claim.dagId, claim.runId))?.get(claim.taskId),
        now,
      );
      if (how === undefined) continue;
      taken++;
      if (how === 'queued') queued++;
      if (how === 'running') running++;
    }
    return { queued, running, taken };
  }

  async listPools(now: string): Promise<PoolUsage[]> {
    return [...this.#pools.values()]
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      .map((p) => {
        const { queued, running, taken } = this.#occupancy(p.name, now);
        return { ...p, queued, running, occupied: taken };
      });
  }

  async claimPoolSlots(claims: readonly PoolClaim[], now: string): Promise<boolean[]> {
    return claims.map((c) => {
      const pool = this.#pools.get(c.pool);
      if (!pool) return true;
      const k = `${key(c.dagId, c.runId)}\u0000${c.taskId}`;
      if (this.#occupancy(c.pool, now, k).taken >= pool.slots) return false;
      this.#claims.set(k, { ...c, claimedAt: now });
      return true;
    });
  }

  async ensureDagState(dagId: string, paused: boolean, at: string): Promise<DagStateRecord> {
    const existing = this.#dagStates.get(dagId);
    if (existing) return { ...existing };
    return this.setDagPaused(dagId, paused, at);
  }

  async setDagPaused(dagId: string, paused: boolean, at: string): Promise<DagStateRecord> {
    const record = { dagId, paused, updatedAt: at };
    this.#dagStates.set(dagId, record);
    return { ...record };
  }

  async listDagStates(): Promise<DagStateRecord[]> {
    return [...this.#dagStates.values()]
      .sort((a, b) => (a.dagId < b.dagId ? -1 : a.dagId > b.dagId ? 1 : 0))
      .map((r) => ({ ...r }));
  }

  async heartbeatScheduler(record: SchedulerRecord): Promise<void> {
    this.#schedulers.set(record.schedulerId, { ...record });
  }

  async listSchedulers(): Promise<SchedulerRecord[]> {
    return [...this.#schedulers.values()]
      .sort((a, b) => (a.startedAt < b.startedAt ? 1 : a.startedAt > b.startedAt ? -1 : 0))
      .map((r) => ({ ...r }));
  }

  async listLatestRuns(perDag: number): Promise<DagRunRecord[]> {
    const limit = Math.max(0, Math.floor(perDag));
    const byDag = new Map<string, DagRunRecord[]>();
    for (const run of sortRuns([...this.#runs.values()])) {
      const runs = byDag.get(run.dagId) ?? [];
      if (runs.length < limit) runs.push(run);
      byDag.set(run.dagId, runs);
    }
    const dagIds = [...byDag.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return structuredClone(dagIds.flatMap((id) => byDag.get(id)!));
  }

  async close(): Promise<void> {}
}

/** Sets `map[k]` and records how to put the previous entry back. */
function setUndoable<K, V>(map: Map<K, V>, k: K, undo: (() => void)[], value: V): void {
  const had = map.has(k);
  const previous = map.get(k);
  map.set(k, value);
  undo.push(() => (had ? map.set(k, previous as V) : map.delete(k)));
}
