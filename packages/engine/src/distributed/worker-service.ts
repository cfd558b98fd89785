import { randomBytes } from 'node:crypto';
import os from 'node:os';
import type { JobHelpers, Runner } from 'graphile-worker';
import type pg from 'pg';
import type { Executor, TryOutcome } from '../executor/executor.js';
import { type TryDescriptor, tryLabel } from '../executor/try-descriptor.js';
import { toWireOutcome } from '../executor/worker-protocol.js';
import { SecretMasker } from '../logging/mask.js';
import { runLogPath } from '../logging/run-log.js';
import { TaskInterruptedError } from '../model/errors.js';
import { DEFAULT_QUEUE } from '../model/options.js';
import { quoteIdent } from '../store/postgres-url.js';
import { LogShipper, type ShipLog } from './log-shipper.js';
import { type QueueDatabase, quietLogger, tryTaskOf } from './queue-database.js';
import type { TryJobPayload } from './try-job.js';

export interface WorkerServiceOptions {
  readonly db: QueueDatabase;
  /** Where tries run on this machine: a process pool (isolated children, timeouts enforced). */
  readonly executor: Executor;
  /** Tries at the same time. @default 4 */
  readonly concurrency?: number;
  /** The queues this worker serves (tasks name theirs with `queue`). @default ['default'] */
  readonly queues?: readonly string[];
  /**
   * The schedulers' TTL for workers (`STREAMPRO_WORKER_TTL_MS`, the same on every machine): a worker that
   * could not heartbeat for half of it stops its tries itself, before the schedulers declare them lost and
   * run them again elsewhere (a worker cut off from the database never overlaps its own retry). @default 10000
   */
  readonly ttlMs?: number;
  /** Heartbeat period. @default min(2000, ttlMs / 4) */
  readonly heartbeatMs?: number;
  /** Values masked in every log line (the connection credentials of this machine). */
  readonly secrets?: readonly string[];
  readonly workerId?: string;
  readonly onEvent?: (event: WorkerEvent) => void;
  /**
   * Where this machine keeps its tries' logs (the `dag logs` layout), and where they are shipped to so any
   * machine can read them: the run store's `appendTryLog`.
   */
  readonly logs: { readonly dir: string; readonly ship: ShipLog };
}

export type WorkerEvent =
  | {
      readonly type: 'started';
      readonly workerId: string;
      readonly concurrency: number;
      readonly queues: readonly string[];
    }
  | { readonly type: 'try-started'; readonly jobKey: string }
  | { readonly type: 'try-finished'; readonly jobKey: string; readonly outcome: TryOutcome['kind'] }
  | { readonly type: 'try-cancelled'; readonly jobKey: string; readonly reason: string }
  | { readonly type: 'error'; readonly message: string }
  | { readonly type: 'draining'; readonly running: number; readonly graceMs: number }
  | { readonly type: 'stopped'; readonly handedBack: number };

/** How often a worker checks that the runs of its tries still have the owner that dispatched them. */
const FENCE_CHECK_MS = 500;

interface Held {
  readonly descriptor: TryDescriptor;
  readonly done: Promise<void>;
}

/**
 * `dag worker`: takes try jobs from graphile-worker, runs each in an isolated process of this machine,
 * and reports start and end in the queue's tables (never task state: the run's owner writes that).
 * Heartbeats its row; stops a try a scheduler cancelled (or declared lost); on `stop`, takes no new jobs
 * and gives running tries `graceMs` before they are interrupted and reported as such (the owner retries).
 */
export class WorkerService {
  readonly workerId: string;
  readonly #o: WorkerServiceOptions;
  readonly #concurrency: number;
  readonly #held = new Map<string, Held>();
  readonly #masker: SecretMasker;
  readonly #emit: (event: WorkerEvent) => void;
  #runner: Runner | undefined;
  #listen: pg.PoolClient | undefined;
  #heartbeat: NodeJS.Timeout | undefined;
  #fenceTimer: NodeJS.Timeout | undefined;
  #fenceCheck: Promise<void> | undefined;
  #fenceAgain = false;
  /** Tries this worker stopped because their run changed owner (checked from timers and notifications). */
  readonly #stopped = new Set<string>();
  #state: 'running' | 'draining' | 'stopped' = 'running';
  readonly #startedAt = new Date().toISOString();
  readonly #ttlMs: number;
  /** When the last heartbeat reached the database (this machine's clock). */
  #lastBeatMs = Date.now();

