import path from 'node:path';
import type { Executor } from '../executor/executor.js';
import { InProcessExecutor } from '../executor/in-process-executor.js';
import { appendLogLine } from '../logging/append-line.js';
import type { LogLevel } from '../logging/logger.js';
import { SecretMasker } from '../logging/mask.js';
import { LogRouter } from '../logging/try-log.js';
import type { Dag } from '../model/dag.js';
import { InvalidInputError, LeaseConflictError, LeaseLostError, NotFoundError } from '../model/errors.js';
import { assertScheduledLogicalDate } from '../model/logical-date.js';
import { parseMappedTaskId } from '../model/map-index.js';
import { resolveParams, secretParamValues } from '../model/params.js';
import { dataIntervalOf } from '../model/schedule.js';
import {
  isFinalRunState,
  isMarkableTaskState,
  MARKABLE_TASK_STATES,
  type MarkableTaskState,
} from '../model/states.js';
import { CallbackRunner } from '../scheduler/callback-runner.js';
import { peakParallelism } from '../scheduler/parallelism.js';
import { RunExecution } from '../scheduler/run-execution.js';
import { PoolSlots } from '../scheduler/slots.js';
import { StoredPools } from '../scheduler/stored-pools.js';
import { StateWriter } from '../state/state-writer.js';
import { runTransition } from '../state/transitions.js';
import type { BackfillRecord } from '../store/backfill-records.js';
import type { DagRunRecord, RunFilter, TaskGridQuery, TaskGridRun, TryRecord } from '../store/records.js';
import type { RunStore } from '../store/run-store.js';
import { SqliteRunStore } from '../store/sqlite-store.js';
import { type Clock, systemClock } from '../time/clock.js';
import { logicalDateLabel, parseLogicalDate } from '../time/dates.js';
import type {
  BackfillOptions,
  BackfillPlan,
  BackfillResult,
  ClearOptions,
  ClearResult,
  EngineEvent,
  RunOptions,
  RunResult,
  RunSummary,
  SetTaskStateResult,
  TestTaskOptions,
  TestTaskResult,
  TriggerOptions,
} from './api-types.js';
import { consumerDue, dueConsumers } from './assets.js';
import { executeBackfill, planBackfill } from './backfill.js';
import { type BackfillChange, changeBackfill, failQueuedRunsOf, queueBackfill } from './backfill-queue.js';
import { clearRun } from './clear.js';
import { RunLease } from './lease.js';
import { markRunSuccess, setTaskState } from './mark-state.js';
import { prepareRun } from './prepare-run.js';
import { failQueuedRun, type RequeueCondition, type RunControlContext, requeueRun } from './run-control.js';
import { effectiveParams, recordableParams, secretParams } from './run-params.js';
import { summarizeRun } from './summary.js';
import { testTask } from './test-task.js';

export interface EngineOptions {
  /** StreamPro home: `state.db` and `logs/` live here. */
  readonly home: string;
  /** @default SqliteRunStore at `<home>/state.db` */
  readonly store?: RunStore;
  /** @default the system clock */
  readonly clock?: Clock;
  /**
   * Where tries run. @default InProcessExecutor (this process: for tests and embedding); the CLI uses a
   * `ProcessPoolExecutor`, which isolates each try in a worker process and enforces timeouts.
   */
  readonly executor?: Executor;
  /** The module each DAG was loaded from (by DAG id): executors that run tries in other processes import it. */
  readonly dagFile?: (dagId: string) => string | undefined;
  /** The least severe level tries' loggers write (in this process; a pool has its own). @default 'debug' */
  readonly logLevel?: LogLevel;
  /** Named pools and their slot counts, e.g. `{ duckdb: 1 }`. Unlisted pools are unbounded. */
  readonly pools?: Readonly<Record<string, number>>;
  /** @default 30_000 */
  readonly leaseTtlMs?: number;
  /** Source of jitter draws in [0, 1). @default Math.random */
  readonly random?: () => number;
  /** Values masked in every log line (credentials of connections). */
  readonly secrets?: readonly string[];
}

