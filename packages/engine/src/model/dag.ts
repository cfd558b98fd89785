import type { TaskContext } from '../runtime/context.js';
import { parseLogicalDate } from '../time/dates.js';
import { DagDefinitionError, NonRetryableError } from './errors.js';
import { TaskGraph } from './graph.js';
import { assertValidId } from './ids.js';
import { DEFAULT_MAX_MAP_LENGTH } from './map-index.js';
import { type Callback, type Callbacks, callbackList, isCallback } from './notification.js';
import { resolveTaskOptions, type TaskOptions, validateTaskOptions } from './options.js';
import { type ParamSpecs, type ParamValues, validateParamSpecs } from './params.js';
import { type ResourceSpecs, validateResources } from './resource.js';
import { dataIntervalOf, type ParsedSchedule, parseSchedule, type Schedule } from './schedule.js';
import { type TaskRole, WORK_ROLE } from './setup-teardown.js';
import type {
  AnyTaskRef,
  BranchDownstream,
  BranchRef,
  BranchSpec,
  MapDefinition,
  MapSpec,
  TaskDefinition,
  TaskRef,
  TaskSpec,
} from './task.js';

/** What a DAG author writes to declare a DAG. */
export interface DagSpec<S extends ParamSpecs, R extends ResourceSpecs = Record<never, never>> {
  /** Unique id; becomes a path segment of logs and state. */
  readonly id: string;
  readonly description?: string;
  /** @default null (manual runs only) */
  readonly schedule?: Schedule;
  /** First logical date the schedule produces (`YYYY-MM-DD` or ISO date-time). */
  readonly startDate: string;
  readonly params?: S;
  /**
   * Resources the tasks use (made with `defineResource`), by the name a task reads on `ctx.resources`.
   * Each try opens the ones its body reads, in the process running the try, and closes them after it.
   * @default {}
   */
  readonly resources?: R;
  readonly defaultTaskOptions?: TaskOptions;
  /**
   * Tasks of one run executing at the same time.
   * @default 16
   */
  readonly maxActiveTasks?: number;
  /**
   * Runs of this DAG executing at the same time in a backfill; for the scheduler, runs queued or running.
   * @default 1
   */
  readonly maxActiveRuns?: number;
  readonly tags?: readonly string[];
  /**
   * What the scheduler does with intervals that ended while it was not running (Airflow 3's `catchup`): true
   * creates a run for every missed interval since the start date (or the last scheduled run), oldest first;
   * false creates only the latest completed one.
   * @default false
   */
  readonly catchup?: boolean;
  /** Last logical date the scheduler creates a run for (`YYYY-MM-DD` or ISO date-time). @default none */
  readonly endDate?: string;
  /**
   * Whether the DAG is paused the first time a scheduler sees it (later changes: `dag pause` / `dag unpause`).
   * @default false
   */
  readonly pausedOnCreation?: boolean;
  /** Told when a run of this DAG succeeds (a function or a Notifier). */
  readonly onSuccess?: Callbacks;
  /** Told when a run of this DAG fails. */
  readonly onFailure?: Callbacks;
  /**
   * For the SLA use case: a run still unfinished this many milliseconds after its data interval ended calls
   * `onDeadlineMissed` (once per run and owner; the run goes on). Needs `onDeadlineMissed`. @default none
   */
  readonly deadline?: number;
  /** Told when a run is still unfinished at its `deadline` (state `running` or `queued`). */
  readonly onDeadlineMissed?: Callbacks;
}

const DAG_BRAND = Symbol.for('streampro.dag');

/** A DAG: a typed task graph with a schedule. Declare tasks with `task()` (and `group()`), in dependency order. */
export class Dag<S extends ParamSpecs = ParamSpecs, R extends ResourceSpecs = ResourceSpecs> {
  readonly [DAG_BRAND] = true;
  readonly id: string;
  readonly description: string;
  readonly schedule: Schedule;
  readonly parsedSchedule: ParsedSchedule;
  readonly startDate: Date;
  readonly params: S;
  readonly resources: R;
  readonly defaultTaskOptions: TaskOptions;
  readonly maxActiveTasks: number;
  readonly maxActiveRuns: number;
  readonly tags: readonly string[];
  readonly catchup: boolean;
  readonly endDate: Date | null;
  readonly pausedOnCreation: boolean;
  readonly callbacks: {
    readonly success: readonly Callback[];
    readonly failure: readonly Callback[];
    readonly deadlineMissed: readonly Callback[];
  };
  /** `deadline`: milliseconds after a run's data interval end by which it should have finished, or null. */
  readonly deadlineMs: number | null;
  readonly graph = new TaskGraph();
  readonly #tasks = new Map<string, TaskDefinition>();
  /** The declared targets of branches made with `branch()`. */
  readonly #branchTargets = new Map<string, readonly string[]>();

