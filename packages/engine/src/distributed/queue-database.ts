// graphile-worker is pinned to 0.17.x: 0.18 needs Node 22.18, and a 0.16 client refuses a 0.17 database.

import type { Logger } from 'graphile-worker';
import type pg from 'pg';
import { DEFAULT_QUEUE } from '../model/options.js';
import { withClient } from '../store/postgres-pool.js';
import type { PostgresRunStore } from '../store/postgres-store.js';
import { quoteIdent } from '../store/postgres-url.js';

/** Where the workers' queue lives: the store's pool options, its schema and the graphile-worker schema. */
export interface QueueDatabase {
  readonly pool: pg.Pool;
  /** Quoted tables of the queue, in the store's schema. */
  readonly tables: {
    readonly workers: string;
    readonly reports: string;
    readonly cancels: string;
    /** The store's runs: a worker checks a try's lease epoch there before running it. */
    readonly runs: string;
  };
  /** graphile-worker's schema (unquoted, as its options take it). */
  readonly jobsSchema: string;
  /** NOTIFY channel of the workers' reports, for the schedulers of this schema. */
  readonly channel: string;
  /** NOTIFY channel of cancels and dispatch notices, for the workers of this schema. */
  readonly workChannel: string;
}

/**
 * Opens the queue beside a PostgreSQL store: graphile-worker's schema (its migrations) and StreamPro's three
 * tables (worker heartbeats, try reports, cancel requests), created once under an advisory lock. Only the
 * scheduler writes task state; workers write these tables.
 */
export async function openQueueDatabase(
  store: PostgresRunStore,
  /** Connections of the pool: a worker needs more than graphile-worker's concurrency + 3 (see `dag worker`). */
  maxConnections = 4,
): Promise<QueueDatabase> {
  // Loaded on first use: commands that never touch the queue do not pay for graphile-worker or pg.
  const [{ runMigrations }, { default: driver }] = await Promise.all([
    import('graphile-worker'),
    import('pg'),
  ]);
  const pool = new driver.Pool({ ...store.poolConfig, max: maxConnections });
  // Errors of idle and checked-out connections come back on the next query; the process must not end.
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));
  const s = quoteIdent(store.schema);
  const tables = {
    workers: `${s}.queue_workers`,
    reports: `${s}.queue_try_reports`,
    cancels: `${s}.queue_try_cancels`,
    runs: `${s}.dag_runs`,
  };
  try {
    await runMigrations({ pgPool: pool, schema: store.jobsSchema, logger: await quietLogger() });
    await withClient(pool, async (client) => {
      await client.query('BEGIN');
      try {
        await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [
          `streampro-queue:${store.schema}`,
        ]);
        await client.query(`
          CREATE TABLE IF NOT EXISTS ${tables.workers} (
            worker_id text PRIMARY KEY,
            host text NOT NULL,
            pid integer NOT NULL,
            concurrency integer NOT NULL,
            started_at timestamptz NOT NULL,
            heartbeat_at timestamptz NOT NULL,
            state text NOT NULL
          );
          CREATE TABLE IF NOT EXISTS ${tables.reports} (
            id bigserial PRIMARY KEY,
            job_key text NOT NULL,
            worker_id text NOT NULL,
            kind text NOT NULL,
            host text NOT NULL,
            pid integer NOT NULL,
            -- json, not jsonb: a task output keeps its key order, as the state store keeps it.
            outcome json,
            created_at timestamptz NOT NULL DEFAULT now()
          );
          CREATE INDEX IF NOT EXISTS queue_try_reports_by_key ON ${tables.reports} (job_key);
          CREATE TABLE IF NOT EXISTS ${tables.cancels} (
            job_key text PRIMARY KEY,
            reason text NOT NULL,
            created_at timestamptz NOT NULL DEFAULT now()
          );`);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        throw error;
      }
    });
  } catch (error) {
    await pool.end().catch(() => {});
    throw error;
  }
  return {
    pool,
    tables,
    jobsSchema: store.jobsSchema,
    channel: `streampro_queue_${store.schema}`.slice(0, 63),
    workChannel: `streampro_work_${store.schema}`.slice(0, 63),
  };
}

/** What graphile-worker logs through: silent but for errors, which reach stderr. */
export async function quietLogger(): Promise<Logger> {
  const { Logger } = await import('graphile-worker');
  return new Logger(() => (level, message) => {
    if (String(level) === 'error') process.stderr.write(`graphile-worker: ${message}\n`);
  });
}

/** The task identifier of StreamPro's try jobs (those of the default queue). */
export const TRY_TASK = 'streampro_try';

/**
 * The graphile-worker task identifier of a queue's try jobs. Queues are task identifiers, not
 * graphile-worker's `queue_name` (which runs a named queue's jobs one at a time): a worker fetches only the
 * identifiers of its task list, so `dag worker --queue duckdb` takes only the jobs of that queue.
 */
export function tryTaskOf(queue: string | undefined): string {
  return queue === undefined || queue === DEFAULT_QUEUE ? TRY_TASK : `${TRY_TASK}:${queue}`;
}