/** Runs DAGs durably: the one entry point of the CLI and of tests. Create with `Engine.open`, end with `close`. */
/** The longest delay a Node timer keeps (2^31 - 1 ms); a longer one fires at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export class Engine {
  readonly logsDir: string;
  readonly #clock: Clock;
  readonly #executor: Executor;
  readonly #pools: PoolSlots;
  readonly #storedPools: StoredPools;
  readonly #logs: LogRouter;
  readonly #leaseTtlMs: number;
  readonly #random: () => number;
  readonly #secrets: readonly string[];
  readonly #dagFile: (dagId: string) => string | undefined;
  /** DAGs this engine was asked to run, by id: what the in-process executor runs. */
  readonly #dags = new Map<string, Dag>();
  /** Consumer runs being refreshed by this process, by `<dag>\u0000<date>`: the tail of each one's queue. */
  readonly #consumerQueue = new Map<string, Promise<void>>();
  #closed = false;

  private constructor(
    readonly home: string,
    readonly store: RunStore,
    options: EngineOptions,
  ) {
    this.logsDir = path.join(home, 'logs');
    this.#clock = options.clock ?? systemClock;
    this.#logs = new LogRouter(this.logsDir, options.logLevel);
    this.#executor =
      options.executor ??
      new InProcessExecutor({ clock: this.#clock, logs: this.#logs, resolveDag: (id) => this.#dags.get(id) });
    this.#pools = new PoolSlots(options.pools);
    this.#storedPools = new StoredPools(this.store, this.#clock);
    this.#dagFile = options.dagFile ?? (() => undefined);
    this.#leaseTtlMs = options.leaseTtlMs ?? 30_000;
    this.#random = options.random ?? Math.random;
    this.#secrets = options.secrets ?? [];
  }

  static async open(options: EngineOptions): Promise<Engine> {
    const home = path.resolve(options.home);
    const store = options.store ?? (await SqliteRunStore.open(path.join(home, 'state.db')));
    return new Engine(home, store, options);
  }

  /** Executes the run of `dag` for a logical date, or resumes it; then the asset-triggered runs it causes. */
  async run(dag: Dag, options: RunOptions): Promise<RunResult> {
    const logicalDate = toDate(options.logicalDate);
    this.#dags.set(dag.id, dag);
    assertScheduledLogicalDate(dag, logicalDate);
    const selection = this.#selection(dag, options.tasks);
    const emit = options.onEvent ?? (() => {});
    const iso = logicalDate.toISOString();
    const runType = options.runType ?? 'manual';
    const params = resolveParams(dag.id, dag.params, options.params);
    const { run } = await this.store.ensureRun(
      {
        dagId: dag.id,
        runId: `${runType}__${logicalDateLabel(logicalDate)}`,
        logicalDate: iso,
        runType,
        // Secret values never reach the state database; a resume takes them from the DAG or the caller again.
        params: recordableParams(dag, params),
        createdAt: this.#now(),
      },
      dag.tasks.map((t) => t.id),
    );
    if (options.unfinishedOnly && isFinalRunState(run.state)) {
      return { ...(await this.#summary(dag, run)), alreadyDone: true, triggered: [] };
    }
    if (run.state === 'success' && !options.force && !selection) {
      emit({
        type: 'run-skipped',
        dagId: dag.id,
        runId: run.runId,
        logicalDate: iso,
        reason: 'already succeeded',
      });
      const summary = await this.#summary(dag, run);
      return {
        ...summary,
        alreadyDone: true,
        triggered: await this.#triggerConsumers(dag, summary, options),
      };
    }
    if (options.markSuccess) return this.#markSuccess(dag, run, selection);
    // The heartbeat may find the lease taken over at any moment: the execution then stops at once.
    let onLost = (_error: LeaseLostError): void => {};
    const lease = await RunLease.acquire(this.store, this.#clock, dag.id, run.runId, this.#leaseTtlMs, {
      onLost: (holder) => onLost(new LeaseLostError(dag.id, run.runId, lease.epoch, holder)),
    });
    if (options.unfinishedOnly) {
      // Listed as queued by the caller, but another process may have finished it before our lease.
      const current = (await this.store.getRun(dag.id, run.runId))!;
      if (isFinalRunState(current.state)) {
        await lease.release();
        return { ...(await this.#summary(dag, current)), alreadyDone: true, triggered: [] };
      }
    }
    let state: DagRunRecord['state'];
    try {
      state = await this.#execute(dag, run, lease, selection, options, emit, (stop) => {
        onLost = stop;
      });
    } finally {
      await lease.release();
    }
    const after = (await this.store.getRun(dag.id, run.runId))!;
    const summary = await this.#summary(dag, after);
    const triggered = state === 'success' ? await this.#triggerConsumers(dag, summary, options) : [];
    return { ...summary, alreadyDone: false, triggered };
  }

  /** `RunOptions.markSuccess`: under the run's lease (LeaseConflictError while another process owns it). */
  async #markSuccess(
    dag: Dag,
    run: DagRunRecord,
    selection: ReadonlySet<string> | undefined,
  ): Promise<RunResult> {
    const lease = await RunLease.acquire(this.store, this.#clock, dag.id, run.runId, this.#leaseTtlMs);
    try {
      await markRunSuccess(this.store, dag, run, selection, lease.fence, this.#now());
    } finally {
      await lease.release();
    }
    const after = (await this.store.getRun(dag.id, run.runId))!;
    return { ...(await this.#summary(dag, after)), alreadyDone: false, triggered: [] };
  }

  /**
   * Sets a task instance of a stored run to success, failed or skipped without running it (Airflow's mark
   * success / failed), under the run's lease: LeaseConflictError while another process owns the run. The
   * run is queued again, so the next `run` continues it (what is downstream of a success runs then).
   */
  async setTaskState(
    dag: Dag,
    logicalDate: string | Date,
    taskId: string,
    state: MarkableTaskState,
  ): Promise<SetTaskStateResult> {
    if (!isMarkableTaskState(state)) {
      throw new InvalidInputError(
        `cannot set a task to ${JSON.stringify(state)}; choose one of ${MARKABLE_TASK_STATES.join(', ')}`,
      );
    }
    const run = await this.store.findRunByLogicalDate(dag.id, toDate(logicalDate).toISOString());
    if (!run) {
      throw new NotFoundError(`DAG '${dag.id}' has no run for ${logicalDateLabel(toDate(logicalDate))}`);
    }
    this.#selection(dag, [taskId]);
    const lease = await RunLease.acquire(this.store, this.#clock, dag.id, run.runId, this.#leaseTtlMs);
    try {
      return await setTaskState(this.store, run, taskId, state, lease.fence, this.#now());
    } finally {
      await lease.release();
    }
  }

  /**
   * Records a queued run for a logical date without executing it (the scheduler executes it), or finds the
   * run that date already has. The date is checked like `run`'s; params are resolved and recorded (secret
   * values never are).
   */
  async trigger(dag: Dag, options: TriggerOptions): Promise<{ run: DagRunRecord; created: boolean }> {
    const logicalDate = toDate(options.logicalDate);
    assertScheduledLogicalDate(dag, logicalDate);
    const runType = options.runType ?? 'manual';
    const params = resolveParams(dag.id, dag.params, options.params);
    return this.store.ensureRun(
      {
        dagId: dag.id,
        runId: `${runType}__${logicalDateLabel(logicalDate)}`,
        logicalDate: logicalDate.toISOString(),
        runType,
        params: recordableParams(dag, params),
        createdAt: this.#now(),
      },
      dag.tasks.map((t) => t.id),
    );
  }

  async #execute(
    dag: Dag,
    run: DagRunRecord,
    lease: RunLease,
    selection: ReadonlySet<string> | undefined,
    options: RunOptions,
    emit: (e: EngineEvent) => void,
    watchLease: (stop: (error: LeaseLostError) => void) => void,
  ): Promise<DagRunRecord['state']> {
    const fence = lease.fence;
    const writer = new StateWriter(this.store, fence);
    const known = new Set((await this.store.listTaskInstances(dag.id, run.runId)).map((t) => t.taskId));
    for (const t of dag.tasks) {
      if (!known.has(t.id)) writer.stage({ kind: 'add-task', dagId: dag.id, runId: run.runId, taskId: t.id });
    }
    await writer.commit();
    const instances = await this.store.listTaskInstances(dag.id, run.runId);
    const orphanTries = (await this.store.listTries(dag.id, run.runId)).filter((t) => t.state === 'running');
    if (selection) this.#checkSelection(dag, selection, instances);
    const prepared = prepareRun({
      dag,
      runId: run.runId,
      instances,
      orphanTries,
      force: options.force ?? false,
      selection,
      now: this.#now(),
    });
    // A resume keeps the params recorded with the run; values given now replace them and are recorded.
    const params = effectiveParams(dag, run.params, options.params);
    // Worker processes start and import the DAG before the run starts, not inside its first tries.
    const dagFile = this.#dagFile(dag.id);
    if (dagFile !== undefined) await this.#executor.prepare?.(dagFile, peakParallelism(dag));
    const startedAt = this.#now();
    writer.stage(
      ...prepared.changes,
      runTransition(run, 'running', { startedAt, endedAt: null, params: recordableParams(dag, params) }),
    );
    await writer.commit();
    emit({
      type: 'run-state',
      dagId: dag.id,
      runId: run.runId,
      logicalDate: run.logicalDate,
      state: 'running',
      at: startedAt,
    });
    const masker = new SecretMasker([...this.#secrets, ...secretParamValues(dag.params, params)]);
    const callbacks = new CallbackRunner();
    const execution = new RunExecution(
      {
        store: this.store,
        executor: this.#executor,
        clock: this.#clock,
        pools: this.#pools,
        storedPools: this.#storedPools,
        logs: this.#logs,
        random: this.#random,
        onEvent: emit,
        dagFile: this.#dagFile(dag.id),
        fence,
        callbacks,
      },
      dag,
      { ...run, lease: null },
      prepared.instances,
      { plain: recordableParams(dag, params), secret: secretParams(dag, params) },
      masker,
      selection,
    );
    watchLease((error) => execution.leaseLost(error));
    const runLog = (message: string): void =>
      appendLogLine(
        path.join(this.logsDir, `dag_id=${dag.id}`, `run_id=${run.runId}`, 'callbacks.log'),
        { dagId: dag.id, runId: run.runId, taskId: '(run)', tryNumber: 0 },
        masker,
        'warn',
        message,
      );
    const cancelDeadline = this.#armDeadline(dag, run, callbacks, runLog);
    // A lost lease rejects here (LeaseLostError): nothing more is written, the new owner carries on.
    const state = await execution.execute(options.signal).finally(cancelDeadline);
    const endedAt = this.#now();
    writer.stage(
      runTransition({ ...run, state: 'running' }, state, { endedAt: state === 'queued' ? null : endedAt }),
    );
    await writer.commit();
    emit({
      type: 'run-state',
      dagId: dag.id,
      runId: run.runId,
      logicalDate: run.logicalDate,
      state,
      at: endedAt,
    });
    const event = state === 'success' ? 'success' : state === 'failed' ? 'failure' : null;
    // Only a DAG with run callbacks pays the extra read of its task instances.
    if (event && dag.callbacks[event].length > 0) {
      const failed = (await this.store.listTaskInstances(dag.id, run.runId)).filter(
        (t) => t.state === 'failed',
      );
      callbacks.fire(
        dag.callbacks[event],
        {
          event,
          dagId: dag.id,
          runId: run.runId,
          logicalDate: run.logicalDate,
          taskId: null,
          tryNumber: null,
          state,
          error: failed.length > 0 ? `failed: ${failed.map((t) => t.taskId).join(', ')}` : null,
          logPath: null,
          at: endedAt,
        },
        runLog,
      );
    }
    // A run ends once its callbacks (task and run) have had their chance, each within its timeout.
    await callbacks.settled();
    return state;
  }

  /**
   * The DAG's deadline for this run: at its data interval's end plus `deadline`, if the run is still being
   * executed here, `onDeadlineMissed` is called (at once when that moment has passed already). Returns what
   * cancels it, called when the execution ends.
   */
  #armDeadline(
    dag: Dag,
    run: DagRunRecord,
    callbacks: CallbackRunner,
    runLog: (message: string) => void,
  ): () => void {
    if (dag.deadlineMs === null) return () => {};
    const end = dataIntervalOf(dag.parsedSchedule, new Date(run.logicalDate)).end.getTime();
    const due = end + dag.deadlineMs;
    return this.#timerAt(due, () => {
      const at = new Date(this.#clock.now()).toISOString();
      runLog(`run not finished by its deadline ${new Date(due).toISOString()}`);
      callbacks.fire(
        dag.callbacks.deadlineMissed,
        {
          event: 'deadline_missed',
          dagId: dag.id,
          runId: run.runId,
          logicalDate: run.logicalDate,
          taskId: null,
          tryNumber: null,
          state: 'running',
          error: `not finished by ${new Date(due).toISOString()} (${dag.deadlineMs} ms after its interval ended)`,
          logPath: null,
          at,
        },
        runLog,
      );
    });
  }

  /** A timer at `at` (ms since the epoch), however far: timers longer than ~24.8 days are re-armed. */
  #timerAt(at: number, fn: () => void): () => void {
    let cancel: () => void = () => {};
    const arm = (): void => {
      const wait = at - this.#clock.now();
      cancel = wait > MAX_TIMER_MS ? this.#clock.setTimer(MAX_TIMER_MS, arm) : this.#clock.setTimer(wait, fn);
    };
    arm();
    return () => cancel();
  }

  async #triggerConsumers(dag: Dag, summary: RunSummary, options: RunOptions): Promise<RunResult[]> {
    if (!options.registry || summary.state !== 'success' || options.signal?.aborted) return [];
    const out: RunResult[] = [];
    for (const due of await dueConsumers(this.store, options.registry, dag, summary.logicalDate)) {
      if (options.signal?.aborted) break;
      // Two producer runs of this process (a backfill with several active runs) may both refresh one
      // consumer run: one at a time, and the second only if the first did not already read its partition.
      const result = await this.#oneAtATime(`${due.dag.id}\u0000${due.logicalDate}`, async () => {
        let producerDate = summary.logicalDate;
        let last: RunResult | undefined;
        // A partition that lands while the consumer runs may have been read before it landed: the run
        // goes again until it started after the newest event of its windows (each pass needs new data).
        while (
          !options.signal?.aborted &&
          (await consumerDue(this.store, due.dag, due.logicalDate, producerDate))
        ) {
          const existing = await this.store.findRunByLogicalDate(due.dag.id, due.logicalDate);
          try {
            last = await this.run(due.dag, {
              logicalDate: due.logicalDate,
              runType: 'asset_triggered',
              force: existing?.state === 'success',
              registry: options.registry,
              ...(options.signal ? { signal: options.signal } : {}),
              ...(options.onEvent ? { onEvent: options.onEvent } : {}),
            });
          } catch (error) {
            // Another process runs an earlier date's report right now: it looks at the events again when
            // that run ends (as the scheduler does). The producer's own date still fails loudly.
            if (error instanceof LeaseConflictError && due.logicalDate !== summary.logicalDate) return last;
            throw error;
          }
          if (last.state !== 'success') break;
          // From here on only newer events make it due (its own date's run is finished now).
          producerDate = '';
        }
        return last;
      });
      if (result) out.push(result);
    }
    return out;
  }

  /** Runs `fn` after every earlier call with the same key has settled (one per consumer run at a time). */
  #oneAtATime<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.#consumerQueue.get(key) ?? Promise.resolve();
    const next = previous.then(fn, fn);
    const settled = next.then(
      () => undefined,
      () => undefined,
    );
    this.#consumerQueue.set(key, settled);
    void settled.then(() => {
      if (this.#consumerQueue.get(key) === settled) this.#consumerQueue.delete(key);
    });
    return next;
  }

  #selection(dag: Dag, tasks: readonly string[] | undefined): ReadonlySet<string> | undefined {
    if (!tasks || tasks.length === 0) return undefined;
    for (const id of tasks) {
      if (!dag.getTask(id)) {
        throw new NotFoundError(
          `unknown task '${id}' in DAG '${dag.id}'; known tasks: ${dag.topologicalOrder().join(', ')}`,
        );
      }
    }
    return new Set(tasks);
  }

  /** Checks ids of task instances: task ids, or `<task>[<index>]` of a mapped task. */
  #instanceIds(dag: Dag, ids: readonly string[] | undefined): void {
    for (const id of ids ?? []) {
      const m = parseMappedTaskId(id);
      if (!m) this.#selection(dag, [id]);
      else if (!dag.getTask(m.taskId)?.map) {
        this.#selection(dag, [m.taskId]);
        throw new NotFoundError(
          `'${id}' names instance ${m.index} of task '${m.taskId}', which is not mapped; name the task '${m.taskId}'`,
        );
      }
    }
  }

  #checkSelection(
    dag: Dag,
    selection: ReadonlySet<string>,
    instances: readonly { taskId: string; state: string }[],
  ) {
    const state = new Map(instances.map((t) => [t.taskId, t.state]));
    for (const id of selection) {
      for (const up of dag.getTask(id)!.upstreamIds) {
        if (selection.has(up)) continue;
        const s = state.get(up);
        if (s !== 'success' && s !== 'skipped') {
          throw new InvalidInputError(
            `task '${id}' needs upstream '${up}', which is ${s ?? 'missing'}; run the whole DAG first or select '${up}' too`,
          );
        }
      }
    }
  }

  /** The run of `dag` for a logical date with its tasks, or undefined when there is none. */
  async status(dag: Dag, logicalDate: string | Date): Promise<RunSummary | undefined> {
    const run = await this.store.findRunByLogicalDate(dag.id, toDate(logicalDate).toISOString());
    return run && this.#summary(dag, run);
  }

  async #summary(dag: Dag, run: DagRunRecord): Promise<RunSummary> {
    const [instances, tries] = await Promise.all([
      this.store.listTaskInstances(dag.id, run.runId),
      this.store.listTries(dag.id, run.runId),
    ]);
    return summarizeRun(dag, run, instances, tries);
  }

  listRuns(dagId?: string, filter?: RunFilter): Promise<DagRunRecord[]> {
    return this.store.listRuns(dagId, filter);
  }

  tries(dagId: string, runId: string, taskId?: string): Promise<TryRecord[]> {
    return this.store.listTries(dagId, runId, taskId);
  }

  /** Runs of a DAG × their task instances for a range of logical dates, in one store query (a UI's grid). */
  taskGrid(dagId: string, query?: TaskGridQuery): Promise<TaskGridRun[]> {
    return this.store.listTaskGrid(dagId, query);
  }

  /** Resets task instances of a run so the next `run` executes them again; try history and logs are kept. */
  async clear(dag: Dag, logicalDate: string | Date, options: ClearOptions = {}): Promise<ClearResult> {
    const run = await this.store.findRunByLogicalDate(dag.id, toDate(logicalDate).toISOString());
    if (!run) {
      throw new NotFoundError(`DAG '${dag.id}' has no run for ${logicalDateLabel(toDate(logicalDate))}`);
    }
    this.#instanceIds(dag, options.tasks);
    if (options.dryRun) return clearRun(this.store, dag, run, options, undefined);
    // Clearing writes task state, so it holds the run's lease like an execution (LeaseConflictError if taken).
    const lease = await RunLease.acquire(this.store, this.#clock, dag.id, run.runId, this.#leaseTtlMs);
    try {
      return await clearRun(this.store, dag, run, options, lease.fence);
    } finally {
      await lease.release();
    }
  }

  planBackfill(dag: Dag, options: BackfillOptions): Promise<BackfillPlan> {
    return planBackfill(this.store, dag, options, new Date(this.#clock.now()));
  }

  /**
   * Records a backfill for the scheduler (`dag backfill --queue`) instead of executing it here: its plan is
   * made now (the same as `backfill`'s), its runs are created by the scheduler, `maxActiveRuns` at a time.
   */
  async queueBackfill(
    dag: Dag,
    options: BackfillOptions,
  ): Promise<{ backfill: BackfillRecord; plan: BackfillPlan }> {
    const plan = await this.planBackfill(dag, options);
    const params = recordableParams(dag, resolveParams(dag.id, dag.params, options.params));
    const backfill = await queueBackfill(this.store, dag, options, plan, params, this.#now());
    return { backfill, plan };
  }

  /** Pauses, unpauses or cancels a queued backfill; cancelling fails its runs not started yet. */
  changeBackfill(id: number, change: BackfillChange): Promise<BackfillRecord> {
    return changeBackfill(this.#control(), id, change);
  }

  /** See `requeueRun`: queues a finished run again when it ended, or started, before an instant (fenced). */
  requeueRun(
    dag: Dag,
    runId: string,
    options: RequeueCondition & { readonly onlyFailed?: boolean },
  ): Promise<boolean> {
    return requeueRun(this.#control(), dag, runId, options);
  }

  /** See `failQueuedRun`: fails a run nothing of which started (fenced). */
  failQueuedRun(dagId: string, runId: string): Promise<boolean> {
    return failQueuedRun(this.#control(), dagId, runId);
  }

  /** Fails the queued runs of a cancelled backfill; resolves with how many are still queued or running. */
  failQueuedRunsOfBackfill(backfill: BackfillRecord): Promise<number> {
    return failQueuedRunsOf(this.#control(), backfill);
  }

  #control(): RunControlContext {
    return { store: this.store, clock: this.#clock, leaseTtlMs: this.#leaseTtlMs };
  }

  backfill(dag: Dag, options: BackfillOptions): Promise<BackfillResult> {
    return executeBackfill(this, dag, options, () => this.#clock.now());
  }

  /** Runs one task once, like `airflow tasks test`: upstream outputs from the stored run, nothing recorded. */
  // async so an unknown task rejects like every other failure instead of throwing synchronously.
  async testTask(dag: Dag, taskId: string, options: TestTaskOptions): Promise<TestTaskResult> {
    this.#instanceIds(dag, [taskId]);
    return testTask(
      { store: this.store, logs: this.#logs, clock: this.#clock, secrets: this.#secrets },
      dag,
      taskId,
      toDate(options.logicalDate),
      options,
    );
  }

  #now(): string {
    return new Date(this.#clock.now()).toISOString();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#executor.close();
    this.#logs.close();
    await this.store.close();
  }
}

/** A logical date from user input; throws InvalidInputError for a malformed or impossible date. */
export function toDate(value: string | Date): Date {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new InvalidInputError('invalid date: not a valid Date');
    return value;
  }
  return parseLogicalDate(value);
}