  constructor(options: WorkerServiceOptions) {
    this.#o = options;
    this.#concurrency = options.concurrency ?? 4;
    this.#masker = new SecretMasker(options.secrets ?? []);
    this.#emit = options.onEvent ?? (() => {});
    this.#ttlMs = options.ttlMs ?? 10_000;
    this.workerId = options.workerId ?? `${os.hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  }

  get running(): number {
    return this.#held.size;
  }

  async start(): Promise<void> {
    const { db } = this.#o;
    await this.#beat();
    this.#heartbeat = setInterval(
      () => void this.#beat(),
      this.#o.heartbeatMs ?? Math.min(2000, this.#ttlMs / 4),
    );
    this.#fenceTimer = setInterval(() => {
      this.#checkCutOff();
      this.#checkFencesNow();
    }, FENCE_CHECK_MS);
    this.#listen = await db.pool.connect();
    this.#listen.on('error', () => {});
    this.#listen.on('notification', (n) => {
      if (n.channel !== db.workChannel || !n.payload) return;
      const [what, a, b] = n.payload.split(' ');
      // A cancel of a try held here, or a try dispatched for a run one of ours belongs to (its owner may
      // have changed: look at once); the other notices are for other workers.
      if (what === 'cancel' && a && this.#held.has(a)) void this.#checkCancels().catch(() => {});
      if (
        what === 'run' &&
        [...this.#held.values()].some((h) => h.descriptor.key.dagId === a && h.descriptor.key.runId === b)
      ) {
        this.#checkFencesNow();
      }
    });
    await this.#listen.query(`LISTEN ${quoteIdent(db.workChannel)}`);
    const { run } = await import('graphile-worker');
    this.#runner = await run({
      pgPool: db.pool,
      schema: db.jobsSchema,
      concurrency: this.#concurrency,
      noHandleSignals: true,
      pollInterval: 1000,
      logger: await quietLogger(),
      taskList: Object.fromEntries(
        (this.#o.queues ?? [DEFAULT_QUEUE]).map((queue) => [
          tryTaskOf(queue),
          (payload: unknown, helpers: JobHelpers) => this.#handle(payload as TryJobPayload, helpers),
        ]),
      ),
    });
    this.#emit({
      type: 'started',
      workerId: this.workerId,
      concurrency: this.#concurrency,
      queues: this.#o.queues ?? [DEFAULT_QUEUE],
    });
  }

  /** Takes no new job; running tries get `graceMs` to finish, then are interrupted and reported. */
  async stop(graceMs: number): Promise<void> {
    if (this.#state !== 'running') return;
    this.#state = 'draining';
    this.#emit({ type: 'draining', running: this.#held.size, graceMs });
    await this.#beat();
    const stopping = this.#runner?.stop();
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, graceMs);
    });
    await Promise.race([Promise.all([...this.#held.values()].map((h) => h.done)), grace]);
    clearTimeout(timer);
    const handedBack = this.#held.size;
    for (const [jobKey, h] of this.#held) {
      this.#o.executor.cancel(h.descriptor.key, new TaskInterruptedError(`worker ${this.workerId} stopped`), {
        kill: true,
      });
      this.#emit({ type: 'try-cancelled', jobKey, reason: 'worker stopping' });
    }
    await Promise.all([...this.#held.values()].map((h) => h.done));
    await stopping?.catch(() => {});
    this.#state = 'stopped';
    clearInterval(this.#heartbeat);
    clearInterval(this.#fenceTimer);
    await this.#beat();
    this.#listen?.release();
    await this.#o.executor.close();
    this.#emit({ type: 'stopped', handedBack });
  }

  async #handle(payload: TryJobPayload, _helpers: JobHelpers): Promise<void> {
    const { descriptor } = payload;
    const jobKey = tryLabel(descriptor.key);
    // First of all: from here on the owner counts this worker's heartbeat as the try's (a worker killed
    // before its try's process started is noticed like one killed during the try). The same statement says
    // whether the try was cancelled meanwhile and whether its run still has the owner that dispatched it.
    const claim = await this.#claim(jobKey, descriptor);
    if (claim.cancelled) return;
    const stale = staleReason(descriptor, claim.run);
    if (stale) {
      this.#emit({ type: 'try-cancelled', jobKey, reason: stale });
      return;
    }
    let settle = (): void => {};
    const done = new Promise<void>((resolve) => {
      settle = resolve;
    });
    this.#held.set(jobKey, { descriptor, done });
    // The log is written on this machine (the owner's path means nothing here) and shipped as it grows.
    const logPath = runLogPath(this.#o.logs.dir, descriptor.key);
    const shipper = new LogShipper(descriptor.key, logPath, this.#o.logs.ship);
    shipper.start();
    this.#o.executor.submit(
      { descriptor: { ...descriptor, logPath }, secrets: { params: {}, mask: this.#masker.values() } },
      {
        started: (_key, placement) => {
          this.#emit({ type: 'try-started', jobKey });
          void this.#report(jobKey, 'started', placement, null);
        },
        finished: (_key, outcome) => {
          this.#emit({ type: 'try-finished', jobKey, outcome: outcome.kind });
          // The whole log is stored before the owner hears the try ended: `dag logs` of an ended try is complete.
          void shipper
            .finish()
            .then((error) => {
              if (error)
                this.#emit({
                  type: 'error',
                  message: `could not ship the log of ${jobKey}: ${error.message}`,
                });
              return this.#report(jobKey, 'finished', { host: os.hostname(), pid: process.pid }, outcome);
            })
            .finally(() => {
              this.#held.delete(jobKey);
              settle();
            });
        },
      },
    );
    await done;
  }

  /** Reports the claim, and reads in the same round trip whether the try is cancelled and its run's lease. */
  async #claim(jobKey: string, d: TryDescriptor): Promise<{ cancelled: boolean; run: LeaseRow | undefined }> {
    const { db } = this.#o;
    // No notification: the owner needs the claim only to know whose heartbeat to watch, and reads it with
    // the next report (NOTIFY serialises committing transactions: it is kept for what is waited on).
    const { rows } = await db.pool.query<LeaseRow & { cancelled: boolean; found: boolean }>(
      `WITH report AS (
         INSERT INTO ${db.tables.reports} (job_key, worker_id, kind, host, pid) VALUES ($1, $2, 'claimed', $3, $4)
       )
       SELECT EXISTS (SELECT 1 FROM ${db.tables.cancels} WHERE job_key = $1) AS cancelled,
         run.dag_id IS NOT NULL AS found, run.lease_owner, run.lease_epoch,
         now() > run.lease_heartbeat_at + (run.lease_expires_at - run.lease_heartbeat_at) / 2 AS silent
       FROM (SELECT 1) AS one LEFT JOIN ${db.tables.runs} run ON run.dag_id = $5 AND run.run_id = $6`,
      [jobKey, this.workerId, os.hostname(), process.pid, d.key.dagId, d.key.runId],
    );
    const row = rows[0]!;
    return { cancelled: row.cancelled, run: row.found ? row : undefined };
  }

  async #report(
    jobKey: string,
    kind: 'started' | 'finished',
    placement: { host: string; pid: number },
    outcome: TryOutcome | null,
  ): Promise<void> {
    const { db } = this.#o;
    for (let attempt = 1; ; attempt++) {
      try {
        // One round trip: the report and the notification of the schedulers, in one statement.
        await db.pool.query(
          `WITH report AS (
             INSERT INTO ${db.tables.reports} (job_key, worker_id, kind, host, pid, outcome)
             VALUES ($1, $2, $3, $4, $5, $6)
           ) SELECT pg_notify($7, 'report ' || $1)`,
          [
            jobKey,
            this.workerId,
            kind,
            placement.host,
            placement.pid,
            outcome && toWireOutcome(outcome, this.#masker),
            db.channel,
          ],
        );
        return;
      } catch (error) {
        if (attempt >= 5) {
          this.#emit({
            type: 'error',
            message: `could not report ${kind} of ${jobKey}: ${(error as Error).message}`,
          });
          return;
        }
        await new Promise((r) => setTimeout(r, 200 * attempt));
      }
    }
  }

  async #beat(): Promise<void> {
    const { db } = this.#o;
    try {
      await db.pool.query(
        `INSERT INTO ${db.tables.workers} (worker_id, host, pid, concurrency, started_at, heartbeat_at, state)
         VALUES ($1, $2, $3, $4, $5, now(), $6)
         ON CONFLICT (worker_id) DO UPDATE SET heartbeat_at = now(), state = excluded.state`,
        [this.workerId, os.hostname(), process.pid, this.#concurrency, this.#startedAt, this.#state],
      );
      this.#lastBeatMs = Date.now();
      await this.#checkCancels();
    } catch (error) {
      this.#emit({ type: 'error', message: `heartbeat: ${(error as Error).message}` });
    }
  }

  /** Stops the tries a scheduler cancelled or declared lost (it retries them elsewhere). */
  async #checkCancels(): Promise<void> {
    if (this.#held.size === 0) return;
    const { db } = this.#o;
    const { rows } = await db.pool.query<{ job_key: string; reason: string }>(
      `SELECT job_key, reason FROM ${db.tables.cancels} WHERE job_key = ANY($1::text[])`,
      [[...this.#held.keys()]],
    );
    for (const r of rows) {
      const h = this.#held.get(r.job_key);
      if (!h) continue;
      this.#emit({ type: 'try-cancelled', jobKey: r.job_key, reason: r.reason });
      this.#o.executor.cancel(h.descriptor.key, new TaskInterruptedError(r.reason), { kill: true });
    }
  }

  /**
   * Stops every try when no heartbeat reached the database for half the TTL: the schedulers will soon count
   * this worker lost and run its tries elsewhere, so their bodies must be gone before that.
   */
  #checkCutOff(): void {
    const silentMs = Date.now() - this.#lastBeatMs;
    if (silentMs <= this.#ttlMs / 2) return;
    for (const [jobKey, h] of this.#held) {
      if (this.#stopped.has(jobKey)) continue;
      this.#stopped.add(jobKey);
      const reason = `no heartbeat reached the database for ${silentMs} ms (half the workers' TTL of ${this.#ttlMs} ms): the schedulers retry the try elsewhere`;
      this.#emit({ type: 'try-cancelled', jobKey, reason });
      this.#o.executor.cancel(h.descriptor.key, new TaskInterruptedError(reason), { kill: true });
    }
  }

