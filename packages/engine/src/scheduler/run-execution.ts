import type { EngineEvent } from '../engine/api-types.js';
import type { Executor, ExecutorListener, TryOutcome, TryPlacement } from '../executor/executor.js';
import type { TryDescriptor, TryJob } from '../executor/try-descriptor.js';
import { appendLogLine } from '../logging/append-line.js';
import type { TaskInstanceKey } from '../logging/logger.js';
import type { SecretMasker } from '../logging/mask.js';
import type { LogRouter } from '../logging/try-log.js';
import type { Dag } from '../model/dag.js';
import { LeaseLostError, NonRetryableError, TaskInterruptedError } from '../model/errors.js';
import { mappedTaskId, parseMappedTaskId } from '../model/map-index.js';
import type { Callback, Notification } from '../model/notification.js';
import { DEFAULT_QUEUE } from '../model/options.js';
import type { ParamValue } from '../model/params.js';
import { dataIntervalOf } from '../model/schedule.js';
import { isIgnoredTeardown, roleGraphOf, runDeciders } from '../model/setup-teardown.js';
import { isFinal, type RunState, type TaskState } from '../model/states.js';
import type { TaskDefinition } from '../model/task.js';
import { StateWriter } from '../state/state-writer.js';
import { type TaskPatch, taskTransition } from '../state/transitions.js';
import type { DagRunRecord, Fence, TaskInstanceRecord } from '../store/records.js';
import type { RunStore } from '../store/run-store.js';
import { newTaskInstance } from '../store/shared.js';
import type { Clock } from '../time/clock.js';
import type { CallbackRunner } from './callback-runner.js';
import { expansionOf, mappedOutcome } from './expansion.js';
import { decideFinishedTry } from './finished-try.js';
import { runOutcome } from './run-outcome.js';
import type { PoolSlots } from './slots.js';
import { POOL_RETRY_MS, type StoredPools } from './stored-pools.js';
import { countUpstream, decide } from './trigger-rules.js';

/** The try outcomes that have callbacks, by the state they leave the task in. */
const NOTIFIED: Partial<Record<TaskState, Exclude<Notification['event'], 'deadline_missed'>>> = {
  success: 'success',
  failed: 'failure',
  up_for_retry: 'retry',
  skipped: 'skip',
};

export interface ExecutionDeps {
  readonly store: RunStore;
  readonly executor: Executor;
  readonly clock: Clock;
  readonly pools: PoolSlots;
  /** Pools bounded in the store (`dag pools set`): a try of one is queued only once its claim is granted. */
  readonly storedPools: StoredPools;
  readonly logs: LogRouter;
  readonly random: () => number;
  readonly onEvent: (event: EngineEvent) => void;
  /** Module the DAG was loaded from, for executors that run tries in other processes. */
  readonly dagFile: string | undefined;
  /** The lease the run executes under: every write carries it, and so does every try. */
  readonly fence: Fence;
  /** Calls the tasks' callbacks (after the state they report is committed). */
  readonly callbacks: CallbackRunner;
}

/** Params of the run split as tries receive them: plain values in the descriptor, secret ones beside it. */
export interface RunParams {
  readonly plain: Readonly<Record<string, ParamValue>>;
  readonly secret: Readonly<Record<string, ParamValue>>;
}

interface TaskSlot {
  def: TaskDefinition;
  ti: TaskInstanceRecord;
  index: number;
  logPath?: string;
  startedMs?: number;
  /** For an instance of a mapped task (`<task>[i]`): the mapped task's slot and the instance's index. */
  parent?: TaskSlot;
  mapIndex?: number;
  /** For an instance of a mapped task: its element of the mapped-over array. */
  item?: unknown;
  /** For a mapped task: its instances by index (stored ones until it expands, then those of the expansion). */
  children?: TaskSlot[];
  /** For an expanded mapped task: how many of its instances are not final yet. */
  pendingChildren?: number;
}

/**
 * Executes one run: evaluates trigger rules, dispatches ready tasks within the run's and pools' limits,
 * and turns executor reports into state. It is the only writer of the run's state; changes made in one
 * scheduling pass are committed in one transaction before tasks are handed to the executor.
 */
