import os from 'node:os';
import type pg from 'pg';
import { processAlive } from '../engine/lease.js';
import type { CancelOptions, Executor, ExecutorListener } from '../executor/executor.js';
import { type TryJob, tryLabel } from '../executor/try-descriptor.js';
import { fromWireOutcome, type WireOutcome } from '../executor/worker-protocol.js';
import type { TaskInstanceKey } from '../logging/logger.js';
import { WorkerLostError } from '../model/errors.js';
import { quoteIdent } from '../store/postgres-url.js';
import type { StateChange } from '../store/records.js';
import type { QueueDatabase } from './queue-database.js';
import { tryTaskOf } from './queue-database.js';
import type { TryJobPayload } from './try-job.js';

export interface QueueExecutorOptions {
  /** A worker silent for longer than this has lost its tries (they are failed and retried by the policy). */
  readonly workerTtlMs?: number;
  /** How often reports and worker heartbeats are read when no notification arrives. @default 250 (a same-host worker killed is noticed within about that) */
  readonly pollMs?: number;
}

interface Waiting {
  readonly key: TaskInstanceKey;
  readonly listener: ExecutorListener;
  /** The worker that took the job, once it said so (before the try's process starts). */
  workerId: string | null;
  startReported: boolean;
}

/**
 * Hands tries to `dag worker` processes through graphile-worker on the state's PostgreSQL: the job is
 * added in the transaction that marks the try `queued` (`dispatchChange`), workers report start and end in
 * the queue's tables, and this executor turns those reports into listener calls (the run's owner stays
 * the one writer of task state). A worker silent past `workerTtlMs` (or whose process is gone, on this
 * host) loses its tries: `WorkerLostError`, retryable; its late reports are ignored and it is told to stop.
 */
export class QueueExecutor implements Executor {
  readonly #db: QueueDatabase;
  readonly #ttlMs: number;
  readonly #waiting = new Map<string, Waiting>();
  readonly #listen: pg.PoolClient;
  readonly #timer: NodeJS.Timeout;
  #polling = false;
  #again = false;
  #closed = false;
  #lastWorkerCheckMs = 0;

  private constructor(db: QueueDatabase, listen: pg.PoolClient, options: QueueExecutorOptions) {
    this.#db = db;
    this.#ttlMs = options.workerTtlMs ?? 10_000;
    this.#listen = listen;
    listen.on('notification', () => this.#poll());
    listen.on('error', () => {});
    this.#timer = setInterval(() => this.#poll(), options.pollMs ?? 250);
    this.#timer.unref();
  }

  static async open(db: QueueDatabase, options: QueueExecutorOptions = {}): Promise<QueueExecutor> {
    const listen = await db.pool.connect();
    await listen.query(`LISTEN ${quoteIdent(db.channel)}`);
    return new QueueExecutor(db, listen, options);
  }

  dispatchChange(job: TryJob): StateChange {
    const payload: TryJobPayload = { descriptor: job.descriptor };
    return {
      kind: 'dispatch',
      dagId: job.descriptor.key.dagId,
      runId: job.descriptor.key.runId,
      task: tryTaskOf(job.descriptor.queue),
      jobKey: tryLabel(job.descriptor.key),
      payload,
      // Workers that hold an older try of this run check its lease at once (it may have a new owner).
      notify: {
        channel: this.#db.workChannel,
        payload: `run ${job.descriptor.key.dagId} ${job.descriptor.key.runId}`,
      },
    };
  }

  submit(job: TryJob, listener: ExecutorListener): void {
    const key = job.descriptor.key;
    this.#waiting.set(tryLabel(key), { key, listener, workerId: null, startReported: false });
    this.#poll();
  }

  cancel(key: TaskInstanceKey, error: Error, _options?: CancelOptions): void {
    const label = tryLabel(key);
    const entry = this.#waiting.get(label);
    if (!entry) return;
    this.#waiting.delete(label);
    entry.listener.finished(key, { kind: 'failed', error, retryable: false });
    void this.#stopJob(label, error.message);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#timer);
    this.#listen.release();
    await this.#db.pool.end().catch(() => {});
  }

  /** Reads reports (and, for started tries, their workers' heartbeats) now, or right after the read in flight. */
  #poll(): void {
    if (this.#closed || this.#waiting.size === 0) return;
    if (this.#polling) {
      this.#again = true;
      return;
    }
    this.#polling = true;
    this.#read()
      .catch(() => {})
      .finally(() => {
        this.#polling = false;
        if (this.#again) {
          this.#again = false;
          this.#poll();
        }
      });
  }

  async #read(): Promise<void> {
    const keys = [...this.#waiting.keys()];
    const { rows } = await this.#db.pool.query<{
      job_key: string;
      kind: string;
      worker_id: string;
      host: string;
      pid: number;
      outcome: WireOutcome | null;
    }>(
      `SELECT job_key, kind, worker_id, host, pid, outcome FROM ${this.#db.tables.reports}
       WHERE job_key = ANY($1::text[]) ORDER BY id`,
      [keys],
    );
    for (const r of rows) {
      const entry = this.#waiting.get(r.job_key);
      if (!entry) continue;
      if (r.kind === 'claimed' || r.kind === 'started') entry.workerId = r.worker_id;
      if (r.kind === 'started' && !entry.startReported) {
        entry.startReported = true;
        entry.listener.started(entry.key, { host: r.host, pid: r.pid });
      } else if (r.kind === 'finished' && r.outcome) {
        this.#waiting.delete(r.job_key);
        entry.listener.finished(entry.key, fromWireOutcome(r.outcome));
      }
    }
    // Worker heartbeats at most every 250 ms (a burst of reports needs one look, not one each).
    if (Date.now() - this.#lastWorkerCheckMs >= 250) {
      this.#lastWorkerCheckMs = Date.now();
      await this.#checkWorkers();
    }
  }