  /** Checks the fences now, or right after the check in flight (one at a time). */
  #checkFencesNow(): void {
    if (this.#fenceCheck) {
      this.#fenceAgain = true;
      return;
    }
    this.#fenceCheck = this.#checkFences()
      .catch((error: Error) => this.#emit({ type: 'error', message: `fence check: ${error.message}` }))
      .finally(() => {
        this.#fenceCheck = undefined;
        if (this.#fenceAgain) {
          this.#fenceAgain = false;
          this.#checkFencesNow();
        }
      });
  }

  /** Stops the tries whose run changed owner since they were dispatched (their scheduler lost the run). */
  async #checkFences(): Promise<void> {
    const held = [...this.#held].filter(([jobKey, h]) => h.descriptor.fence && !this.#stopped.has(jobKey));
    if (held.length === 0) return;
    const { db } = this.#o;
    // One query for every try held here: the leases of their runs.
    const { rows } = await db.pool.query<LeaseRow & { dag_id: string; run_id: string }>(
      `SELECT dag_id, run_id, lease_owner, lease_epoch,
         now() > lease_heartbeat_at + (lease_expires_at - lease_heartbeat_at) / 2 AS silent
       FROM ${db.tables.runs}
       WHERE (dag_id, run_id) IN (SELECT * FROM unnest($1::text[], $2::text[]))`,
      [held.map(([, h]) => h.descriptor.key.dagId), held.map(([, h]) => h.descriptor.key.runId)],
    );
    const leases = new Map(rows.map((r) => [`${r.dag_id}\u0000${r.run_id}`, r]));
    for (const [jobKey, h] of held) {
      const { dagId, runId } = h.descriptor.key;
      const stale = staleReason(h.descriptor, leases.get(`${dagId}\u0000${runId}`));
      if (!stale || this.#stopped.has(jobKey)) continue;
      this.#stopped.add(jobKey);
      this.#emit({ type: 'try-cancelled', jobKey, reason: stale });
      this.#o.executor.cancel(h.descriptor.key, new TaskInterruptedError(stale), { kill: true });
    }
  }
}

/** A run's lease as a worker checks it: owner, epoch, and whether the owner stopped renewing it. */
interface LeaseRow {
  readonly lease_owner: string | null;
  readonly lease_epoch: number;
  readonly silent: boolean | null;
}

/** Why a job must not run given its run's lease (undefined: the run is gone), or null when it may. */
function staleReason(d: TryDescriptor, run: LeaseRow | undefined): string | null {
  if (!d.fence) return null;
  if (!run) return 'its run no longer exists';
  if (run.lease_owner !== d.fence.owner || Number(run.lease_epoch) !== d.fence.epoch) {
    return `dispatched under lease epoch ${d.fence.epoch} of ${d.fence.owner}, the run is now at epoch ${run.lease_epoch} of ${run.lease_owner ?? 'nobody'}`;
  }
  // As a local worker process does: stop once the owner is silent for half its lease, before another
  // scheduler can take the run over and start the next try.
  if (run.silent) return `its scheduler ${d.fence.owner} has not renewed the run's lease for half its TTL`;
  return null;
}