  constructor(spec: DagSpec<S, R>) {
    assertValidId('DAG', spec.id);
    this.id = spec.id;
    this.description = spec.description ?? '';
    this.schedule = spec.schedule ?? null;
    this.parsedSchedule = parseSchedule(spec.id, this.schedule);
    this.startDate = definitionDate(spec.id, spec.startDate);
    this.params = (spec.params ?? {}) as S;
    validateParamSpecs(spec.id, this.params);
    this.resources = (spec.resources ?? {}) as R;
    validateResources(spec.id, this.resources);
    this.defaultTaskOptions = spec.defaultTaskOptions ?? {};
    this.callbacks = {
      success: callbackList(spec.onSuccess),
      failure: callbackList(spec.onFailure),
      deadlineMissed: callbackList(spec.onDeadlineMissed),
    };
    for (const c of [
      ...this.callbacks.success,
      ...this.callbacks.failure,
      ...this.callbacks.deadlineMissed,
    ]) {
      if (!isCallback(c))
        throw new DagDefinitionError(
          `DAG '${spec.id}': onSuccess / onFailure / onDeadlineMissed must be functions or notifiers`,
        );
    }
    this.deadlineMs = deadlineOf(spec.id, spec.deadline, this.callbacks.deadlineMissed.length > 0);
    validateTaskOptions(`DAG '${spec.id}' defaultTaskOptions`, this.defaultTaskOptions);
    this.maxActiveTasks = positiveInteger(spec.id, 'maxActiveTasks', spec.maxActiveTasks, 16);
    this.maxActiveRuns = positiveInteger(spec.id, 'maxActiveRuns', spec.maxActiveRuns, 1);
    this.tags = spec.tags ?? [];
    this.catchup = flag(spec.id, 'catchup', spec.catchup);
    this.pausedOnCreation = flag(spec.id, 'pausedOnCreation', spec.pausedOnCreation);
    this.endDate = spec.endDate === undefined ? null : definitionDate(spec.id, spec.endDate, 'endDate');
    if (this.endDate && this.endDate.getTime() < this.startDate.getTime()) {
      throw new DagDefinitionError(
        `DAG '${spec.id}': endDate ${spec.endDate} is before startDate ${spec.startDate}`,
      );
    }
  }

  /** Declares a task. Its upstream handles must come from this DAG and be declared before it. */
  task<const Id extends string, const U extends readonly AnyTaskRef[] = readonly [], O = void>(
    spec: TaskSpec<Id, TaskContext<ParamValues<S>, U, R>, U, O> & BranchDownstream<Id, U>,
  ): TaskRef<Awaited<O>, Id> {
    return this.addTask(spec.id, undefined, spec);
  }

  /**
   * A typed branch (Airflow's `@task.branch`): `targets` names the direct downstream tasks it may follow and
   * `run` returns one or several of them; the others are skipped. A downstream task of it that is not among
   * the targets, or a `run` returning another id, fails to compile (and, in JavaScript, when the DAG is
   * defined or the branch runs).
   */
  branch<
    const Id extends string,
    const T extends string,
    const U extends readonly AnyTaskRef[] = readonly [],
  >(spec: BranchSpec<Id, TaskContext<ParamValues<S>, U, R>, U, T>): BranchRef<T | readonly T[], Id, T> {
    const targets: unknown = spec.targets;
    if (!Array.isArray(targets) || targets.length === 0 || !targets.every((t) => typeof t === 'string')) {
      throw new DagDefinitionError(
        `DAG '${this.id}' branch '${spec.id}': targets must list the ids of the tasks it may follow`,
      );
    }
    const ref = this.addTask<Id, T | readonly T[]>(spec.id, undefined, { ...spec, branch: true });
    this.#branchTargets.set(ref.id, targets as readonly string[]);
    return ref;
  }

  /**
   * Declares a mapped task (Airflow's `expand`): at run time it becomes one task instance per element of
   * `over`'s array output (`<id>[0]`, `<id>[1]`, …), each with its own state, tries and log. Downstream tasks
   * read the array of the instances' outputs in index order; an empty array skips the task.
   */
  map<
    const Id extends string,
    T,
    const U extends readonly AnyTaskRef[] = readonly [],
    O = void,
    const P extends MapPartial = Record<never, never>,
  >(spec: MapSpec<Id, TaskContext<ParamValues<S>, U, R>, T, U, P, O>): TaskRef<Awaited<O>[], Id> {
    return this.addMapped(spec.id, undefined, spec);
  }