  /** Fails the tries of workers that went silent (or whose process is gone on this host). */
  async #checkWorkers(): Promise<void> {
    const held = new Map<string, string[]>();
    for (const [label, entry] of this.#waiting) {
      if (entry.workerId) held.set(entry.workerId, [...(held.get(entry.workerId) ?? []), label]);
    }
    if (held.size === 0) return;
    const { rows } = await this.#db.pool.query<{
      worker_id: string;
      host: string;
      pid: number;
      silent_ms: number;
    }>(
      `SELECT worker_id, host, pid, extract(epoch FROM (now() - heartbeat_at)) * 1000 AS silent_ms
       FROM ${this.#db.tables.workers} WHERE worker_id = ANY($1::text[])`,
      [[...held.keys()]],
    );
    const seen = new Map(rows.map((r) => [r.worker_id, r]));
    for (const [workerId, labels] of held) {
      const w = seen.get(workerId);
      const reason = !w
        ? 'it has no heartbeat row'
        : w.host === os.hostname() && !processAlive(w.pid)
          ? `its process ${w.pid} on ${w.host} is gone`
          : Number(w.silent_ms) > this.#ttlMs
            ? `no heartbeat for ${Math.round(Number(w.silent_ms))} ms (TTL ${this.#ttlMs} ms)`
            : null;
      if (!reason) continue;
      for (const label of labels) {
        const entry = this.#waiting.get(label);
        if (!entry) continue;
        this.#waiting.delete(label);
        entry.listener.finished(entry.key, {
          kind: 'failed',
          error: new WorkerLostError(workerId, reason),
          retryable: true,
        });
        await this.#stopJob(label, `worker lost: ${reason}`);
      }
    }
  }

  /** Removes the try's job if no worker took it, and tells a worker that has it to stop it. */
  async #stopJob(jobKey: string, reason: string): Promise<void> {
    try {
      await this.#db.pool.query(`SELECT ${quoteIdent(this.#db.jobsSchema)}.remove_job($1)`, [jobKey]);
      await this.#db.pool.query(
        `INSERT INTO ${this.#db.tables.cancels} (job_key, reason) VALUES ($1, $2) ON CONFLICT DO NOTHING`,
        [jobKey, reason],
      );
      await this.#db.pool.query('SELECT pg_notify($1, $2)', [this.#db.workChannel, `cancel ${jobKey}`]);
    } catch {
      // The database is unreachable: the worker stops the try when its own heartbeat fails.
    }
  }
}
