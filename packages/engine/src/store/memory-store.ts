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
import type { RunStore } from './run-store.js';
import { applyTaskPatch, leaseAvailable, sortRuns } from './shared.js';

const key = (...parts: string[]): string => parts.join('\u0000');

/** A RunStore in memory: for tests and `dag test`. Values are copied in and out, like a database. */
export class MemoryRunStore implements RunStore {
  readonly #runs = new Map<string, DagRunRecord>();
  readonly #tasks = new Map<string, Map<string, TaskInstanceRecord>>();
  readonly #tries = new Map<string, TryRecord>();
  readonly #assets: AssetEventRecord[] = [];

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
    const run = this.#runs.get(key(dagId, runId));
    if (!run) throw new Error(`no run ${dagId}/${runId}`);
    const holder = run.lease;
    if (holder && !leaseAvailable(holder, claim, canTakeOver)) return { acquired: false, holder };
    const lease: LeaseInfo = {
      owner: claim.owner,
      host: claim.host,
      pid: claim.pid,
      heartbeatAt: claim.now,
      expiresAt: claim.expiresAt,
    };
    this.#runs.set(key(dagId, runId), { ...run, lease });
    return { acquired: true, tookOverFrom: holder && holder.owner !== claim.owner ? holder : null };
  }

  async renewLease(dagId: string, runId: string, owner: string, now: string, expiresAt: string) {
    const run = this.#runs.get(key(dagId, runId));
    if (!run?.lease || run.lease.owner !== owner) return false;
    this.#runs.set(key(dagId, runId), { ...run, lease: { ...run.lease, heartbeatAt: now, expiresAt } });
    return true;
  }

  async releaseLease(dagId: string, runId: string, owner: string): Promise<void> {
    const run = this.#runs.get(key(dagId, runId));
    if (run?.lease?.owner === owner) this.#runs.set(key(dagId, runId), { ...run, lease: null });
  }

  async apply(changes: readonly StateChange[]): Promise<void> {
    // Validate everything first so a failing batch changes nothing, as a transaction would.
    for (const c of changes) {
      if (c.kind === 'task' && !this.#tasks.get(key(c.dagId, c.runId))?.has(c.taskId)) {
        throw new Error(`no task instance ${c.dagId}/${c.runId}/${c.taskId}`);
      }
    }
    for (const c of structuredClone(changes)) {
      switch (c.kind) {
        case 'run': {
          const run = this.#runs.get(key(c.dagId, c.runId));
          if (!run) throw new Error(`no run ${c.dagId}/${c.runId}`);
          this.#runs.set(key(c.dagId, c.runId), {
            ...run,
            state: c.state,
            startedAt: c.startedAt === undefined ? run.startedAt : c.startedAt,
            endedAt: c.endedAt === undefined ? run.endedAt : c.endedAt,
          });
          break;
        }
        case 'task': {
          const tis = this.#tasks.get(key(c.dagId, c.runId))!;
          tis.set(c.taskId, applyTaskPatch(tis.get(c.taskId)!, c));
          break;
        }
        case 'add-task': {
          const tis = this.#tasks.get(key(c.dagId, c.runId));
          if (tis && !tis.has(c.taskId)) tis.set(c.taskId, newTaskInstance(c.dagId, c.runId, c.taskId));
          break;
        }
        case 'try-start':
          this.#tries.set(
            key(c.record.dagId, c.record.runId, c.record.taskId, String(c.record.tryNumber)),
            c.record,
          );
          break;
        case 'try-end': {
          const k = key(c.dagId, c.runId, c.taskId, String(c.tryNumber));
          const t = this.#tries.get(k);
          if (t) {
            this.#tries.set(k, {
              ...t,
              state: c.state,
              endedAt: c.endedAt,
              durationMs: c.durationMs,
              errorName: c.errorName ?? null,
              errorMessage: c.errorMessage ?? null,
              errorStack: c.errorStack ?? null,
            });
          }
          break;
        }
        case 'asset-event':
          this.#assets.push(c.event);
          break;
        default: {
          const never: never = c;
          throw new Error(`unknown change ${JSON.stringify(never)}`);
        }
      }
    }
  }

  async listAssetEvents(asset: string, logicalDate: string): Promise<AssetEventRecord[]> {
    return structuredClone(this.#assets.filter((e) => e.asset === asset && e.logicalDate === logicalDate));
  }

  async close(): Promise<void> {}
}

export function newTaskInstance(dagId: string, runId: string, taskId: string): TaskInstanceRecord {
  return {
    dagId,
    runId,
    taskId,
    state: 'none',
    tryNumber: 0,
    maxTries: 0,
    output: null,
    startedAt: null,
    endedAt: null,
    durationMs: null,
    nextTryAt: null,
  };
}
