import type pg from 'pg';
import type { TaskInstanceKey } from '../logging/logger.js';
import { LeaseLostError } from '../model/errors.js';
import type { RunState, TaskState } from '../model/states.js';
import type {
  BackfillDateRecord,
  BackfillRecord,
  BackfillState,
  NewBackfill,
  NewBackfillDate,
} from './backfill-records.js';
import type { PoolClaim, PoolRecord, PoolUsage } from './pool-records.js';
import { PostgresBackfills } from './postgres-backfills.js';
import { planBatch } from './postgres-batch.js';
import { isDriverError, NOT_FOUND_SQLSTATE, postgresStoreError } from './postgres-errors.js';
import { migratePostgres } from './postgres-migrate.js';
import { createPool, withClient } from './postgres-pool.js';
import { PostgresPools } from './postgres-pools.js';
import { latestRunsSql } from './postgres-ui-queries.js';
import { type PostgresTarget, parsePostgresUrl, quoteIdent } from './postgres-url.js';
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
import { checkFenceScope, groupGrid, joinLogPieces, leaseAvailable, normalizeGridQuery } from './shared.js';

type Row = Record<string, unknown>;

const str = (v: unknown): string => v as string;
const strOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : (v as string));
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
/** timestamptz columns arrive as Date; the records hold the ISO strings the engine wrote. */
const iso = (v: unknown): string => (v as Date).toISOString();
const isoOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : iso(v));

function toLease(r: Row): LeaseInfo | null {
  return r.lease_owner
    ? {
        owner: str(r.lease_owner),
        host: str(r.lease_host),
        pid: Number(r.lease_pid),
        heartbeatAt: iso(r.lease_heartbeat_at),
        expiresAt: iso(r.lease_expires_at),
        epoch: Number(r.lease_epoch),
      }
    : null;
}

function toAssetEvent(r: Row): AssetEventRecord {
  return {
    asset: str(r.asset),
    logicalDate: iso(r.logical_date),
    dagId: str(r.dag_id),
    runId: str(r.run_id),
    taskId: str(r.task_id),
    createdAt: iso(r.created_at),
  };
}

function toRun(r: Row): DagRunRecord {
  return {
    dagId: str(r.dag_id),
    runId: str(r.run_id),
    logicalDate: iso(r.logical_date),
    runType: str(r.run_type) as RunType,
    state: str(r.state) as RunState,
    params: r.params as DagRunRecord['params'],
    createdAt: iso(r.created_at),
    startedAt: isoOrNull(r.started_at),
    endedAt: isoOrNull(r.ended_at),
    lease: toLease(r),
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
    // json columns arrive parsed; SQL NULL is "no output".
    output: r.output === undefined ? null : r.output,
    startedAt: isoOrNull(r.started_at),
    endedAt: isoOrNull(r.ended_at),
    durationMs: numOrNull(r.duration_ms),
    nextTryAt: isoOrNull(r.next_try_at),
  };
}

function toTry(r: Row): TryRecord {
  return {
    dagId: str(r.dag_id),
    runId: str(r.run_id),
    taskId: str(r.task_id),
    tryNumber: Number(r.try_number),
    state: str(r.state) as TaskState,
    startedAt: iso(r.started_at),
    endedAt: isoOrNull(r.ended_at),
    durationMs: numOrNull(r.duration_ms),
    errorName: strOrNull(r.error_name),
    errorMessage: strOrNull(r.error_message),
    errorStack: strOrNull(r.error_stack),
    logPath: str(r.log_path),
    host: str(r.host),
    pid: Number(r.pid),
  };
}

function toDagState(r: Row): DagStateRecord {
  return { dagId: str(r.dag_id), paused: r.paused === true, updatedAt: iso(r.updated_at) };
}

const RUN_COLUMNS = `dag_id, run_id, logical_date, run_type, state, params, created_at, started_at, ended_at,
  lease_owner, lease_host, lease_pid, lease_heartbeat_at, lease_expires_at, lease_epoch`;
const TASK_COLUMNS = `dag_id, run_id, task_id, state, try_number, max_tries, output, started_at, ended_at,
  duration_ms, next_try_at`;

/**
 * RunStore on PostgreSQL (driver `pg`, a pool per store), for several processes and machines sharing one
 * state. Every write is one transaction; `apply` is one round trip: a call of `apply_changes` (installed by
 * a migration), which checks the fence under the run's row lock and writes the folded batch set-based. Tables
 * live in the URL's `?schema=` (default `public`).
 */
