import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { TaskInstanceKey } from '../logging/logger.js';
import type { RunState, TaskState } from '../model/states.js';
import type {
  BackfillDateRecord,
  BackfillRecord,
  BackfillState,
  NewBackfill,
  NewBackfillDate,
} from './backfill-records.js';
import { MIGRATIONS, SCHEMA_VERSION } from './migrations.js';
import type { PoolClaim, PoolRecord, PoolUsage } from './pool-records.js';
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
  RunType,
  SchedulerRecord,
  StateChange,
  TaskGridQuery,
  TaskGridRun,
  TaskInstanceRecord,
  TryRecord,
} from './records.js';
import type { RunStore } from './run-store.js';
import { checkFence, groupGrid, joinLogPieces, leaseAvailable, normalizeGridQuery } from './shared.js';
import { SqliteBackfills } from './sqlite-backfills.js';
import { SqlitePools } from './sqlite-pools.js';
import { latestRunRows } from './sqlite-ui-queries.js';
import { StateStoreError } from './state-store-error.js';

type Row = Record<string, unknown>;
type Db = Database.Database;
type Stmt = Database.Statement;

const str = (v: unknown): string => v as string;
const strOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : (v as string));
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

/** The lease columns of a `dag_runs` row; `lease_epoch` outlives a release, the other columns do not. */
function toLease(r: Row): LeaseInfo | null {
  return r.lease_owner
    ? {
        owner: str(r.lease_owner),
        host: str(r.lease_host),
        pid: Number(r.lease_pid),
        heartbeatAt: str(r.lease_heartbeat_at),
        expiresAt: str(r.lease_expires_at),
        epoch: Number(r.lease_epoch),
      }
    : null;
}

function toRun(r: Row): DagRunRecord {
  const lease = toLease(r);
  return {
    dagId: str(r.dag_id),
    runId: str(r.run_id),
    logicalDate: str(r.logical_date),
    runType: str(r.run_type) as RunType,
    state: str(r.state) as RunState,
    params: JSON.parse(str(r.params)),
    createdAt: str(r.created_at),
    startedAt: strOrNull(r.started_at),
    endedAt: strOrNull(r.ended_at),
    lease,
  };
}

function toTask(r: Row): TaskInstanceRecord {
  return {
    dagId: str(r.dag_id),
    runId: str(r.run_id),
    taskId: str(r.task_id),
    state: str(r.state) as TaskState,
    tryNumber: Number(r.try_number),
    maxTries: Number(r.max_tries),
    output: r.output === null || r.output === undefined ? null : JSON.parse(str(r.output)),
    startedAt: strOrNull(r.started_at),
    endedAt: strOrNull(r.ended_at),
    durationMs: numOrNull(r.duration_ms),
    nextTryAt: strOrNull(r.next_try_at),
  };
}

function toTry(r: Row): TryRecord {
  return {
    dagId: str(r.dag_id),
    runId: str(r.run_id),
    taskId: str(r.task_id),
    tryNumber: Number(r.try_number),
    state: str(r.state) as TaskState,
    startedAt: str(r.started_at),
    endedAt: strOrNull(r.ended_at),
    durationMs: numOrNull(r.duration_ms),
    errorName: strOrNull(r.error_name),
    errorMessage: strOrNull(r.error_message),
    errorStack: strOrNull(r.error_stack),
    logPath: str(r.log_path),
    host: str(r.host),
    pid: Number(r.pid),
  };
}

function toAssetEvent(r: Row): AssetEventRecord {
  return {
    asset: str(r.asset),
    logicalDate: str(r.logical_date),
    dagId: str(r.dag_id),
    runId: str(r.run_id),
    taskId: str(r.task_id),
    createdAt: str(r.created_at),
  };
}

function toDagState(r: Row): DagStateRecord {
  return { dagId: str(r.dag_id), paused: Number(r.paused) === 1, updatedAt: str(r.updated_at) };
}

