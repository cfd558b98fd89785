import { randomBytes } from 'node:crypto';
import os from 'node:os';
import type { EngineEvent, RunResult } from '../engine/api-types.js';
import type { Engine } from '../engine/engine.js';
import type { Dag } from '../model/dag.js';
import { LeaseConflictError } from '../model/errors.js';
import type { RunState } from '../model/states.js';
import type { BackfillAction, BackfillState } from '../store/backfill-records.js';
import type { DagRunRecord, SchedulerRecord } from '../store/records.js';
import { type Clock, systemClock } from '../time/clock.js';
import { createAssetRuns } from './asset-runs.js';
import { advanceBackfill } from './backfill-pass.js';
import { dueRuns, nextDueInstant } from './due-runs.js';

/** What a scheduler reports: its own log is made of these. */
export type SchedulerEvent =
  | { readonly type: 'started'; readonly schedulerId: string }
  | {
      readonly type: 'run-created';
      readonly dagId: string;
      readonly runId: string;
      readonly logicalDate: string;
    }
  | {
      readonly type: 'run-started';
      readonly dagId: string;
      readonly runId: string;
      readonly logicalDate: string;
    }
  | {
      readonly type: 'run-finished';
      readonly dagId: string;
      readonly runId: string;
      readonly state: RunState;
    }
  /** A run created (or queued again) because the assets of its schedule were updated. */
  | {
      readonly type: 'asset-run';
      readonly dagId: string;
      readonly runId: string;
      readonly logicalDate: string;
      readonly requeued: boolean;
    }
  /** A backfill started one of its dates (created, re-queued or adopted its run). */
  | {
      readonly type: 'backfill-date';
      readonly backfillId: number;
      readonly dagId: string;
      readonly logicalDate: string;
      readonly action: BackfillAction;
    }
  | {
      readonly type: 'backfill-completed';
      readonly backfillId: number;
      readonly dagId: string;
      readonly state: BackfillState;
    }
  /** Another process holds the run's lease: it executes the run, this scheduler does not. */
  | { readonly type: 'run-held'; readonly dagId: string; readonly runId: string; readonly owner: string }
  | { readonly type: 'error'; readonly dagId?: string; readonly runId?: string; readonly message: string }
  | { readonly type: 'stopping'; readonly runs: number; readonly graceMs: number }
  | { readonly type: 'stopped'; readonly handedBack: number };

export interface SchedulerServiceOptions {
  readonly engine: Engine;
  /** The DAGs to schedule, asked at every pass (a caller that re-reads DAG files answers with the new ones). */
  readonly dags: () => readonly Dag[];
  /** @default the system clock */
  readonly clock?: Clock;
  /** Time between two passes, in milliseconds (a finished run starts the next pass at once). @default 5000 */
  readonly intervalMs?: number;
  /** Runs this scheduler executes at the same time, over all DAGs. @default 16 */
  readonly maxRuns?: number;
  /** @default `host:pid:nonce` */
  readonly schedulerId?: string;
  readonly onEvent?: (event: SchedulerEvent) => void;
  /** Events of the runs this scheduler executes. */
  readonly onRunEvent?: (event: EngineEvent) => void;
}

/**
 * Creates the runs that are due and executes queued runs, pass after pass. Decisions are `dueRuns`; this
 * class applies them. Several schedulers may share one store: each run executes under its lease, so a
 * scheduler executes only the runs whose lease it gets (`LeaseConflictError`: another one has it).
 */
export class SchedulerService {
  readonly schedulerId: string;
  readonly #o: SchedulerServiceOptions;
  readonly #clock: Clock;
  readonly #intervalMs: number;
  readonly #maxRuns: number;
  readonly #emit: (event: SchedulerEvent) => void;
  /** Runs executing in this process, by `dagId/runId`. */
  readonly #inFlight = new Map<string, Promise<void>>();
  /** The records of the runs in `#inFlight`, by the same key. */
  readonly #inFlightRuns = new Map<string, DagRunRecord>();
  /** Newest logical date of a `scheduled` run per DAG, read once from the store then kept up to date. */
  readonly #lastScheduled = new Map<string, Date | null>();
  readonly #abort = new AbortController();
  readonly #startedAt: string;
  /** Asset events are read from here on (moved forward pass after pass; passes overlap a little). */
  #assetSince: string;
  #lastScheduledAt: string | null = null;
  #stopping = false;
  /** Passes run by themselves only after `start`; tests drive `tick` by hand. */
  #started = false;
  #cancelTimer: (() => void) | undefined;
  #pass: Promise<void> | undefined;
  #again = false;