export class RunExecution {
  readonly #tasks = new Map<string, TaskSlot>();
  readonly #order: TaskSlot[];
  /** Tasks whose trigger rule may have become decidable: waiting (`none`) tasks whose upstream changed. */
  readonly #candidates = new Set<TaskSlot>();
  /** Tasks in `up_for_retry`. */
  readonly #retrying = new Set<TaskSlot>();
  /** Tasks in `scheduled`, waiting for a slot. */
  readonly #ready = new Set<TaskSlot>();
  /** Selected tasks not yet in a final state. */
  #unfinished = 0;
  readonly #writer: StateWriter;
  /** Processes of tries cancelled by `#stop`, until they are gone. */
  readonly #settling: Promise<void>[] = [];
  #events: EngineEvent[] = [];
  #active = 0;
  #tickScheduled = false;
  #ticking = false;
  #again = false;
  #retryTimer: { at: number; cancel: () => void } | null = null;
  /** Asks the store again after a refused pool claim. */
  #poolTimer: (() => void) | null = null;
  /** Stored pools a try of this run freed since the last commit: other runs hear of it after the commit. */
  readonly #freed = new Set<string>();
  /** Task states of the DAG's previous run, for `dependsOnPast` (null: there is none); re-read while waited on. */
  #past: ReadonlyMap<string, TaskState> | null = null;
  #pastRun: string | null = null;
  /** True until the previous run is read, and again while a task waits on it; false for good without any. */
  #pastStale: boolean;
  /** Tasks whose trigger rule is met but whose previous run's instance is not done yet. */
  readonly #waitingPast = new Set<TaskSlot>();
  #pastTimer: (() => void) | null = null;
  /** Callbacks of tries that ended since the last commit: called once their state is stored. */
  #notifications: { slot: TaskSlot; callbacks: readonly Callback[]; notification: Notification }[] = [];
  #unsubscribeStored: () => void = () => {};
  #finish: ((state: RunState) => void) | null = null;
  #fail: ((error: unknown) => void) | null = null;
  #stopping: Error | null = null;
  #unsubscribe: () => void = () => {};
  #detachSignal: () => void = () => {};
  /** Computed once: cron arithmetic per try would dominate the cost of short tasks. */
  readonly #interval: { start: Date; end: Date };
  /** Tasks whose states decide the run's (leaves, with teardowns standing aside). */
  readonly #deciders: ReadonlySet<string>;