  /**
   * Airflow's LatestOnlyOperator: a short-circuit task that lets its downstream run only in the run of the
   * latest scheduled interval (the one whose end has passed and the next interval's end has not). In older
   * runs (a backfill, a catch-up) everything downstream is skipped; a manual run always goes on. `now` is for
   * tests.
   */
  latestOnly<const Id extends string = 'latest_only'>(
    spec: { readonly id?: Id; readonly now?: () => number } = {},
  ): TaskRef<boolean, Id> {
    const id = (spec.id ?? 'latest_only') as Id;
    const now = spec.now ?? Date.now;
    return this.task({
      id,
      shortCircuit: true,
      run: (ctx) => {
        if (ctx.runId.startsWith('manual__')) return true;
        const end = Date.parse(ctx.dataInterval.end);
        const nextEnd = dataIntervalOf(this.parsedSchedule, new Date(end)).end.getTime();
        const latest = now() >= end && now() < nextEnd;
        if (!latest)
          ctx.log.info('not the latest interval: skipping what follows', {
            nextEnd: new Date(nextEnd).toISOString(),
          });
        return latest;
      },
    });
  }

  /** A naming scope: tasks declared through it get ids `<prefix>.<id>` and show as one group. */
  group<const G extends string>(prefix: G): TaskGroup<S, G, R> {
    assertValidId('task group', prefix);
    return new TaskGroup(this, prefix);
  }

  /** Adds an ordering-only dependency (no data flows); fails when it would close a cycle. */
  dependsOn(downstream: AnyTaskRef, upstream: AnyTaskRef | readonly AnyTaskRef[]): void {
    this.#assertOwn(downstream, 'dependsOn');
    for (const up of Array.isArray(upstream) ? upstream : [upstream]) {
      this.#assertOwn(up, 'dependsOn');
      this.graph.addEdge(this.id, up.id, downstream.id);
      const def = this.#tasks.get(downstream.id)!;
      if (!def.upstreamIds.includes(up.id)) {
        this.#tasks.set(downstream.id, { ...def, upstreamIds: [...def.upstreamIds, up.id] });
      }
    }
  }

  /** @internal Shared by Dag.map and TaskGroup.map. */
  addMapped<Id extends string, O>(
    fullId: string,
    group: string | undefined,
    spec: Omit<MapSpec<string, never, unknown, readonly AnyTaskRef[], object, unknown>, 'run'> & {
      readonly run: (ctx: never, args: never) => unknown;
    },
  ): TaskRef<O, Id> {
    const where = `DAG '${this.id}' mapped task '${fullId}'`;
    if (typeof spec.run !== 'function') throw new DagDefinitionError(`${where}: run must be a function`);
    if (spec.branch || spec.shortCircuit) {
      throw new DagDefinitionError(`${where}: a mapped task cannot be a branch or a short-circuit task`);
    }
    this.#assertOwn(spec.over, `mapped task '${fullId}' over`);
    const partial = spec.partial ?? {};
    if (typeof partial !== 'object' || partial === null || Array.isArray(partial)) {
      throw new DagDefinitionError(`${where}: partial must be an object of constant arguments`);
    }
    for (const reserved of ['item', 'index']) {
      if (Object.hasOwn(partial, reserved)) {
        throw new DagDefinitionError(
          `${where}: partial may not have '${reserved}': each instance gets its own`,
        );
      }
    }
    const maxLength = spec.maxMapLength ?? DEFAULT_MAX_MAP_LENGTH;
    if (!Number.isInteger(maxLength) || maxLength < 1) {
      throw new DagDefinitionError(`${where}: maxMapLength must be a positive integer, got ${maxLength}`);
    }
    const upstream = spec.upstream ?? [];
    const map: MapDefinition = {
      overId: spec.over.id,
      overIsUpstream: upstream.some((u) => u.id === spec.over.id),
      partial: Object.freeze({ ...partial }) as Readonly<Record<string, unknown>>,
      maxLength,
      run: spec.run as MapDefinition['run'],
    };
    const { over, partial: _partial, maxMapLength: _max, run: _run, ...rest } = spec;
    return this.addTask(
      fullId,
      group,
      {
        ...rest,
        upstream: [over, ...upstream.filter((u) => u.id !== over.id)],
        run: () => {
          throw new NonRetryableError(
            `task '${fullId}' is mapped: only its instances ('${fullId}[0]', …) run`,
          );
        },
      },
      map,
    );
  }