  constructor(options: SchedulerServiceOptions) {
    this.#o = options;
    this.#clock = options.clock ?? systemClock;
    this.#intervalMs = options.intervalMs ?? 5000;
    this.#maxRuns = options.maxRuns ?? 16;
    this.#emit = options.onEvent ?? (() => {});
    this.schedulerId =
      options.schedulerId ?? `${os.hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
    this.#startedAt = this.#iso();
    this.#assetSince = new Date(this.#clock.now() - ASSET_LOOKBACK_MS).toISOString();
  }

  /** Runs executing in this process now. */
  get running(): number {
    return this.#inFlight.size;
  }

  /** Starts passing every `intervalMs` until `stop`. */
  start(): void {
    this.#started = true;
    this.#emit({ type: 'started', schedulerId: this.schedulerId });
    this.#wake();
  }

  /**
   * One pass: records the heartbeat, creates due runs of unpaused DAGs, starts queued runs (and runs left
   * running by a process that is gone) up to the limits. Resolves when runs are started, not finished.
   */
  async tick(): Promise<void> {
    await this.#heartbeat('running');
    if (this.#stopping) return;
    const dags = new Map(this.#o.dags().map((d) => [d.id, d]));
    const paused = await this.#pausedDags([...dags.values()]);
    const unpaused = [...dags.values()].filter((d) => !paused.has(d.id));
    await this.#createDueRuns(unpaused);
    await this.#createAssetRuns(unpaused);
    const waiting = await this.#advanceBackfills(dags);
    await this.#startRuns(dags, paused, waiting);
  }

  /** Resolves once no run executes in this process (runs started meanwhile included). */
  async idle(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.all(this.#inFlight.values());
  }

  /**
   * Stops creating and starting runs; runs executing get `graceMs` to finish, then are interrupted: their
   * running tries are recorded interrupted and the runs go back to queued for the next scheduler.
   */
  async stop(graceMs: number): Promise<void> {
    if (this.#stopping) return;
    this.#stopping = true;
    this.#cancelTimer?.();
    await this.#pass;
    this.#emit({ type: 'stopping', runs: this.#inFlight.size, graceMs });
    let cancelGrace = (): void => {};
    const graceOver = new Promise<void>((resolve) => {
      cancelGrace = this.#clock.setTimer(graceMs, resolve);
    });
    await Promise.race([this.idle(), graceOver]);
    cancelGrace();
    const handedBack = this.#inFlight.size;
    this.#abort.abort(new Error('scheduler stopping'));
    await this.idle();
    await this.#heartbeat('stopped');
    this.#emit({ type: 'stopped', handedBack });
  }

  /** Starts a pass now (or right after the one in progress), then every interval. */
  #wake(): void {
    if (this.#stopping || !this.#started) return;
    if (this.#pass) {
      this.#again = true;
      return;
    }
    this.#cancelTimer?.();
    this.#pass = this.tick()
      .catch((error) => this.#emit({ type: 'error', message: (error as Error).message }))
      .finally(() => {
        this.#pass = undefined;
        if (this.#again) {
          this.#again = false;
          this.#wake();
        } else if (!this.#stopping) {
          const wait = Math.min(this.#intervalMs, this.#untilNextDue());
          this.#cancelTimer = this.#clock.setTimer(wait, () => this.#wake());
        }
      });
  }

  /**
   * Milliseconds until the next instant a run of a loaded DAG comes due (an interval ends), so the pass
   * happens then rather than up to `intervalMs` later; Infinity when none is ahead.
   */
  #untilNextDue(): number {
    const now = this.#clock.now();
    let soonest = Number.POSITIVE_INFINITY;
    for (const dag of this.#o.dags()) {
      const next = nextDueInstant(dag, new Date(now));
      if (next !== null) soonest = Math.min(soonest, next.getTime() - now);
    }
    // A few milliseconds late rather than early: a pass just before the instant would find nothing due.
    return Math.max(0, soonest + DUE_SLACK_MS);
  }

  async #heartbeat(state: SchedulerRecord['state']): Promise<void> {
    const [host, pid] = [os.hostname(), process.pid];
    await this.#o.engine.store.heartbeatScheduler({
      schedulerId: this.schedulerId,
      host,
      pid,
      startedAt: this.#startedAt,
      heartbeatAt: this.#iso(),
      lastScheduledAt: this.#lastScheduledAt,
      state,
    });
  }

  /** Ids of paused DAGs; a DAG seen for the first time gets its `pausedOnCreation` recorded. */
  async #pausedDags(dags: readonly Dag[]): Promise<Set<string>> {
    const store = this.#o.engine.store;
    const states = new Map((await store.listDagStates()).map((s) => [s.dagId, s.paused]));
    for (const dag of dags) {
      if (!states.has(dag.id)) {
        states.set(dag.id, (await store.ensureDagState(dag.id, dag.pausedOnCreation, this.#iso())).paused);
      }
    }
    return new Set([...states].filter(([, p]) => p).map(([id]) => id));
  }

  async #createDueRuns(dags: readonly Dag[]): Promise<void> {
    const engine = this.#o.engine;
    const active = new Map<string, number>();
    for (const state of ['queued', 'running'] as const) {
      for (const r of await engine.listRuns(undefined, { state })) {
        if (r.runType !== 'backfill') active.set(r.dagId, (active.get(r.dagId) ?? 0) + 1);
      }
    }
    for (const dag of dags) {
      const kind = dag.parsedSchedule.kind;
      if (kind !== 'cron' && kind !== 'once') continue;
      try {
        const lastScheduled = await this.#lastScheduledOf(dag.id);
        const due = dueRuns(dag, {
          now: new Date(this.#clock.now()),
          lastScheduled,
          activeRuns: active.get(dag.id) ?? 0,
        });
        for (const logicalDate of due) {
          const { run, created } = await engine.trigger(dag, { logicalDate, runType: 'scheduled' });
          // Created by another scheduler (or by hand) for that date: it counts as scheduled all the same.
          this.#lastScheduled.set(dag.id, logicalDate);
          if (created) {
            this.#lastScheduledAt = this.#iso();
            this.#emit({
              type: 'run-created',
              dagId: dag.id,
              runId: run.runId,
              logicalDate: run.logicalDate,
            });
          }
        }
      } catch (error) {
        this.#emit({ type: 'error', dagId: dag.id, message: (error as Error).message });
      }
    }
  }

  async #createAssetRuns(dags: readonly Dag[]): Promise<void> {
    try {
      const { created, requeued, nextSince } = await createAssetRuns(this.#o.engine, dags, this.#assetSince);
      for (const [runs, again] of [
        [created, false],
        [requeued, true],
      ] as const) {
        for (const run of runs) {
          this.#lastScheduledAt = this.#iso();
          this.#emit({
            type: 'asset-run',
            dagId: run.dagId,
            runId: run.runId,
            logicalDate: run.logicalDate,
            requeued: again,
          });
        }
      }
      if (nextSince) {
        const next = new Date(Date.parse(nextSince) - ASSET_OVERLAP_MS).toISOString();
        if (next > this.#assetSince) this.#assetSince = next;
      }
    } catch (error) {
      this.#emit({ type: 'error', message: `asset-triggered runs: ${(error as Error).message}` });
    }
  }

  /**
   * Advances every unfinished backfill whose DAG is loaded; resolves with the logical dates (by DAG) whose
   * queued runs must wait: those of paused backfills.
   */
  async #advanceBackfills(dags: ReadonlyMap<string, Dag>): Promise<Map<string, Set<string>>> {
    const waiting = new Map<string, Set<string>>();
    const store = this.#o.engine.store;
    for (const backfill of await store.listBackfills()) {
      if (backfill.completedAt !== null || backfill.state === 'done') continue;
      const dag = dags.get(backfill.dagId);
      if (!dag) continue;
      if (backfill.state === 'paused') {
        const dates = waiting.get(dag.id) ?? new Set<string>();
        for (const d of await store.listBackfillDates(backfill.id)) dates.add(d.logicalDate);
        waiting.set(dag.id, dates);
        continue;
      }
      try {
        for (const step of await advanceBackfill(this.#o.engine, dag, backfill, this.#iso())) {
          if (step.type === 'date-started') {
            this.#lastScheduledAt = this.#iso();
            this.#emit({
              type: 'backfill-date',
              backfillId: backfill.id,
              dagId: dag.id,
              logicalDate: step.date.logicalDate,
              action: step.date.action,
            });
          } else {
            this.#emit({
              type: 'backfill-completed',
              backfillId: backfill.id,
              dagId: dag.id,
              state: step.backfill.state,
            });
          }
        }
      } catch (error) {
        this.#emit({
          type: 'error',
          dagId: dag.id,
          message: `backfill ${backfill.id}: ${(error as Error).message}`,
        });
      }
    }
    return waiting;
  }

  async #lastScheduledOf(dagId: string): Promise<Date | null> {
    if (!this.#lastScheduled.has(dagId)) {
      const newest = (await this.#o.engine.listRuns(dagId)).find((r) => r.runType === 'scheduled');
      this.#lastScheduled.set(dagId, newest ? new Date(newest.logicalDate) : null);
    }
    return this.#lastScheduled.get(dagId)!;
  }

  /** Queued runs oldest first (runs of paused DAGs wait), then runs left running whose holder may be gone. */
  /**
   * Queued runs oldest first (runs of paused DAGs and paused backfills wait), then runs left running whose
   * holder may be gone. A DAG's `maxActiveRuns` bounds its runs other than backfill runs, which their
   * backfill bounds (it queues at most its own `maxActiveRuns`).
   */
  async #startRuns(
    dags: ReadonlyMap<string, Dag>,
    paused: ReadonlySet<string>,
    waiting: ReadonlyMap<string, ReadonlySet<string>>,
  ): Promise<void> {
    const engine = this.#o.engine;
    const queued = (await engine.listRuns(undefined, { state: 'queued' })).reverse();
    const running = await engine.listRuns(undefined, { state: 'running' });
    const executing = new Map<string, Set<string>>();
    const count = (r: { dagId: string; runId: string; runType: string }): void => {
      if (r.runType !== 'backfill')
        executing.set(r.dagId, (executing.get(r.dagId) ?? new Set()).add(r.runId));
    };
    for (const r of running) count(r);
    for (const r of this.#inFlightRuns.values()) count(r);
    const held = (r: DagRunRecord): boolean =>
      paused.has(r.dagId) ||
      (r.runType === 'backfill' && (waiting.get(r.dagId)?.has(r.logicalDate) ?? false));
    const candidates = [...queued.filter((r) => !held(r)), ...running];
    for (const run of candidates) {
      if (this.#inFlight.size >= this.#maxRuns) return;
      const dag = dags.get(run.dagId);
      if (!dag || this.#inFlight.has(keyOf(run))) continue;
      const others = executing.get(dag.id) ?? new Set<string>();
      if (run.state === 'queued' && run.runType !== 'backfill' && others.size >= dag.maxActiveRuns) continue;
      count(run);
      this.#execute(dag, run);
    }
  }

  #execute(dag: Dag, run: DagRunRecord): void {
    const key = keyOf(run);
    /** Whether the run executed here: a run another process holds (or an error) must not wake a pass. */
    let executed = false;
    const body = async (): Promise<void> => {
      let result: RunResult;
      try {
        result = await this.#o.engine.run(dag, {
          logicalDate: run.logicalDate,
          runType: run.runType,
          unfinishedOnly: true,
          signal: this.#abort.signal,
          onEvent: (e) => {
            if (e.type === 'run-state' && e.state === 'running') {
              this.#lastScheduledAt = this.#iso();
              this.#emit({
                type: 'run-started',
                dagId: dag.id,
                runId: run.runId,
                logicalDate: run.logicalDate,
              });
            }
            this.#o.onRunEvent?.(e);
          },
        });
      } catch (error) {
        if (error instanceof LeaseConflictError) {
          this.#emit({ type: 'run-held', dagId: dag.id, runId: run.runId, owner: error.owner });
        } else {
          this.#emit({ type: 'error', dagId: dag.id, runId: run.runId, message: (error as Error).message });
        }
        return;
      }
      if (!result.alreadyDone) {
        executed = true;
        this.#emit({ type: 'run-finished', dagId: dag.id, runId: run.runId, state: result.state });
      }
    };
    this.#inFlightRuns.set(key, run);
    this.#inFlight.set(
      key,
      body().finally(() => {
        this.#inFlight.delete(key);
        this.#inFlightRuns.delete(key);
        // A finished run may let the next one of its DAG start (maxActiveRuns), or catch-up continue. A run
        // held by another process is tried again at the next timed pass, not at once (no busy loop).
        if (executed && !this.#stopping) this.#wake();
      }),
    );
  }

  #iso(): string {
    return new Date(this.#clock.now()).toISOString();
  }
}

const keyOf = (run: { dagId: string; runId: string }): string => `${run.dagId}\u0000${run.runId}`;

/** How long after a due instant its pass runs (timers may fire a little early). */
const DUE_SLACK_MS = 5;
/** Asset events recorded up to this long before a scheduler started still trigger their consumers. */
const ASSET_LOOKBACK_MS = 24 * 3_600_000;
/** Each pass reads events again from this long before the newest one read (events commit out of order). */
const ASSET_OVERLAP_MS = 60_000;