/** Optional fields of a task patch and their columns. */
const TASK_PATCH_COLUMNS = [
  ['tryNumber', 'try_number'],
  ['maxTries', 'max_tries'],
  ['output', 'output'],
  ['startedAt', 'started_at'],
  ['endedAt', 'ended_at'],
  ['durationMs', 'duration_ms'],
  ['nextTryAt', 'next_try_at'],
] as const;

/**
 * RunStore on a SQLite file (WAL, synchronous=NORMAL: a commit survives a process crash; a power loss may
 * drop the last commits but never corrupts the file). Statements are prepared once.
 */
export class SqliteRunStore implements RunStore {
  readonly #db: Db;
  readonly #s: Record<string, Stmt>;
  readonly #applyTx: (changes: readonly StateChange[]) => void;
  readonly #fencedApplyTx: Database.Transaction<(changes: readonly StateChange[], fence: Fence) => void>;
  readonly #taskUpdates = new Map<string, Stmt>();
  readonly #backfills: SqliteBackfills;
  readonly #pools: SqlitePools;

  private constructor(
    db: Db,
    readonly file: string,
  ) {
    this.#db = db;
    this.#backfills = new SqliteBackfills(db);
    this.#pools = new SqlitePools(db);
    const p = (sql: string): Stmt => db.prepare(sql);
    this.#s = {
      insertRun: p(`INSERT INTO dag_runs (dag_id, run_id, logical_date, run_type, state, params, created_at)
        VALUES (?, ?, ?, ?, 'queued', ?, ?)`),
      insertTask:
        p(`INSERT OR IGNORE INTO task_instances (dag_id, run_id, task_id, state, try_number, max_tries)
        VALUES (?, ?, ?, 'none', 0, 0)`),
      getRun: p('SELECT * FROM dag_runs WHERE dag_id = ? AND run_id = ?'),
      runByDate: p('SELECT * FROM dag_runs WHERE dag_id = ? AND logical_date = ?'),
      tasks: p('SELECT * FROM task_instances WHERE dag_id = ? AND run_id = ? ORDER BY rowid'),
      // One query for the grid: the runs in range (newest first, LIMIT -1 is none), joined to their tasks.
      grid: p(`SELECT r.*, t.task_id AS t_task_id, t.state AS t_state, t.try_number AS t_try_number,
          t.max_tries AS t_max_tries, t.output AS t_output, t.started_at AS t_started_at,
          t.ended_at AS t_ended_at, t.duration_ms AS t_duration_ms, t.next_try_at AS t_next_try_at
        FROM (SELECT * FROM dag_runs WHERE dag_id = @dagId
            AND (@from IS NULL OR logical_date >= @from) AND (@to IS NULL OR logical_date < @to)
            ORDER BY logical_date DESC LIMIT @limit) r
        LEFT JOIN task_instances t ON t.dag_id = r.dag_id AND t.run_id = r.run_id
        ORDER BY r.logical_date DESC, t.rowid`),
      updateRun: p(`UPDATE dag_runs SET state = ?, started_at = CASE WHEN ? THEN ? ELSE started_at END,
        ended_at = CASE WHEN ? THEN ? ELSE ended_at END, params = COALESCE(?, params)
        WHERE dag_id = ? AND run_id = ?`),
      tries: p('SELECT * FROM task_tries WHERE dag_id = ? AND run_id = ? ORDER BY task_id, try_number'),
      triesOfTask: p(
        'SELECT * FROM task_tries WHERE dag_id = ? AND run_id = ? AND task_id = ? ORDER BY try_number',
      ),
      insertTry: p(`INSERT OR REPLACE INTO task_tries (dag_id, run_id, task_id, try_number, state, started_at,
        ended_at, duration_ms, error_name, error_message, error_stack, log_path, host, pid)
        VALUES (@dagId, @runId, @taskId, @tryNumber, @state, @startedAt, @endedAt, @durationMs, @errorName,
        @errorMessage, @errorStack, @logPath, @host, @pid)`),
      endTry:
        p(`UPDATE task_tries SET state = ?, ended_at = ?, duration_ms = ?, error_name = ?, error_message = ?,
        error_stack = ? WHERE dag_id = ? AND run_id = ? AND task_id = ? AND try_number = ?`),
      setLease: p(`UPDATE dag_runs SET lease_owner = ?, lease_host = ?, lease_pid = ?, lease_heartbeat_at = ?,
        lease_expires_at = ?, lease_epoch = lease_epoch + 1 WHERE dag_id = ? AND run_id = ?
        RETURNING lease_epoch`),
      lease: p(`SELECT lease_owner, lease_host, lease_pid, lease_heartbeat_at, lease_expires_at, lease_epoch
        FROM dag_runs WHERE dag_id = ? AND run_id = ?`),
      renewLease: p(`UPDATE dag_runs SET lease_heartbeat_at = ?, lease_expires_at = ?
        WHERE dag_id = ? AND run_id = ? AND lease_owner = ? AND lease_epoch = ?`),
      // lease_epoch stays: the next acquisition continues from it.
      releaseLease: p(`UPDATE dag_runs SET lease_owner = NULL, lease_host = NULL, lease_pid = NULL,
        lease_heartbeat_at = NULL, lease_expires_at = NULL
        WHERE dag_id = ? AND run_id = ? AND lease_owner = ? AND lease_epoch = ?`),
      insertAsset: p(`INSERT INTO asset_events (asset, logical_date, dag_id, run_id, task_id, created_at)
        VALUES (?, ?, ?, ?, ?, ?)`),
      assets: p('SELECT * FROM asset_events WHERE asset = ? AND logical_date = ? ORDER BY rowid'),
      assetsBetween: p(`SELECT * FROM asset_events WHERE asset = ? AND logical_date >= ? AND logical_date <= ?
        ORDER BY logical_date, rowid`),
      assetsSince: p('SELECT * FROM asset_events WHERE created_at >= ? ORDER BY created_at, rowid'),
      insertDagState: p('INSERT OR IGNORE INTO dag_states (dag_id, paused, updated_at) VALUES (?, ?, ?)'),
      setDagPaused: p(`INSERT INTO dag_states (dag_id, paused, updated_at) VALUES (?, ?, ?)
        ON CONFLICT (dag_id) DO UPDATE SET paused = excluded.paused, updated_at = excluded.updated_at`),
      dagState: p('SELECT * FROM dag_states WHERE dag_id = ?'),
      dagStates: p('SELECT * FROM dag_states ORDER BY dag_id'),
      heartbeat: p(`INSERT OR REPLACE INTO schedulers
        (scheduler_id, host, pid, started_at, heartbeat_at, last_scheduled_at, state)
        VALUES (@schedulerId, @host, @pid, @startedAt, @heartbeatAt, @lastScheduledAt, @state)`),
      schedulers: p('SELECT * FROM schedulers ORDER BY started_at DESC, scheduler_id'),
      appendLog: p(`INSERT OR IGNORE INTO try_logs (dag_id, run_id, task_id, try_number, byte_offset, body)
        VALUES (?, ?, ?, ?, ?, ?)`),
      readLog: p(`SELECT byte_offset AS "offset", body FROM try_logs
        WHERE dag_id = ? AND run_id = ? AND task_id = ? AND try_number = ? AND byte_offset >= ?
        ORDER BY byte_offset`),
    };
    this.#applyTx = db.transaction((changes: readonly StateChange[]) => {
      for (const c of changes) this.#applyOne(c);
    });
    // Run as IMMEDIATE: the write lock is taken before the lease is read, so no other connection can take
    // the lease between the check and the writes (and a deferred read could not upgrade after its commit).
    this.#fencedApplyTx = db.transaction((changes: readonly StateChange[], fence: Fence) => {
      const row = this.#s.lease!.get(fence.dagId, fence.runId) as Row | undefined;
      if (!row) throw new Error(`no run ${fence.dagId}/${fence.runId}`);
      checkFence(toLease(row), fence, changes);
      for (const c of changes) this.#applyOne(c);
    });
  }

  /** Opens (creating if needed) the state database and migrates it. */
  static async open(file: string): Promise<SqliteRunStore> {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    // SQLite would take an empty file for a new database; a state file of 0 bytes was cut (a full disk, a
    // failed copy), and starting afresh there would forget every run without a word. (A file another process
    // is creating this instant is empty too, for milliseconds: only an empty file older than that counts.)
    const existing = fs.statSync(file, { throwIfNoEntry: false });
    if (existing?.size === 0 && Date.now() - existing.mtimeMs > EMPTY_FILE_GRACE_MS) {
      throw new StateStoreError(
        `state database ${file} is corrupt or not a StreamPro database (it is empty: 0 bytes); move it aside to start fresh`,
        'corrupt',
      );
    }
    let db: Db | undefined;
    try {
      db = new Database(file, { timeout: 5000 });
      enableWal(db);
      db.pragma('synchronous = NORMAL');
      db.pragma('foreign_keys = ON');
      migrate(db, file);
      return new SqliteRunStore(db, file);
    } catch (error) {
      db?.close();
      if (error instanceof StateStoreError) throw error;
      throw StateStoreError.from(file, error);
    }
  }

  async ensureRun(run: NewRun, taskIds: readonly string[]): Promise<{ run: DagRunRecord; created: boolean }> {
    return this.#guard(() =>
      this.#db
        .transaction(() => {
          const existing = this.#s.runByDate!.get(run.dagId, run.logicalDate) as Row | undefined;
          if (existing) return { run: toRun(existing), created: false };
          this.#s.insertRun!.run(
            run.dagId,
            run.runId,
            run.logicalDate,
            run.runType,
            JSON.stringify(run.params),
            run.createdAt,
          );
          for (const taskId of taskIds) this.#s.insertTask!.run(run.dagId, run.runId, taskId);
          return { run: toRun(this.#s.getRun!.get(run.dagId, run.runId) as Row), created: true };
          // IMMEDIATE: a deferred transaction that reads, then writes after another process committed, fails
          // at once with SQLITE_BUSY (its snapshot is stale) instead of waiting for the lock.
        })
        .immediate(),
    );
  }

  async getRun(dagId: string, runId: string): Promise<DagRunRecord | undefined> {
    return this.#guard(() => {
      const r = this.#s.getRun!.get(dagId, runId) as Row | undefined;
      return r && toRun(r);
    });
  }

  async findRunByLogicalDate(dagId: string, logicalDate: string): Promise<DagRunRecord | undefined> {
    return this.#guard(() => {
      const r = this.#s.runByDate!.get(dagId, logicalDate) as Row | undefined;
      return r && toRun(r);
    });
  }

  async listRuns(dagId: string | undefined, filter: RunFilter = {}): Promise<DagRunRecord[]> {
    return this.#guard(() => {
      const where: string[] = [];
      const args: unknown[] = [];
      if (dagId !== undefined) {
        where.push('dag_id = ?');
        args.push(dagId);
      }
      if (filter.state) {
        where.push('state = ?');
        args.push(filter.state);
      }
      const sql = `SELECT * FROM dag_runs ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY logical_date DESC, dag_id ${filter.limit ? `LIMIT ${Math.max(0, Math.floor(filter.limit))}` : ''}`;
      return (this.#db.prepare(sql).all(...args) as Row[]).map(toRun);
    });
  }

  async listTaskInstances(dagId: string, runId: string): Promise<TaskInstanceRecord[]> {
    return this.#guard(() => (this.#s.tasks!.all(dagId, runId) as Row[]).map(toTask));
  }

  async listTaskGrid(dagId: string, query: TaskGridQuery = {}): Promise<TaskGridRun[]> {
    const q = normalizeGridQuery(query);
    return this.#guard(() => {
      const rows = this.#s.grid!.all({
        dagId,
        from: q.from ?? null,
        to: q.to ?? null,
        limit: q.limit ?? -1,
      }) as Row[];
      return groupGrid(rows, toRun, (r) => toTask(unprefixed(r)));
    });
  }

  async listTries(dagId: string, runId: string, taskId?: string): Promise<TryRecord[]> {
    return this.#guard(() => {
      const rows =
        taskId === undefined
          ? this.#s.tries!.all(dagId, runId)
          : this.#s.triesOfTask!.all(dagId, runId, taskId);
      return (rows as Row[]).map(toTry);
    });
  }

  async acquireLease(
    dagId: string,
    runId: string,
    claim: LeaseClaim,
    canTakeOver: (holder: LeaseInfo) => boolean,
  ): Promise<LeaseResult> {
    return this.#guard(() =>
      // IMMEDIATE takes the write lock before reading, so two processes cannot both see the lease free.
      this.#db
        .transaction((): LeaseResult => {
          const row = this.#s.getRun!.get(dagId, runId) as Row | undefined;
          if (!row) throw new Error(`no run ${dagId}/${runId}`);
          const holder = toRun(row).lease;
          if (holder && !leaseAvailable(holder, claim, canTakeOver)) return { acquired: false, holder };
          const set = this.#s.setLease!.get(
            claim.owner,
            claim.host,
            claim.pid,
            claim.now,
            claim.expiresAt,
            dagId,
            runId,
          ) as Row;
          const epoch = Number(set.lease_epoch);
          return {
            acquired: true,
            epoch,
            tookOverFrom: holder && holder.owner !== claim.owner ? holder : null,
          };
        })
        .immediate(),
    );
  }

  async renewLease(fence: Fence, now: string, expiresAt: string): Promise<boolean> {
    return this.#guard(
      () =>
        this.#s.renewLease!.run(now, expiresAt, fence.dagId, fence.runId, fence.owner, fence.epoch).changes >
        0,
    );
  }

  async releaseLease(fence: Fence): Promise<void> {
    this.#guard(() => this.#s.releaseLease!.run(fence.dagId, fence.runId, fence.owner, fence.epoch));
  }

  async apply(changes: readonly StateChange[], fence?: Fence): Promise<void> {
    if (changes.length === 0) return;
    this.#guard(() => (fence ? this.#fencedApplyTx.immediate(changes, fence) : this.#applyTx(changes)));
  }

  #applyOne(c: StateChange): void {
    switch (c.kind) {
      case 'run': {
        const r = this.#s.updateRun!.run(
          c.state,
          c.startedAt === undefined ? 0 : 1,
          c.startedAt ?? null,
          c.endedAt === undefined ? 0 : 1,
          c.endedAt ?? null,
          c.params === undefined ? null : JSON.stringify(c.params),
          c.dagId,
          c.runId,
        );
        if (r.changes === 0) throw new Error(`no run ${c.dagId}/${c.runId}`);
        return;
      }
      case 'task': {
        // Only the fields the patch sets are written (undefined keeps, null clears): no read before the write.
        const columns: string[] = ['state'];
        const values: unknown[] = [c.state];
        for (const [field, column] of TASK_PATCH_COLUMNS) {
          const value = c[field];
          if (value === undefined) continue;
          columns.push(column);
          values.push(field === 'output' ? (value === null ? null : JSON.stringify(value)) : value);
        }
        const r = this.#taskUpdate(columns).run(...values, c.dagId, c.runId, c.taskId);
        if (r.changes === 0) throw new Error(`no task instance ${c.dagId}/${c.runId}/${c.taskId}`);
        return;
      }
      case 'add-task':
        this.#s.insertTask!.run(c.dagId, c.runId, c.taskId);
        return;
      case 'try-start':
        this.#s.insertTry!.run(c.record);
        return;
      case 'try-end':
        this.#s.endTry!.run(
          c.state,
          c.endedAt,
          c.durationMs,
          c.errorName ?? null,
          c.errorMessage ?? null,
          c.errorStack ?? null,
          c.dagId,
          c.runId,
          c.taskId,
          c.tryNumber,
        );
        return;
      case 'dispatch':
        throw new Error(
          `a try dispatched to workers (${c.jobKey}) needs the PostgreSQL store: set STREAMPRO_DATABASE_URL`,
        );
      case 'asset-event': {
        const e = c.event;
        this.#s.insertAsset!.run(e.asset, e.logicalDate, e.dagId, e.runId, e.taskId, e.createdAt);
        return;
      }
      default: {
        const never: never = c;
        throw new Error(`unknown change ${JSON.stringify(never)}`);
      }
    }
  }

  /** A prepared UPDATE of the given task-instance columns, prepared once per column set. */
  #taskUpdate(columns: readonly string[]): Stmt {
    const key = columns.join(',');
    let stmt = this.#taskUpdates.get(key);
    if (!stmt) {
      stmt = this.#db.prepare(
        `UPDATE task_instances SET ${columns.map((c) => `${c} = ?`).join(', ')}
         WHERE dag_id = ? AND run_id = ? AND task_id = ?`,
      );
      this.#taskUpdates.set(key, stmt);
    }
    return stmt;
  }

  async listAssetEvents(asset: string, logicalDate: string): Promise<AssetEventRecord[]> {
    return this.#guard(() => (this.#s.assets!.all(asset, logicalDate) as Row[]).map(toAssetEvent));
  }

  async listAssetEventsBetween(asset: string, from: string | null, to: string): Promise<AssetEventRecord[]> {
    return this.#guard(() => (this.#s.assetsBetween!.all(asset, from ?? '', to) as Row[]).map(toAssetEvent));
  }

  async listAssetEventsSince(since: string): Promise<AssetEventRecord[]> {
    return this.#guard(() => (this.#s.assetsSince!.all(since) as Row[]).map(toAssetEvent));
  }

  async createBackfill(backfill: NewBackfill, dates: readonly NewBackfillDate[]): Promise<BackfillRecord> {
    return this.#guard(() => this.#backfills.createBackfill(backfill, dates));
  }

  async getBackfill(id: number): Promise<BackfillRecord | undefined> {
    return this.#guard(() => this.#backfills.getBackfill(id));
  }

  async listBackfills(dagId?: string): Promise<BackfillRecord[]> {
    return this.#guard(() => this.#backfills.listBackfills(dagId));
  }

  async listBackfillDates(id: number): Promise<BackfillDateRecord[]> {
    return this.#guard(() => this.#backfills.listBackfillDates(id));
  }

  async setBackfillState(
    id: number,
    state: BackfillState,
    at: string,
    from: readonly BackfillState[],
    completedAt?: string,
  ): Promise<BackfillRecord | undefined> {
    return this.#guard(() => this.#backfills.setBackfillState(id, state, at, from, completedAt));
  }

  async claimBackfillDate(id: number, logicalDate: string, runId: string, at: string): Promise<boolean> {
    return this.#guard(() => this.#backfills.claimBackfillDate(id, logicalDate, runId, at));
  }

  async appendTryLog(key: TaskInstanceKey, offset: number, text: string): Promise<void> {
    this.#guard(() => this.#s.appendLog!.run(key.dagId, key.runId, key.taskId, key.tryNumber, offset, text));
  }

  async readTryLog(key: TaskInstanceKey, from = 0): Promise<{ text: string; end: number } | undefined> {
    return this.#guard(() =>
      joinLogPieces(
        this.#s.readLog!.all(key.dagId, key.runId, key.taskId, key.tryNumber, from) as {
          offset: number;
          body: string;
        }[],
        from,
      ),
    );
  }

  async setPool(name: string, slots: number, description: string, at: string): Promise<PoolRecord> {
    return this.#guard(() => this.#pools.setPool(name, slots, description, at));
  }

  async deletePool(name: string): Promise<boolean> {
    return this.#guard(() => this.#pools.deletePool(name));
  }

  async listPools(now: string): Promise<PoolUsage[]> {
    return this.#guard(() => this.#pools.listPools(now));
  }

  async claimPoolSlots(claims: readonly PoolClaim[], now: string): Promise<boolean[]> {
    return this.#guard(() => this.#pools.claimPoolSlots(claims, now));
  }

  async ensureDagState(dagId: string, paused: boolean, at: string): Promise<DagStateRecord> {
    return this.#guard(() => {
      this.#s.insertDagState!.run(dagId, paused ? 1 : 0, at);
      return toDagState(this.#s.dagState!.get(dagId) as Row);
    });
  }

  async setDagPaused(dagId: string, paused: boolean, at: string): Promise<DagStateRecord> {
    return this.#guard(() => {
      this.#s.setDagPaused!.run(dagId, paused ? 1 : 0, at);
      return toDagState(this.#s.dagState!.get(dagId) as Row);
    });
  }

  async listDagStates(): Promise<DagStateRecord[]> {
    return this.#guard(() => (this.#s.dagStates!.all() as Row[]).map(toDagState));
  }

  async heartbeatScheduler(record: SchedulerRecord): Promise<void> {
    this.#guard(() => this.#s.heartbeat!.run({ ...record }));
  }

  async listSchedulers(): Promise<SchedulerRecord[]> {
    return this.#guard(() =>
      (this.#s.schedulers!.all() as Row[]).map((r) => ({
        schedulerId: str(r.scheduler_id),
        host: str(r.host),
        pid: Number(r.pid),
        startedAt: str(r.started_at),
        heartbeatAt: str(r.heartbeat_at),
        lastScheduledAt: strOrNull(r.last_scheduled_at),
        state: str(r.state) as SchedulerRecord['state'],
      })),
    );
  }

  async listLatestRuns(perDag: number): Promise<DagRunRecord[]> {
    return this.#guard(() => latestRunRows(this.#db, perDag).map(toRun));
  }

  async close(): Promise<void> {
    if (this.#db.open) this.#db.close();
  }

  /** Turns driver errors (busy, corrupt, disk full) into StateStoreError naming the file. */
  #guard<T>(fn: () => T): T {
    try {
      return fn();
    } catch (error) {
      if (isSqliteError(error)) throw StateStoreError.from(this.file, error);
      throw error;
    }
  }
}