  /** @internal Shared by Dag.task and TaskGroup.task. */
  addTask<Id extends string, O>(
    fullId: string,
    group: string | undefined,
    spec: TaskSpec<string, never, readonly AnyTaskRef[], unknown>,
    map?: MapDefinition,
  ): TaskRef<O, Id> {
    assertValidId('task', fullId);
    if (this.#tasks.has(fullId)) {
      throw new DagDefinitionError(`DAG '${this.id}': duplicate task id '${fullId}'`);
    }
    if (typeof spec.run !== 'function') {
      throw new DagDefinitionError(`DAG '${this.id}' task '${fullId}': run must be a function`);
    }
    validateTaskOptions(`DAG '${this.id}' task '${fullId}'`, spec);
    const upstream = spec.upstream ?? [];
    for (const up of upstream) this.#assertOwn(up, `task '${fullId}'`);
    for (const up of upstream) {
      const targets = this.#branchTargets.get(up.id);
      if (targets && !targets.includes(fullId)) {
        throw new DagDefinitionError(
          `DAG '${this.id}' task '${fullId}': its upstream branch '${up.id}' follows only ${targets.map((t) => `'${t}'`).join(', ')}; add '${fullId}' to its targets`,
        );
      }
    }
    const role = this.#roleOf(fullId, spec);
    const upstreamIds = [
      ...new Set([...upstream.map((u) => u.id), ...(role.kind === 'teardown' ? role.setups : [])]),
    ];
    const outlets = [...(spec.outlets ?? [])];
    for (const outlet of outlets) {
      if (typeof outlet !== 'string' || !/^[a-z][a-z0-9+.-]*:\/\/\S+$/.test(outlet)) {
        throw new DagDefinitionError(
          `DAG '${this.id}' task '${fullId}': outlet ${JSON.stringify(outlet)} is not an asset URI like lake://trusted/events`,
        );
      }
    }
    this.graph.addNode(fullId);
    for (const up of upstreamIds) this.graph.addEdge(this.id, up, fullId);
    const options = resolveTaskOptions(this.defaultTaskOptions, spec);
    this.#tasks.set(fullId, {
      id: fullId,
      description: spec.description,
      group,
      upstreamIds,
      options: role.kind === 'teardown' ? { ...options, triggerRule: 'all_done_setup_success' } : options,
      outlets,
      role,
      resources: this.resources,
      run: spec.run as TaskDefinition['run'],
      ...(map ? { map } : {}),
    });
    return { id: fullId as Id, dagId: this.id };
  }

  /** Whether the task is a setup, a teardown (of setups declared earlier) or work; rejects a mixed role. */
  #roleOf(fullId: string, spec: TaskSpec<string, never, readonly AnyTaskRef[], unknown>): TaskRole {
    const where = `DAG '${this.id}' task '${fullId}'`;
    for (const key of ['setup', 'failRunOnFailure'] as const) {
      if (spec[key] !== undefined && typeof spec[key] !== 'boolean') {
        throw new DagDefinitionError(`${where}: ${key} must be a boolean, got ${JSON.stringify(spec[key])}`);
      }
    }
    if (spec.teardownOf === undefined) {
      if (spec.failRunOnFailure !== undefined) {
        throw new DagDefinitionError(
          `${where}: failRunOnFailure is for teardown tasks; add teardownOf: [<setup task>] or remove it`,
        );
      }
      return spec.setup ? { kind: 'setup' } : WORK_ROLE;
    }
    if (!Array.isArray(spec.teardownOf) || spec.teardownOf.length === 0) {
      throw new DagDefinitionError(`${where}: teardownOf must list at least one setup task`);
    }
    if (spec.setup) {
      throw new DagDefinitionError(`${where}: a task is a setup or a teardown, not both`);
    }
    if (spec.triggerRule !== undefined && spec.triggerRule !== 'all_done_setup_success') {
      throw new DagDefinitionError(
        `${where}: a teardown runs by trigger rule all_done_setup_success; remove triggerRule '${spec.triggerRule}'`,
      );
    }
    for (const ref of spec.teardownOf) {
      this.#assertOwn(ref, `task '${fullId}' teardownOf`);
      if (this.#tasks.get(ref.id)!.role.kind !== 'setup') {
        throw new DagDefinitionError(
          `${where}: teardownOf names '${ref.id}', which is not a setup task; declare it with setup: true`,
        );
      }
    }
    return {
      kind: 'teardown',
      setups: [...new Set(spec.teardownOf.map((r) => r.id))],
      failRunOnFailure: spec.failRunOnFailure ?? false,
    };
  }

  #assertOwn(ref: AnyTaskRef, where: string): void {
    if (!ref || ref.dagId !== this.id || !this.#tasks.has(ref.id)) {
      throw new DagDefinitionError(
        `DAG '${this.id}' ${where}: upstream ${JSON.stringify(ref?.id)} is not a task declared earlier in this DAG`,
      );
    }
  }

  /** Tasks in declaration order. */
  get tasks(): readonly TaskDefinition[] {
    return [...this.#tasks.values()];
  }

  getTask(id: string): TaskDefinition | undefined {
    return this.#tasks.get(id);
  }

  /** Task ids in topological order (layer by layer, declaration order inside a layer). */
  topologicalOrder(): string[] {
    const index = new Map([...this.#tasks.keys()].map((id, i) => [id, i]));
    return this.graph
      .generations()
      .flatMap((layer) => layer.sort((a, b) => (index.get(a) ?? 0) - (index.get(b) ?? 0)));
  }

  /** Every asset some task of this DAG updates. */
  get outlets(): string[] {
    return [...new Set(this.tasks.flatMap((t) => t.outlets))];
  }
}

/** Tasks declared through a group get `<prefix>.` in front of their ids. */
export class TaskGroup<
  S extends ParamSpecs,
  G extends string,
  R extends ResourceSpecs = Record<never, never>,
> {
  constructor(
    private readonly dag: Dag<S, R>,
    readonly prefix: G,
  ) {}

  task<const Id extends string, const U extends readonly AnyTaskRef[] = readonly [], O = void>(
    spec: TaskSpec<Id, TaskContext<ParamValues<S>, U, R>, U, O>,
  ): TaskRef<Awaited<O>, `${G}.${Id}`> {
    return this.dag.addTask(`${this.prefix}.${spec.id}`, this.prefix, spec);
  }

  map<
    const Id extends string,
    T,
    const U extends readonly AnyTaskRef[] = readonly [],
    O = void,
    const P extends MapPartial = Record<never, never>,
  >(spec: MapSpec<Id, TaskContext<ParamValues<S>, U>, T, U, P, O>): TaskRef<Awaited<O>[], `${G}.${Id}`> {
    return this.dag.addMapped(`${this.prefix}.${spec.id}`, this.prefix, spec);
  }
}

/** Constant arguments of a mapped task: `item` and `index` are what each instance gets of its own. */
export type MapPartial = Readonly<Record<string, unknown>> & {
  readonly item?: never;
  readonly index?: never;
};

/** The DAG file is at fault, not a user's input: a bad start date is a definition error. */
function definitionDate(dagId: string, text: string, what = 'startDate'): Date {
  try {
    return parseLogicalDate(text, `${what} of DAG '${dagId}'`);
  } catch (error) {
    throw new DagDefinitionError((error as Error).message, { cause: error });
  }
}

function flag(dagId: string, name: string, value: boolean | undefined): boolean {
  if (value === undefined) return false;
  if (typeof value !== 'boolean') {
    throw new DagDefinitionError(`DAG '${dagId}': ${name} must be a boolean, got ${JSON.stringify(value)}`);
  }
  return value;
}

function positiveInteger(dagId: string, name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1) {
    throw new DagDefinitionError(`DAG '${dagId}': ${name} must be a positive integer, got ${value}`);
  }
  return value;
}

/** Declares a DAG. */
export function defineDag<
  const S extends ParamSpecs = Record<never, never>,
  R extends ResourceSpecs = Record<never, never>,
>(spec: DagSpec<S, R>): Dag<S, R> {
  return new Dag(spec);
}

/** True for a Dag built by any copy of this package (DAG files are loaded by another module graph). */
export function isDag(value: unknown): value is Dag {
  return (
    typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[DAG_BRAND] === true
  );
}

function deadlineOf(dagId: string, deadline: unknown, hasCallback: boolean): number | null {
  if (deadline === undefined) {
    if (hasCallback)
      throw new DagDefinitionError(`DAG '${dagId}': onDeadlineMissed needs a deadline (milliseconds)`);
    return null;
  }
  if (typeof deadline !== 'number' || !Number.isInteger(deadline) || deadline < 0) {
    throw new DagDefinitionError(
      `DAG '${dagId}': deadline must be a whole number of milliseconds ≥ 0, got ${JSON.stringify(deadline)}`,
    );
  }
  if (!hasCallback) throw new DagDefinitionError(`DAG '${dagId}': a deadline needs onDeadlineMissed to call`);
  return deadline;
}