export class PostgresRunStore implements RunStore {
  readonly #pool: pg.Pool;
  readonly #target: PostgresTarget;
  readonly #t: {
    runs: string;
    tasks: string;
    tries: string;
    assets: string;
    apply: string;
    dagStates: string;
    schedulers: string;
    logs: string;
  };
  readonly #backfills: PostgresBackfills;
  readonly #pools: PostgresPools;
  #closed = false;

  private constructor(
    pool: pg.Pool,
    target: PostgresTarget,
    /** Migration steps this process applied when it opened the store (0 when another did, or none was due). */
    readonly migrated: number,
  ) {
    this.#pool = pool;
    this.#target = target;
    const s = quoteIdent(target.schema);
    this.#t = {
      runs: `${s}.dag_runs`,
      tasks: `${s}.task_instances`,
      tries: `${s}.task_tries`,
      assets: `${s}.asset_events`,
      apply: `${s}.apply_changes`,
      dagStates: `${s}.dag_states`,
      schedulers: `${s}.schedulers`,
      logs: `${s}.try_logs`,
    };
    this.#backfills = new PostgresBackfills(
      (name, text, values) => this.#query(name, text, values),
      (body) => this.#transaction(body),
      s,
    );
    this.#pools = new PostgresPools(
      (name, text, values) => this.#query(name, text, values),
      (body) => this.#transaction(body),
      s,
    );
  }

  /** The URL without its password. */
  get location(): string {
    return this.#target.display;
  }

  get schema(): string {
    return this.#target.schema;
  }

  /** The graphile-worker schema of this store's workers' queue: one per StreamPro schema. */
  get jobsSchema(): string {
    return this.#target.schema === 'public' ? 'graphile_worker' : `${this.#target.schema}_jobs`;
  }

  /** The driver options the store connects with (credentials included): the workers' queue uses them. */
  get poolConfig(): pg.PoolConfig {
    return this.#target.pool;
  }

  /**
   * Connects to `postgres://…` and migrates its schema (creating it when missing). Several processes may open
   * a new schema at once: an advisory lock lets one migrate while the others wait. A bad URL, a refused
   * connection or login, a missing database or a schema from a newer StreamPro is a StateStoreError.
   */
  static async open(url: string): Promise<PostgresRunStore> {
    const target = parsePostgresUrl(url);
    const pool = await createPool(target);
    try {
      const migrated = await migratePostgres(pool, target);
      return new PostgresRunStore(pool, target, migrated);
    } catch (error) {
      await pool.end().catch(() => {});
      throw isDriverError(error) ? postgresStoreError(target, error, true) : error;
    }
  }

  async ensureRun(run: NewRun, taskIds: readonly string[]): Promise<{ run: DagRunRecord; created: boolean }> {
    const { rows } = await this.#query<{ created: number }>(
      'ensure_run',
      `WITH ins AS (
         INSERT INTO ${this.#t.runs} (dag_id, run_id, logical_date, run_type, state, params, created_at)
         VALUES ($1, $2, $3, $4, 'queued', $5::json, $6)
         -- No conflict target: two processes creating one run collide on the primary key (same run id) as
         -- well as on (dag_id, logical_date), and a named target would let the other one raise.
         ON CONFLICT DO NOTHING
         RETURNING dag_id, run_id),
       tis AS (
         INSERT INTO ${this.#t.tasks} (dag_id, run_id, task_id, state, try_number, max_tries)
         SELECT ins.dag_id, ins.run_id, t.task_id, 'none', 0, 0
         FROM ins CROSS JOIN unnest($7::text[]) WITH ORDINALITY AS t(task_id, n)
         ORDER BY t.n
         ON CONFLICT DO NOTHING)
       SELECT count(*)::integer AS created FROM ins`,
      [
        run.dagId,
        run.runId,
        run.logicalDate,
        run.runType,
        JSON.stringify(run.params),
        run.createdAt,
        [...taskIds],
      ],
    );
    const created = rows[0]!.created > 0;
    // Read after the insert's commit: a run another process created meanwhile is visible now.
    const stored = await this.findRunByLogicalDate(run.dagId, run.logicalDate);
    if (!stored) throw new Error(`run ${run.dagId}/${run.runId} vanished while it was created`);
    return { run: stored, created };
  }

  async getRun(dagId: string, runId: string): Promise<DagRunRecord | undefined> {
    const { rows } = await this.#query(
      'get_run',
      `SELECT ${RUN_COLUMNS} FROM ${this.#t.runs} WHERE dag_id = $1 AND run_id = $2`,
      [dagId, runId],
    );
    return rows[0] && toRun(rows[0]);
  }

  async findRunByLogicalDate(dagId: string, logicalDate: string): Promise<DagRunRecord | undefined> {
    const { rows } = await this.#query(
      'run_by_date',
      `SELECT ${RUN_COLUMNS} FROM ${this.#t.runs} WHERE dag_id = $1 AND logical_date = $2`,
      [dagId, logicalDate],
    );
    return rows[0] && toRun(rows[0]);
  }

  async listRuns(dagId: string | undefined, filter: RunFilter = {}): Promise<DagRunRecord[]> {
    // NULL parameters switch a condition off; COLLATE "C" orders DAG ids by code point, as SQLite does.
    const { rows } = await this.#query(
      'list_runs',
      `SELECT ${RUN_COLUMNS} FROM ${this.#t.runs}
       WHERE ($1::text IS NULL OR dag_id = $1) AND ($2::text IS NULL OR state = $2)
       ORDER BY logical_date DESC, dag_id COLLATE "C" LIMIT $3`,
      [
        dagId ?? null,
        filter.state ?? null,
        filter.limit === undefined ? null : Math.max(0, Math.floor(filter.limit)),
      ],
    );
    return rows.map(toRun);
  }

  async listTaskInstances(dagId: string, runId: string): Promise<TaskInstanceRecord[]> {
    const { rows } = await this.#query(
      'tasks',
      `SELECT ${TASK_COLUMNS} FROM ${this.#t.tasks} WHERE dag_id = $1 AND run_id = $2 ORDER BY seq`,
      [dagId, runId],
    );
    return rows.map(toTask);
  }

  async listTaskGrid(dagId: string, query: TaskGridQuery = {}): Promise<TaskGridRun[]> {
    const q = normalizeGridQuery(query);
    const { rows } = await this.#query(
      'task_grid',
      `WITH r AS (
         SELECT ${RUN_COLUMNS} FROM ${this.#t.runs}
         WHERE dag_id = $1 AND ($2::timestamptz IS NULL OR logical_date >= $2)
           AND ($3::timestamptz IS NULL OR logical_date < $3)
         ORDER BY logical_date DESC LIMIT $4)
       SELECT r.*, t.task_id AS t_task_id, t.state AS t_state, t.try_number AS t_try_number,
         t.max_tries AS t_max_tries, t.output AS t_output, t.started_at AS t_started_at,
         t.ended_at AS t_ended_at, t.duration_ms AS t_duration_ms, t.next_try_at AS t_next_try_at
       FROM r LEFT JOIN ${this.#t.tasks} t ON t.dag_id = r.dag_id AND t.run_id = r.run_id
       ORDER BY r.logical_date DESC, t.seq`,
      [dagId, q.from ?? null, q.to ?? null, q.limit ?? null],
    );
    return groupGrid(rows, toRun, (r) =>
      toTask({
        dag_id: r.dag_id,
        run_id: r.run_id,
        task_id: r.t_task_id,
        state: r.t_state,
        try_number: r.t_try_number,
        max_tries: r.t_max_tries,
        output: r.t_output,
        started_at: r.t_started_at,
        ended_at: r.t_ended_at,
        duration_ms: r.t_duration_ms,
        next_try_at: r.t_next_try_at,
      }),
    );
  }

  async listTries(dagId: string, runId: string, taskId?: string): Promise<TryRecord[]> {
    const { rows } = await this.#query(
      'tries',
      `SELECT * FROM ${this.#t.tries}
       WHERE dag_id = $1 AND run_id = $2 AND ($3::text IS NULL OR task_id = $3)
       ORDER BY task_id COLLATE "C", try_number`,
      [dagId, runId, taskId ?? null],
    );
    return rows.map(toTry);
  }

  async acquireLease(
    dagId: string,
    runId: string,
    claim: LeaseClaim,
    canTakeOver: (holder: LeaseInfo) => boolean,
  ): Promise<LeaseResult> {
    // The row lock is held from the read to the commit: two processes cannot both see the lease free, and a
    // fenced batch of the previous holder waits, then finds the new epoch.
    return this.#transaction(async (client) => {
      const { rows } = await client.query<Row>(
        `SELECT lease_owner, lease_host, lease_pid, lease_heartbeat_at, lease_expires_at, lease_epoch
         FROM ${this.#t.runs} WHERE dag_id = $1 AND run_id = $2 FOR UPDATE`,
        [dagId, runId],
      );
      if (!rows[0]) throw new Error(`no run ${dagId}/${runId}`);
      const holder = toLease(rows[0]);
      if (holder && !leaseAvailable(holder, claim, canTakeOver)) return { acquired: false, holder };
      const set = await client.query<{ lease_epoch: number }>(
        `UPDATE ${this.#t.runs} SET lease_owner = $3, lease_host = $4, lease_pid = $5,
           lease_heartbeat_at = $6, lease_expires_at = $7, lease_epoch = lease_epoch + 1
         WHERE dag_id = $1 AND run_id = $2 RETURNING lease_epoch`,
        [dagId, runId, claim.owner, claim.host, claim.pid, claim.now, claim.expiresAt],
      );
      return {
        acquired: true,
        epoch: Number(set.rows[0]!.lease_epoch),
        tookOverFrom: holder && holder.owner !== claim.owner ? holder : null,
      };
    });
  }

  async renewLease(fence: Fence, now: string, expiresAt: string): Promise<boolean> {
    const r = await this.#query(
      'renew_lease',
      `UPDATE ${this.#t.runs} SET lease_heartbeat_at = $5, lease_expires_at = $6
       WHERE dag_id = $1 AND run_id = $2 AND lease_owner = $3 AND lease_epoch = $4`,
      [fence.dagId, fence.runId, fence.owner, fence.epoch, now, expiresAt],
    );
    return (r.rowCount ?? 0) > 0;
  }

  async releaseLease(fence: Fence): Promise<void> {
    // lease_epoch stays: the next acquisition continues from it.
    await this.#query(
      'release_lease',
      `UPDATE ${this.#t.runs} SET lease_owner = NULL, lease_host = NULL, lease_pid = NULL,
         lease_heartbeat_at = NULL, lease_expires_at = NULL
       WHERE dag_id = $1 AND run_id = $2 AND lease_owner = $3 AND lease_epoch = $4`,
      [fence.dagId, fence.runId, fence.owner, fence.epoch],
    );
  }

  /**
   * One statement, so one round trip and one transaction (autocommit): the batch is folded into one row per
   * stored row (`planBatch`), and `apply_changes` checks the fence under the run's row lock and writes each
   * table with one set-based statement; an error anywhere rolls all of it back.
   */
  async apply(changes: readonly StateChange[], fence?: Fence): Promise<void> {
    if (changes.length === 0) return;
    if (fence) checkFenceScope(fence, changes);
    const args = [JSON.stringify(planBatch(changes)), fence ? JSON.stringify(fence) : null];
    const applySql = `SELECT * FROM ${this.#t.apply}($1::jsonb, $2::json)`;
    const dispatches = changes.filter((c) => c.kind === 'dispatch');
    const rows =
      dispatches.length === 0
        ? (await this.#query('apply', applySql, args)).rows
        : await this.#transaction(async (client) => {
            const applied = await client.query<Row>(applySql, args);
            // A lost fence wrote nothing: add no job either (the transaction commits nothing).
            if (applied.rows[0]?.lost) return applied.rows;
            await client.query(
              `SELECT ${quoteIdent(this.jobsSchema)}.add_job(d.task, d.payload, NULL, NULL, 1, d.job_key),
                 CASE WHEN d.channel IS NOT NULL THEN pg_notify(d.channel, d.note) END
               FROM json_to_recordset($1::json) AS d(task text, payload json, job_key text, channel text, note text)`,
              [
                JSON.stringify(
                  dispatches.map((d) => ({
                    task: d.task,
                    payload: d.payload,
                    job_key: d.jobKey,
                    channel: d.notify?.channel ?? null,
                    note: d.notify?.payload ?? null,
                  })),
                ),
              ],
            );
            return applied.rows;
          });
    const lost = rows[0];
    if (lost?.lost) {
      const holder = lost.lost_owner
        ? toLease({
            lease_owner: lost.lost_owner,
            lease_host: lost.lost_host,
            lease_pid: lost.lost_pid,
            lease_heartbeat_at: lost.lost_heartbeat_at,
            lease_expires_at: lost.lost_expires_at,
            lease_epoch: lost.lost_epoch,
          })
        : null;
      throw new LeaseLostError(fence!.dagId, fence!.runId, fence!.epoch, holder);
    }
  }

  async listAssetEvents(asset: string, logicalDate: string): Promise<AssetEventRecord[]> {
    const { rows } = await this.#query(
      'assets',
      `SELECT asset, logical_date, dag_id, run_id, task_id, created_at FROM ${this.#t.assets}
       WHERE asset = $1 AND logical_date = $2 ORDER BY seq`,
      [asset, logicalDate],
    );
    return rows.map(toAssetEvent);
  }

  async listAssetEventsBetween(asset: string, from: string | null, to: string): Promise<AssetEventRecord[]> {
    const { rows } = await this.#query(
      'assets_between',
      `SELECT asset, logical_date, dag_id, run_id, task_id, created_at FROM ${this.#t.assets}
       WHERE asset = $1 AND ($2::timestamptz IS NULL OR logical_date >= $2) AND logical_date <= $3
       ORDER BY logical_date, seq`,
      [asset, from, to],
    );
    return rows.map(toAssetEvent);
  }

  async listAssetEventsSince(since: string): Promise<AssetEventRecord[]> {
    const { rows } = await this.#query(
      'assets_since',
      `SELECT asset, logical_date, dag_id, run_id, task_id, created_at FROM ${this.#t.assets}
       WHERE created_at >= $1 ORDER BY created_at, seq`,
      [since],
    );
    return rows.map(toAssetEvent);
  }

  createBackfill(backfill: NewBackfill, dates: readonly NewBackfillDate[]): Promise<BackfillRecord> {
    return this.#backfills.createBackfill(backfill, dates);
  }

  getBackfill(id: number): Promise<BackfillRecord | undefined> {
    return this.#backfills.getBackfill(id);
  }

  listBackfills(dagId?: string): Promise<BackfillRecord[]> {
    return this.#backfills.listBackfills(dagId);
  }

  listBackfillDates(id: number): Promise<BackfillDateRecord[]> {
    return this.#backfills.listBackfillDates(id);
  }

  setBackfillState(
    id: number,
    state: BackfillState,
    at: string,
    from: readonly BackfillState[],
    completedAt?: string,
  ): Promise<BackfillRecord | undefined> {
    return this.#backfills.setBackfillState(id, state, at, from, completedAt);
  }

  claimBackfillDate(id: number, logicalDate: string, runId: string, at: string): Promise<boolean> {
    return this.#backfills.claimBackfillDate(id, logicalDate, runId, at);
  }

  async appendTryLog(key: TaskInstanceKey, offset: number, text: string): Promise<void> {
    await this.#query(
      'append_log',
      `INSERT INTO ${this.#t.logs} (dag_id, run_id, task_id, try_number, byte_offset, body)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
      [key.dagId, key.runId, key.taskId, key.tryNumber, offset, text],
    );
  }

  async readTryLog(key: TaskInstanceKey, from = 0): Promise<{ text: string; end: number } | undefined> {
    const { rows } = await this.#query(
      'read_log',
      `SELECT byte_offset AS "offset", body FROM ${this.#t.logs}
       WHERE dag_id = $1 AND run_id = $2 AND task_id = $3 AND try_number = $4 AND byte_offset >= $5
       ORDER BY byte_offset`,
      [key.dagId, key.runId, key.taskId, key.tryNumber, from],
    );
    return joinLogPieces(
      rows.map((r) => ({ offset: Number(r.offset), body: r.body as string })),
      from,
    );
  }

  async setPool(name: string, slots: number, description: string, at: string): Promise<PoolRecord> {
    return this.#pools.setPool(name, slots, description, at);
  }

  async deletePool(name: string): Promise<boolean> {
    return this.#pools.deletePool(name);
  }

  async listPools(now: string): Promise<PoolUsage[]> {
    return this.#pools.listPools(now);
  }

  async claimPoolSlots(claims: readonly PoolClaim[], now: string): Promise<boolean[]> {
    return this.#pools.claimPoolSlots(claims, now);
  }

  async ensureDagState(dagId: string, paused: boolean, at: string): Promise<DagStateRecord> {
    // ON CONFLICT DO NOTHING returns no row for an existing state: read it then (it is never deleted).
    const inserted = await this.#query(
      'ensure_dag_state',
      `INSERT INTO ${this.#t.dagStates} (dag_id, paused, updated_at) VALUES ($1, $2, $3)
       ON CONFLICT (dag_id) DO NOTHING RETURNING *`,
      [dagId, paused, at],
    );
    if (inserted.rows[0]) return toDagState(inserted.rows[0]);
    const { rows } = await this.#query('dag_state', `SELECT * FROM ${this.#t.dagStates} WHERE dag_id = $1`, [
      dagId,
    ]);
    return toDagState(rows[0]!);
  }

  async setDagPaused(dagId: string, paused: boolean, at: string): Promise<DagStateRecord> {
    const { rows } = await this.#query(
      'set_dag_paused',
      `INSERT INTO ${this.#t.dagStates} (dag_id, paused, updated_at) VALUES ($1, $2, $3)
       ON CONFLICT (dag_id) DO UPDATE SET paused = EXCLUDED.paused, updated_at = EXCLUDED.updated_at
       RETURNING *`,
      [dagId, paused, at],
    );
    return toDagState(rows[0]!);
  }

  async listDagStates(): Promise<DagStateRecord[]> {
    const { rows } = await this.#query(
      'dag_states',
      `SELECT * FROM ${this.#t.dagStates} ORDER BY dag_id COLLATE "C"`,
      [],
    );
    return rows.map(toDagState);
  }

  async heartbeatScheduler(record: SchedulerRecord): Promise<void> {
    await this.#query(
      'heartbeat_scheduler',
      `INSERT INTO ${this.#t.schedulers}
         (scheduler_id, host, pid, started_at, heartbeat_at, last_scheduled_at, state)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (scheduler_id) DO UPDATE SET host = EXCLUDED.host, pid = EXCLUDED.pid,
         started_at = EXCLUDED.started_at, heartbeat_at = EXCLUDED.heartbeat_at,
         last_scheduled_at = EXCLUDED.last_scheduled_at, state = EXCLUDED.state`,
      [
        record.schedulerId,
        record.host,
        record.pid,
        record.startedAt,
        record.heartbeatAt,
        record.lastScheduledAt,
        record.state,
      ],
    );
  }

  async listSchedulers(): Promise<SchedulerRecord[]> {
    const { rows } = await this.#query(
      'schedulers',
      `SELECT * FROM ${this.#t.schedulers} ORDER BY started_at DESC, scheduler_id COLLATE "C"`,
      [],
    );
    return rows.map((r) => ({
      schedulerId: str(r.scheduler_id),
      host: str(r.host),
      pid: Number(r.pid),
      startedAt: iso(r.started_at),
      heartbeatAt: iso(r.heartbeat_at),
      lastScheduledAt: isoOrNull(r.last_scheduled_at),
      state: str(r.state) as SchedulerRecord['state'],
    }));
  }

  async listLatestRuns(perDag: number): Promise<DagRunRecord[]> {
    const { rows } = await this.#query('latest_runs', latestRunsSql(this.#t.runs, RUN_COLUMNS), [
      Math.max(0, Math.floor(perDag)),
    ]);
    return rows.map(toRun);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#pool.end();
  }

  /**
   * A statement on a pooled connection, prepared once per connection under `name` (the schema is part of the
   * text, so one name never means two statements on one store). Driver errors become StateStoreError.
   */
  async #query<R extends Row = Row>(
    name: string,
    text: string,
    values: readonly unknown[],
  ): Promise<pg.QueryResult<R>> {
    try {
      return await this.#pool.query<R>({ name: `streampro_${name}`, text, values: [...values] });
    } catch (error) {
      throw this.#mapped(error);
    }
  }

  /** Runs `body` in a transaction on one connection of the pool. */
  async #transaction<T>(body: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    try {
      return await withClient(this.#pool, async (client) => {
        await client.query('BEGIN');
        try {
          const result = await body(client);
          await client.query('COMMIT');
          return result;
        } catch (error) {
          await client.query('ROLLBACK').catch(() => {});
          throw error;
        }
      });
    } catch (error) {
      throw this.#mapped(error);
    }
  }

  #mapped(error: unknown): unknown {
    const code = (error as { code?: unknown } | null)?.code;
    // apply_changes' "no run / no task instance": the same plain Error as the other stores.
    if (code === NOT_FOUND_SQLSTATE) return new Error((error as Error).message);
    return isDriverError(error) ? postgresStoreError(this.#target, error, false) : error;
  }
}