/** The task-instance columns of a grid row (`t_*`) under their own names, with the run's ids. */
function unprefixed(r: Row): Row {
  const out: Row = { dag_id: r.dag_id, run_id: r.run_id };
  for (const [k, v] of Object.entries(r)) if (k.startsWith('t_')) out[k.slice(2)] = v;
  return out;
}

function isSqliteError(error: unknown): boolean {
  const code: unknown = error instanceof Error ? (error as Error & { code?: unknown }).code : undefined;
  return typeof code === 'string' && code.startsWith('SQLITE_');
}

/** How old an empty state file must be to be taken for a cut one rather than one being created. */
const EMPTY_FILE_GRACE_MS = 10_000;

/**
 * Switches the file to WAL. SQLite answers SQLITE_BUSY at once, without the busy timeout, while another
 * connection opening the same new file holds it: several processes starting together must wait their turn.
 */
function enableWal(db: Db): void {
  const deadline = Date.now() + 5000;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (;;) {
    try {
      db.pragma('journal_mode = WAL');
      return;
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'SQLITE_BUSY' || Date.now() > deadline) throw error;
      Atomics.wait(pause, 0, 0, 10 + Math.random() * 20);
    }
  }
}

function migrate(db: Db, file: string): void {
  const version = Number(db.pragma('user_version', { simple: true }));
  if (version > SCHEMA_VERSION) {
    throw new StateStoreError(
      `state database ${file} has schema version ${version}, newer than this StreamPro understands ` +
        `(${SCHEMA_VERSION}); upgrade StreamPro or point STREAMPRO_HOME elsewhere`,
      'newer_schema',
    );
  }
  for (let v = version; v < SCHEMA_VERSION; v++) {
    db.transaction(() => {
      // Two processes opening a new file together both saw the old version: the one that takes the write
      // lock second must find the step done and skip it.
      if (Number(db.pragma('user_version', { simple: true })) > v) return;
      db.exec(MIGRATIONS[v]!);
      db.pragma(`user_version = ${v + 1}`);
    }).immediate();
  }
}