  constructor(
    private readonly deps: ExecutionDeps,
    private readonly dag: Dag,
    private readonly run: DagRunRecord,
    instances: readonly TaskInstanceRecord[],
    private readonly params: RunParams,
    private readonly masker: SecretMasker,
    /** Only these tasks may be dispatched (others are left as they are); all when undefined. */
    private readonly selection: ReadonlySet<string> | undefined,
  ) {
    const byId = new Map(instances.map((ti) => [ti.taskId, ti]));
    const mapped = new Map<string, { index: number; ti: TaskInstanceRecord }[]>();
    for (const ti of instances) {
      const m = parseMappedTaskId(ti.taskId);
      if (m) mapped.set(m.taskId, [...(mapped.get(m.taskId) ?? []), { index: m.index, ti }]);
    }
    this.#order = dag.topologicalOrder().map((id, index) => {
      const def = dag.getTask(id)!;
      const ti = byId.get(id);
      if (!ti) throw new Error(`run ${run.runId} has no task instance for ${id}`);
      const slot: TaskSlot = { def, ti, index };
      if (def.map) {
        slot.children = [];
        for (const c of mapped.get(id) ?? []) {
          slot.children[c.index] = { def, ti: c.ti, index, parent: slot, mapIndex: c.index };
        }
      }
      return slot;
    });
    for (const slot of this.#order) this.#tasks.set(slot.def.id, slot);
    this.#writer = new StateWriter(deps.store, deps.fence);
    // Decided once: the per-tick check below must not scan every task of a large DAG.
    this.#pastStale = this.#order.some((s) => s.def.options.dependsOnPast);
    this.#interval = dataIntervalOf(dag.parsedSchedule, new Date(run.logicalDate));
    this.#deciders = runDeciders(roleGraphOf(dag));
    for (const slot of this.#order) {
      if (!this.#selected(slot)) continue;
      if (!isFinal(slot.ti.state)) this.#unfinished++;
      this.#track(slot, slot.ti.state);
    }
  }

  #selected(slot: TaskSlot): boolean {
    return !this.selection || this.selection.has(slot.def.id);
  }

  /** Slots that have tries: every task but mapped ones, and the instances of mapped tasks. */
  *#tryable(): Generator<TaskSlot> {
    for (const slot of this.#order) {
      if (!slot.def.map) yield slot;
      else for (const child of slot.children ?? []) if (child) yield child;
    }
  }

  /** Keeps the candidate, retry and ready sets in step with a task's state. */
  #track(slot: TaskSlot, state: TaskState): void {
    // An instance of a mapped task is scheduled by its expansion, never by a trigger rule.
    if (state === 'none' && !slot.parent) this.#candidates.add(slot);
    else this.#candidates.delete(slot);
    if (state === 'up_for_retry') this.#retrying.add(slot);
    else this.#retrying.delete(slot);
    if (state === 'scheduled') this.#ready.add(slot);
    else this.#ready.delete(slot);
  }

  /** Runs until every (selected) task is final, or until `signal` aborts. Resolves to the run's new state. */
  execute(signal?: AbortSignal): Promise<RunState> {
    return new Promise<RunState>((resolve, reject) => {
      this.#finish = resolve;
      this.#fail = reject;
      this.#unsubscribe = this.deps.pools.subscribe(() => this.#kick());
      this.#unsubscribeStored = this.deps.storedPools.subscribe(() => this.#kick());
      if (signal?.aborted) this.#stop(new TaskInterruptedError('run interrupted before it started'));
      const onAbort = (): void => this.#stop(new TaskInterruptedError('run interrupted (cancelled)'));
      signal?.addEventListener('abort', onAbort, { once: true });
      // A backfill shares one signal across thousands of runs: a finished run must let go of it.
      this.#detachSignal = () => signal?.removeEventListener('abort', onAbort);
      this.#kick();
    });
  }

  #stop(error: Error): void {
    if (this.#stopping) return;
    this.#stopping = error;
    for (const slot of this.#tryable()) {
      if (slot.ti.state === 'queued' || slot.ti.state === 'running') {
        const key = this.#key(slot);
        this.deps.executor.cancel(key, error);
        // The run is handed back (its lease released) only once the try's process has let go: another
        // process may start the next try at once, and must not overlap a body that ignores its signal.
        const settled = this.deps.executor.settled?.(key);
        if (settled) this.#settling.push(settled);
      }
    }
    this.#kick();
  }

  #key(slot: TaskSlot): TaskInstanceKey {
    return {
      dagId: this.run.dagId,
      runId: this.run.runId,
      taskId: slot.ti.taskId,
      tryNumber: slot.ti.tryNumber,
    };
  }

  #set(slot: TaskSlot, state: TaskState, patch: TaskPatch = {}, error?: string): void {
    const from = slot.ti.state;
    const { change, record } = taskTransition(slot.ti, state, patch);
    slot.ti = record;
    const wasFinal = isFinal(from);
    const nowFinal = isFinal(state);
    // A mapped task stays unfinished until its instances are: they are not counted themselves.
    if (!slot.parent && this.#selected(slot) && wasFinal !== nowFinal) this.#unfinished += nowFinal ? -1 : 1;
    this.#track(slot, state);
    this.#writer.stage(change);
    this.#events.push({
      type: 'task-state',
      dagId: this.run.dagId,
      runId: this.run.runId,
      taskId: slot.ti.taskId,
      state,
      tryNumber: slot.ti.tryNumber,
      at: this.#iso(),
      ...(error === undefined ? {} : { error }),
      ...(slot.logPath ? { logPath: slot.logPath } : {}),
    });
    if (nowFinal && slot.parent) this.#instanceFinished(slot.parent);
    else if (nowFinal) {
      for (const id of this.dag.graph.downstreamOf(slot.def.id)) {
        const down = this.#tasks.get(id)!;
        if (down.ti.state === 'none' && this.#selected(down)) this.#candidates.add(down);
      }
    }
  }

  #iso(): string {
    return new Date(this.deps.clock.now()).toISOString();
  }

  #kick(): void {
    if (this.#tickScheduled) return;
    this.#tickScheduled = true;
    setImmediate(() => {
      this.#tickScheduled = false;
      void this.#tick();
    });
  }

  async #tick(): Promise<void> {
    if (this.#ticking) {
      this.#again = true;
      return;
    }
    this.#ticking = true;
    try {
      await this.deps.storedPools.refresh();
      if (this.#pastStale) await this.#loadPast();
      const scheduled = this.#stopping ? { ready: [], claims: [] } : this.#schedule();
      const claimed = await this.#claim(scheduled.claims);
      const toSubmit = [...scheduled.ready, ...claimed].map((slot) => ({
        slot,
        job: this.#jobOf(slot),
      }));
      // An executor dispatching through the store gets its jobs into the same transaction as `queued`.
      const dispatch = this.deps.executor.dispatchChange?.bind(this.deps.executor);
      if (dispatch) for (const { job } of toSubmit) this.#writer.stage(dispatch(job));
      const events = this.#events;
      this.#events = [];
      await this.#writer.commit();
      for (const pool of this.#freed) this.deps.storedPools.released(pool);
      this.#freed.clear();
      const notifications = this.#notifications;
      this.#notifications = [];
      for (const n of notifications) {
        this.deps.callbacks.fire(n.callbacks, n.notification, (message) => {
          if (n.slot.logPath) appendLogLine(n.slot.logPath, this.#key(n.slot), this.masker, 'warn', message);
        });
      }
      for (const e of events) this.deps.onEvent(e);
      for (const { slot, job } of toSubmit) this.#submit(slot, job);
      this.#maybeFinish();
    } catch (error) {
      this.#abandon(error);
      return;
    } finally {
      this.#ticking = false;
    }
    if (this.#again) {
      this.#again = false;
      this.#kick();
    }
  }

  /**
   * Trigger rules, due retries and dispatch: returns the tasks queued (to hand to the executor after the
   * commit) and those of stored pools, which are queued only once the store grants their claims.
   */
  #schedule(): { ready: TaskSlot[]; claims: TaskSlot[] } {
    const now = this.deps.clock.now();
    // Deciding a task can make its downstream decidable (skip and upstream_failed cascade): loop until stable.
    while (this.#candidates.size > 0) {
      const batch = [...this.#candidates].sort((a, b) => a.index - b.index);
      this.#candidates.clear();
      for (const slot of batch) {
        if (slot.ti.state !== 'none') continue;
        const upstream = slot.def.upstreamIds.map((id) => this.#tasks.get(id)!);
        const rule = slot.def.options.triggerRule;
        const setups =
          rule === 'all_done_setup_success'
            ? upstream.filter((u) => u.def.role.kind === 'setup').map((u) => u.ti.state)
            : [];
        const decision = decide(
          rule,
          countUpstream(
            upstream.map((u) => u.ti.state),
            setups,
          ),
        );
        if (decision === 'run') {
          const past = slot.def.options.dependsOnPast ? this.#pastVerdict(slot) : 'ok';
          if (past === 'ok' && slot.def.map) this.#expand(slot);
          else if (past === 'ok') this.#set(slot, 'scheduled');
          else if (past === 'wait') this.#waitingPast.add(slot);
          else this.#set(slot, 'upstream_failed', { endedAt: this.#iso() }, past.failed);
        } else if (decision === 'skip') this.#set(slot, 'skipped', { endedAt: this.#iso() });
        else if (decision === 'upstream_failed') this.#set(slot, 'upstream_failed', { endedAt: this.#iso() });
      }
    }
    for (const slot of [...this.#retrying]) {
      if (slot.ti.nextTryAt && Date.parse(slot.ti.nextTryAt) <= now) this.#set(slot, 'scheduled');
    }
    const out: TaskSlot[] = [];
    const claims: TaskSlot[] = [];
    if (this.#ready.size > 0 && this.#active < this.dag.maxActiveTasks) {
      const ready = [...this.#ready].sort(
        (a, b) => b.def.options.priorityWeight - a.def.options.priorityWeight || a.index - b.index,
      );
      for (const slot of ready) {
        if (this.#active >= this.dag.maxActiveTasks) break;
        if (!this.deps.pools.tryAcquire(slot.def.options.pool)) continue;
        this.#active++;
        if (this.deps.storedPools.bounded(slot.def.options.pool)) {
          claims.push(slot);
          continue;
        }
        this.#queue(slot);
        out.push(slot);
      }
    }
    this.#armRetryTimer();
    return { ready: out, claims };
  }

  #queue(slot: TaskSlot): void {
    this.#set(slot, 'queued', { tryNumber: slot.ti.tryNumber + 1, nextTryAt: null });
  }

  /** Claims stored-pool slots for `slots`; queues those granted, gives back the others and asks again soon. */
  async #claim(slots: readonly TaskSlot[]): Promise<TaskSlot[]> {
    if (slots.length === 0) return [];
    const granted = await this.deps.storedPools.claim(
      slots.map((slot) => ({
        pool: slot.def.options.pool,
        dagId: this.run.dagId,
        runId: this.run.runId,
        taskId: slot.ti.taskId,
        tryNumber: slot.ti.tryNumber + 1,
      })),
    );
    const queued: TaskSlot[] = [];
    slots.forEach((slot, i) => {
      if (granted[i] && !this.#stopping) {
        this.#queue(slot);
        queued.push(slot);
        return;
      }
      this.#active--;
      this.deps.pools.release(slot.def.options.pool, false);
      if (!this.#stopping) this.#armPoolTimer();
    });
    return queued;
  }

  #armPoolTimer(): void {
    if (this.#poolTimer) return;
    this.#poolTimer = this.deps.clock.setTimer(POOL_RETRY_MS, () => {
      this.#poolTimer = null;
      this.#kick();
    });
  }

  #armRetryTimer(): void {
    let earliest = Number.POSITIVE_INFINITY;
    for (const slot of this.#retrying) {
      if (slot.ti.nextTryAt) earliest = Math.min(earliest, Date.parse(slot.ti.nextTryAt));
    }
    if (this.#retryTimer && this.#retryTimer.at === earliest) return;
    this.#retryTimer?.cancel();
    this.#retryTimer = null;
    if (earliest === Number.POSITIVE_INFINITY) return;
    const cancel = this.deps.clock.setTimer(earliest - this.deps.clock.now(), () => {
      this.#retryTimer = null;
      this.#kick();
    });
    this.#retryTimer = { at: earliest, cancel };
  }

  #jobOf(slot: TaskSlot): TryJob {
    const key = this.#key(slot);
    const logPath = this.deps.logs.pathOf(key);
    slot.logPath = logPath;
    return {
      descriptor: this.#descriptor(slot, key, logPath),
      secrets: { params: this.params.secret, mask: this.masker.values() },
    };
  }

  #submit(slot: TaskSlot, job: TryJob): void {
    const listener: ExecutorListener = {
      started: (_k, placement) => this.#onStarted(slot, placement),
      finished: (_k, outcome) => this.#onFinished(slot, outcome),
      secret: (_k, value) => this.masker.add(value),
    };
    this.deps.executor.submit(job, listener);
  }

  #descriptor(slot: TaskSlot, key: TaskInstanceKey, logPath: string): TryDescriptor {
    const upstreamOutputs: Record<string, unknown> = {};
    const upstreamMissing: Record<string, string> = {};
    const map = slot.def.map;
    for (const id of slot.def.upstreamIds) {
      const up = this.#tasks.get(id)!.ti;
      if (slot.parent && id === map?.overId && !map.overIsUpstream) {
        // Each instance gets its element, not the whole array (10,000 instances would copy it 10,000 times).
        upstreamMissing[id] =
          `each instance gets its element as 'item'; list ${id} in upstream to read it whole`;
      } else if (up.state === 'success') upstreamOutputs[id] = up.output;
      else upstreamMissing[id] = `it is ${up.state}, not success`;
    }
    return {
      key,
      dagFile: this.deps.dagFile,
      maxTries: slot.ti.maxTries,
      logicalDate: this.run.logicalDate,
      dataInterval: { start: this.#interval.start.toISOString(), end: this.#interval.end.toISOString() },
      params: this.params.plain,
      secretParams: Object.keys(this.params.secret),
      upstreamOutputs,
      upstreamMissing,
      timeoutMs: slot.def.options.executionTimeout,
      fence: { owner: this.deps.fence.owner, epoch: this.deps.fence.epoch },
      logPath,
      ...(slot.def.options.queue === DEFAULT_QUEUE ? {} : { queue: slot.def.options.queue }),
      ...(slot.mapIndex === undefined ? {} : { map: { index: slot.mapIndex, item: slot.item } }),
    };
  }

  #onStarted(slot: TaskSlot, placement: TryPlacement): void {
    if (slot.ti.state !== 'queued') return;
    const now = this.deps.clock.now();
    slot.startedMs = now;
    const startedAt = new Date(now).toISOString();
    this.#set(slot, 'running', { startedAt, endedAt: null, durationMs: null });
    this.#writer.stage({
      kind: 'try-start',
      record: {
        dagId: this.run.dagId,
        runId: this.run.runId,
        taskId: slot.ti.taskId,
        tryNumber: slot.ti.tryNumber,
        state: 'running',
        startedAt,
        endedAt: null,
        durationMs: null,
        errorName: null,
        errorMessage: null,
        errorStack: null,
        logPath: slot.logPath ?? '',
        host: placement.host,
        pid: placement.pid,
      },
    });
    this.#kick();
  }

  #onFinished(slot: TaskSlot, given: TryOutcome): void {
    const outcome = this.#checkedBranch(slot, given);
    this.#active--;
    this.deps.pools.release(slot.def.options.pool);
    this.#freed.add(slot.def.options.pool);
    const now = this.deps.clock.now();
    const endedAt = new Date(now).toISOString();
    const durationMs = now - (slot.startedMs ?? now);
    const decided = decideFinishedTry({
      outcome,
      tryNumber: slot.ti.tryNumber,
      maxTries: slot.ti.maxTries,
      options: slot.def.options,
      stopping: this.#stopping !== null,
      nowMs: now,
      random: this.deps.random(),
    });
    const state: TaskState = decided.state;
    const error = 'error' in decided ? decided.error : undefined;
    const nextTryAt = decided.state === 'up_for_retry' ? new Date(decided.nextTryAt).toISOString() : null;
    if (decided.state === 'up_for_retry' && slot.logPath) {
      appendLogLine(
        slot.logPath,
        this.#key(slot),
        this.masker,
        'info',
        `retrying in ${decided.delayMs} ms (try ${slot.ti.tryNumber + 1} of ${slot.ti.maxTries})`,
      );
    }
    if (slot.ti.state === 'queued') {
      // Finished without a `started` report (cancelled in the queue): record the try all the same.
      this.#onStarted(slot, { host: '', pid: 0 });
    }
    const message = error ? this.masker.mask(error.message) : undefined;
    this.#set(
      slot,
      state,
      {
        endedAt,
        durationMs,
        nextTryAt,
        output: outcome.kind === 'success' ? outcome.output : null,
      },
      message,
    );
    this.#writer.stage({
      kind: 'try-end',
      dagId: this.run.dagId,
      runId: this.run.runId,
      taskId: slot.ti.taskId,
      tryNumber: slot.ti.tryNumber,
      state,
      endedAt,
      durationMs,
      errorName: error?.name ?? null,
      errorMessage: message ?? null,
      errorStack: error?.stack ? this.masker.mask(error.stack) : null,
    });
    if (state === 'success' && outcome.kind === 'success')
      this.#skipNotFollowed(slot, outcome.output, endedAt);
    this.#notify(slot, state, message ?? null, endedAt);
    // A mapped task's assets are updated once, when all its instances succeeded.
    if (state === 'success' && !slot.parent) this.#assetEvents(slot, endedAt);
    this.#kick();
  }

  #assetEvents(slot: TaskSlot, at: string): void {
    for (const asset of slot.def.outlets) {
      this.#writer.stage({
        kind: 'asset-event',
        event: {
          asset,
          logicalDate: this.run.logicalDate,
          dagId: this.run.dagId,
          runId: this.run.runId,
          taskId: slot.def.id,
          createdAt: at,
        },
      });
    }
  }

  /**
   * A mapped task whose trigger rule is met: one instance per element of its upstream's array (created in
   * the store by the same commit), scheduled at once; instances that succeeded before (a resumed run) are
   * kept. The mapped task is `running` until they are all final. An empty array skips it; a non-array or
   * one past its limit fails it with one try whose log says why.
   */
  #expand(slot: TaskSlot): void {
    const map = slot.def.map!;
    const expansion = expansionOf(slot.def, this.#tasks.get(map.overId)!.ti.output);
    if (expansion.kind === 'skip') {
      this.#set(slot, 'skipped', { endedAt: this.#iso() }, expansion.reason);
      return;
    }
    const startedAt = this.#iso();
    this.#set(slot, 'scheduled');
    if (expansion.kind === 'fail') {
      this.#failExpansion(slot, expansion.error);
      return;
    }
    this.#set(slot, 'queued');
    this.#set(slot, 'running', { startedAt, endedAt: null, durationMs: null, output: null });
    slot.startedMs = this.deps.clock.now();
    const stored = slot.children ?? [];
    const children: TaskSlot[] = [];
    let pending = 0;
    const { items } = expansion;
    for (let i = 0; i < items.length; i++) {
      let child = stored[i];
      if (!child) {
        const taskId = mappedTaskId(slot.def.id, i);
        this.#writer.stage({ kind: 'add-task', dagId: this.run.dagId, runId: this.run.runId, taskId });
        child = {
          def: slot.def,
          ti: newTaskInstance(this.run.dagId, this.run.runId, taskId),
          index: slot.index,
          parent: slot,
          mapIndex: i,
        };
      }
      child.item = items[i];
      children.push(child);
      if (child.ti.state === 'none') {
        pending++;
        this.#set(child, 'scheduled', { maxTries: child.ti.tryNumber + slot.def.options.retries + 1 });
      }
    }
    // Instances of a longer earlier expansion (its upstream was cleared and returned fewer items) are left out.
    for (const extra of stored.slice(items.length)) {
      if (extra?.ti.state === 'none') this.#set(extra, 'skipped', { endedAt: startedAt });
    }
    slot.children = children;
    slot.pendingChildren = pending;
    if (pending === 0) this.#finishMapped(slot);
  }

  /** Fails a mapped task that cannot expand, through one recorded try so its error and log are kept. */
  #failExpansion(slot: TaskSlot, error: Error): void {
    this.#queue(slot);
    const key = this.#key(slot);
    slot.logPath = this.deps.logs.pathOf(key);
    appendLogLine(slot.logPath, key, this.masker, 'error', error.message, { errorName: error.name });
    this.#onStarted(slot, { host: '', pid: 0 });
    const endedAt = this.#iso();
    this.#set(slot, 'failed', { endedAt, durationMs: 0, output: null }, error.message);
    this.#writer.stage({
      kind: 'try-end',
      dagId: this.run.dagId,
      runId: this.run.runId,
      taskId: slot.ti.taskId,
      tryNumber: slot.ti.tryNumber,
      state: 'failed',
      endedAt,
      durationMs: 0,
      errorName: error.name,
      errorMessage: error.message,
      errorStack: null,
    });
    this.#notify(slot, 'failed', error.message, endedAt);
  }

  #instanceFinished(parent: TaskSlot): void {
    if (parent.pendingChildren === undefined || parent.ti.state !== 'running') return;
    parent.pendingChildren--;
    if (parent.pendingChildren === 0) this.#finishMapped(parent);
  }

  /** All instances of a mapped task are final: it takes their aggregate state and the array of their outputs. */
  #finishMapped(slot: TaskSlot): void {
    const children = slot.children ?? [];
    const outcome = mappedOutcome(children.map((c) => c.ti.state));
    const now = this.deps.clock.now();
    const endedAt = new Date(now).toISOString();
    const output = outcome.state === 'success' ? children.map((c) => c.ti.output) : null;
    slot.pendingChildren = undefined;
    this.#set(
      slot,
      outcome.state,
      { endedAt, durationMs: now - (slot.startedMs ?? now), output },
      outcome.error,
    );
    if (outcome.state === 'success') this.#assetEvents(slot, endedAt);
  }

  /** The task states of the run of this DAG with the latest logical date before this one. */
  async #loadPast(): Promise<void> {
    this.#pastStale = false;
    const earlier = (await this.deps.store.listRuns(this.run.dagId))
      .filter((r) => r.logicalDate < this.run.logicalDate)
      .sort((a, b) => (a.logicalDate < b.logicalDate ? 1 : -1))[0];
    if (!earlier) {
      this.#past = null;
      this.#pastRun = null;
    } else {
      const tis = await this.deps.store.listTaskInstances(this.run.dagId, earlier.runId);
      this.#past = new Map(tis.map((t) => [t.taskId, t.state]));
      this.#pastRun = earlier.runId;
    }
    // Tasks that waited on it are decided again with what was just read.
    for (const slot of this.#waitingPast) this.#candidates.add(slot);
    this.#waitingPast.clear();
  }

  /** `dependsOnPast`: whether the previous run's instance (and its downstream) lets this task run. */
  #pastVerdict(slot: TaskSlot): 'ok' | 'wait' | { failed: string } {
    const past = this.#past;
    if (past === null) return 'ok';
    const ids = [
      slot.def.id,
      ...(slot.def.options.waitForDownstream ? this.dag.graph.downstreamOf(slot.def.id) : []),
    ];
    let wait = false;
    for (const id of ids) {
      const state = past.get(id);
      if (state === undefined || state === 'success' || state === 'skipped') continue;
      if (state === 'failed' || state === 'upstream_failed') {
        return { failed: `depends on past: ${id} is ${state} in the previous run ${this.#pastRun}` };
      }
      wait = true;
    }
    if (wait) this.#armPastTimer();
    return wait ? 'wait' : 'ok';
  }

  #armPastTimer(): void {
    if (this.#pastTimer) return;
    this.#pastTimer = this.deps.clock.setTimer(1_000, () => {
      this.#pastTimer = null;
      this.#pastStale = true;
      this.#kick();
    });
  }

  #notify(slot: TaskSlot, state: TaskState, error: string | null, at: string): void {
    const event = NOTIFIED[state];
    if (!event) return;
    const callbacks = slot.def.options.callbacks[event];
    if (callbacks.length === 0) return;
    this.#notifications.push({
      slot,
      callbacks,
      notification: {
        event,
        dagId: this.run.dagId,
        runId: this.run.runId,
        logicalDate: this.run.logicalDate,
        taskId: slot.ti.taskId,
        tryNumber: slot.ti.tryNumber,
        state,
        error,
        logPath: slot.logPath ?? null,
        at,
      },
    });
  }

  /** A branch's output must name direct downstream tasks: anything else fails its try (not retried). */
  #checkedBranch(slot: TaskSlot, outcome: TryOutcome): TryOutcome {
    if (!slot.def.options.branch || outcome.kind !== 'success') return outcome;
    const downstream = this.dag.graph.downstreamOf(slot.def.id);
    const named = Array.isArray(outcome.output) ? outcome.output : [outcome.output];
    const wrong = named.filter((id) => typeof id !== 'string' || !downstream.includes(id));
    if (wrong.length === 0) return outcome;
    const message = `branch ${slot.def.id} returned ${JSON.stringify(outcome.output)}; it must name its direct downstream tasks (${downstream.join(', ') || 'none'})`;
    return { kind: 'failed', error: new NonRetryableError(message), retryable: false };
  }

  /** After a branch or a short-circuit succeeded: skips the downstream tasks it did not follow. */
  #skipNotFollowed(slot: TaskSlot, output: unknown, endedAt: string): void {
    const { branch, shortCircuit } = slot.def.options;
    if (!branch && !(shortCircuit && !output)) return;
    const direct = this.dag.graph.downstreamOf(slot.def.id);
    let skip: string[] = [];
    if (branch) {
      const followed = new Set(Array.isArray(output) ? output : [output]);
      skip = direct.filter((id) => !followed.has(id));
    } else if (shortCircuit && !output) {
      if (shortCircuit === 'direct') skip = [...direct];
      else {
        // Every task downstream, whatever its trigger rule (Airflow's ignore_downstream_trigger_rules).
        const seen = new Set<string>();
        const stack = [...direct];
        while (stack.length > 0) {
          const id = stack.pop()!;
          if (seen.has(id)) continue;
          seen.add(id);
          stack.push(...this.dag.graph.downstreamOf(id));
        }
        skip = [...seen];
      }
    }
    for (const id of skip) {
      const down = this.#tasks.get(id)!;
      // A teardown is never skipped past: it follows its setups (all_done_setup_success).
      if (down.def.role.kind === 'teardown') continue;
      if (down.ti.state === 'none' && this.#selected(down)) this.#set(down, 'skipped', { endedAt });
    }
  }

  #maybeFinish(): void {
    if (!this.#finish || this.#active > 0 || this.#writer.pendingCount > 0 || this.#tickScheduled) return;
    const canProgress = this.#ready.size > 0 || this.#retrying.size > 0 || this.#waitingPast.size > 0;
    if (this.#unfinished > 0 && !this.#stopping && canProgress) {
      // Something waits for a retry time or for a pool slot another run holds: its timer or the pool wakes us.
      return;
    }
    this.#retryTimer?.cancel();
    this.#poolTimer?.();
    this.#poolTimer = null;
    this.#pastTimer?.();
    this.#pastTimer = null;
    this.#unsubscribe();
    this.#unsubscribeStored();
    this.#detachSignal();
    // An interrupted run stays resumable: the next `dag run` or the same backfill continues it.
    const state = runOutcome(
      this.#order.map((slot) => ({
        state: slot.ti.state,
        leaf: this.#deciders.has(slot.def.id),
        ignoredTeardown: isIgnoredTeardown(slot.def.role),
      })),
      this.#stopping !== null,
    );
    const finish = this.#finish;
    this.#finish = null;
    const settling = this.#settling.splice(0);
    if (settling.length === 0) finish(state);
    else void Promise.all(settling).then(() => finish(state));
  }

  /** Another process holds the run now: kill our tries at once and write nothing more. */
  leaseLost(error: LeaseLostError): void {
    this.#abandon(error);
  }

  #abandon(error: unknown): void {
    if (!this.#fail) return;
    const lost = error instanceof LeaseLostError;
    for (const slot of this.#tryable()) {
      if (slot.ti.state === 'queued' || slot.ti.state === 'running') {
        this.deps.executor.cancel(
          this.#key(slot),
          new TaskInterruptedError(
            lost ? 'the run was taken over by another process' : 'the state store failed',
          ),
          { kill: lost },
        );
      }
    }
    this.#retryTimer?.cancel();
    this.#poolTimer?.();
    this.#poolTimer = null;
    this.#pastTimer?.();
    this.#pastTimer = null;
    this.#unsubscribe();
    this.#unsubscribeStored();
    this.#detachSignal();
    const fail = this.#fail;
    this.#finish = null;
    this.#fail = null;
    fail?.(error);
  }
}
