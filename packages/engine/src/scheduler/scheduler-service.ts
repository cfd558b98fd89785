import { randomBytes } from 'node:crypto';
import os from 'node:os';
import type { EngineEvent, RunResult } from '../engine/api-types.js';
import type { Engine } from '../engine/engine.js';
import type { Dag } from '../model/dag.js';
import { LeaseConflictError } from '../model/errors.js';
import type { RunState } from '../model/states.js';
import type { DagRunRecord, SchedulerRecord } from '../store/records.js';
import { type Clock, systemClock } from '../time/clock.js';
import { dueRuns } from './due-runs.js';

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
  /** Newest logical date of a `scheduled` run per DAG, read once from the store then kept up to date. */
  readonly #lastScheduled = new Map<string, Date | null>();
  readonly #abort = new AbortController();
  readonly #startedAt: string;
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
    await this.#createDueRuns([...dags.values()].filter((d) => !paused.has(d.id)));
    await this.#startRuns(dags, paused);
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
          this.#cancelTimer = this.#clock.setTimer(this.#intervalMs, () => this.#wake());
        }
      });
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
      for (const r of await engine.listRuns(undefined, { state }))
        active.set(r.dagId, (active.get(r.dagId) ?? 0) + 1);
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

  async #lastScheduledOf(dagId: string): Promise<Date | null> {
    if (!this.#lastScheduled.has(dagId)) {
      const newest = (await this.#o.engine.listRuns(dagId)).find((r) => r.runType === 'scheduled');
      this.#lastScheduled.set(dagId, newest ? new Date(newest.logicalDate) : null);
    }
    return this.#lastScheduled.get(dagId)!;
  }

  /** Queued runs oldest first (runs of paused DAGs wait), then runs left running whose holder may be gone. */
  async #startRuns(dags: ReadonlyMap<string, Dag>, paused: ReadonlySet<string>): Promise<void> {
    const engine = this.#o.engine;
    const queued = (await engine.listRuns(undefined, { state: 'queued' })).reverse();
    const running = await engine.listRuns(undefined, { state: 'running' });
    const executing = new Map<string, Set<string>>();
    for (const r of running) executing.set(r.dagId, (executing.get(r.dagId) ?? new Set()).add(r.runId));
    for (const key of this.#inFlight.keys()) {
      const [dagId, runId] = splitKey(key);
      executing.set(dagId, (executing.get(dagId) ?? new Set()).add(runId));
    }
    const candidates = [...queued.filter((r) => !paused.has(r.dagId)), ...running];
    for (const run of candidates) {
      if (this.#inFlight.size >= this.#maxRuns) return;
      const dag = dags.get(run.dagId);
      if (!dag || this.#inFlight.has(keyOf(run))) continue;
      const others = executing.get(dag.id) ?? new Set<string>();
      if (run.state === 'queued' && others.size >= dag.maxActiveRuns) continue;
      others.add(run.runId);
      executing.set(dag.id, others);
      this.#execute(dag, run);
    }
  }

  #execute(dag: Dag, run: DagRunRecord): void {
    const key = keyOf(run);
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
        this.#emit({ type: 'run-finished', dagId: dag.id, runId: run.runId, state: result.state });
      }
    };
    this.#inFlight.set(
      key,
      body().finally(() => {
        this.#inFlight.delete(key);
        // A finished run may let the next one of its DAG start (maxActiveRuns), or catch-up continue.
        if (!this.#stopping) this.#wake();
      }),
    );
  }

  #iso(): string {
    return new Date(this.#clock.now()).toISOString();
  }
}

const keyOf = (run: { dagId: string; runId: string }): string => `${run.dagId}\u0000${run.runId}`;
const splitKey = (key: string): [string, string] => key.split('\u0000') as [string, string];
