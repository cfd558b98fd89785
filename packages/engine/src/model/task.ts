import type { TaskContext } from '../runtime/context.js';
import type { ResolvedTaskOptions, TaskOptions } from './options.js';
import type { ResourceSpecs } from './resource.js';
import type { TaskRole } from './setup-teardown.js';

declare const OUTPUT: unique symbol;

/**
 * A typed handle to a declared task. Downstream tasks list handles as `upstream` and read the upstream's
 * output with `ctx.upstream(handle)`, so the output type flows through the graph and a handle that is not a
 * declared upstream fails to compile.
 */
export interface TaskRef<O = unknown, Id extends string = string> {
  readonly id: Id;
  readonly dagId: string;
  /** Phantom: carries the output type; never set at run time. */
  readonly [OUTPUT]?: O;
}

/** Any task handle, whatever its output. */
export type AnyTaskRef = TaskRef<unknown, string>;

/** The output type a handle carries. */
export type OutputOf<R> = R extends TaskRef<infer O, string> ? O : never;

declare const TARGETS: unique symbol;

/**
 * The handle of a branch task declared with `dag.branch()`: it also carries the ids of the downstream tasks the
 * branch may follow, so a downstream task that is not one of them fails to compile.
 */
export interface BranchRef<O, Id extends string, T extends string> extends TaskRef<O, Id> {
  /** Phantom: the branch's targets; never set at run time. */
  readonly [TARGETS]?: T;
}

/** The targets of the branch handles among `U`; never when none of them is a branch. */
export type BranchTargetsOf<U extends readonly AnyTaskRef[]> = U[number] extends infer R
  ? R extends { readonly [TARGETS]?: infer T }
    ? Exclude<T, undefined> extends infer S
      ? S extends string
        ? S
        : never
      : never
    : never
  : never;

/** A task downstream of a branch must be one of its targets: otherwise its `id` must be one of them. */
export type BranchDownstream<Id extends string, U extends readonly AnyTaskRef[]> = [
  BranchTargetsOf<U>,
] extends [never]
  ? unknown
  : Id extends BranchTargetsOf<U>
    ? unknown
    : { readonly id: BranchTargetsOf<U> };

/** What a DAG author writes to declare a task. */
export interface TaskSpec<Id extends string, Ctx, U extends readonly AnyTaskRef[], O> extends TaskOptions {
  readonly id: Id;
  readonly description?: string;
  /** Tasks whose outputs this task reads; they must finish (per the trigger rule) before it runs. */
  readonly upstream?: U;
  /** Assets (URIs such as `lake://trusted/events`) this task updates when it succeeds. */
  readonly outlets?: readonly string[];
  /**
   * A setup task (Airflow's `as_setup()`): it creates what later tasks use, and teardowns name it in
   * `teardownOf`. Clearing a task of its scope clears it too. @default false
   */
  readonly setup?: boolean;
  /**
   * Makes this task the teardown of these setup tasks (Airflow's `as_teardown(setups=...)`): it becomes their
   * downstream, runs once all its upstream tasks are done (failed or not) provided its setups succeeded
   * (trigger rule `all_done_setup_success`, the only one a teardown accepts), and its failure does not fail
   * the run unless `failRunOnFailure`. List the tasks of the scope in `upstream`. @default none
   */
  readonly teardownOf?: readonly AnyTaskRef[];
  /** For a teardown: its failure fails the run (Airflow's `on_failure_fail_dagrun`). @default false */
  readonly failRunOnFailure?: boolean;
  readonly run: (ctx: Ctx) => O | Promise<O>;
}

/**
 * A branch task (`dag.branch()`): `targets` lists the direct downstream tasks it may follow, and `run` returns
 * one of them or several; the others are skipped. Returning anything else fails to compile.
 */
export interface BranchSpec<Id extends string, Ctx, U extends readonly AnyTaskRef[], T extends string>
  extends Omit<TaskSpec<Id, Ctx, U, unknown>, 'run' | 'branch' | 'shortCircuit'> {
  readonly targets: readonly [T, ...T[]];
  readonly run: (
    ctx: Ctx,
  ) => NoInfer<T> | readonly NoInfer<T>[] | Promise<NoInfer<T> | readonly NoInfer<T>[]>;
}

/** What each instance of a mapped task receives besides its context: its item, its index and the partial arguments. */
export type MapArgs<T, P> = Readonly<P> & { readonly item: T; readonly index: number };

/**
 * What a DAG author writes to declare a mapped task (Airflow's `partial(...).expand(...)`): one task instance
 * per element of `over`'s array output, each run with that element, its index and the constant `partial`
 * arguments. Its handle carries the array of the instances' outputs, in index order.
 */
export interface MapSpec<Id extends string, Ctx, T, U extends readonly AnyTaskRef[], P, O>
  extends TaskOptions {
  readonly id: Id;
  readonly description?: string;
  /** The task whose output (an array) is mapped over: one instance per element. */
  readonly over: TaskRef<readonly T[]>;
  /** Other tasks whose outputs every instance reads (`over` need not be listed: its element is `item`). */
  readonly upstream?: U;
  /** Constant arguments every instance receives beside its item (JSON values; `item` and `index` are taken). */
  readonly partial?: P;
  /**
   * Most instances the task may expand into; a longer array fails the task, naming this option.
   * @default 1024
   */
  readonly maxMapLength?: number;
  /** Assets this task updates once every instance succeeded. */
  readonly outlets?: readonly string[];
  readonly run: (ctx: Ctx, args: MapArgs<T, P>) => O | Promise<O>;
}

/** How a mapped task expands, as the scheduler and workers use it. */
export interface MapDefinition {
  /** The upstream whose array output is mapped over. */
  readonly overId: string;
  /** Whether the author listed `over` in `upstream` too (then instances may read the whole array). */
  readonly overIsUpstream: boolean;
  readonly partial: Readonly<Record<string, unknown>>;
  readonly maxLength: number;
  readonly run: (
    ctx: TaskContext<Record<string, unknown>, readonly AnyTaskRef[]>,
    args: MapArgs<unknown, Record<string, unknown>>,
  ) => unknown;
}

/** The type-erased form of a task the scheduler works with. */
export interface TaskDefinition {
  readonly id: string;
  readonly description: string | undefined;
  readonly group: string | undefined;
  readonly upstreamIds: readonly string[];
  readonly options: ResolvedTaskOptions;
  readonly outlets: readonly string[];
  /** Work, a setup, or a teardown of some setups. */
  readonly role: TaskRole;
  /** The DAG's resources, which the try opens on the body's first use (`ctx.resources`). */
  readonly resources: ResourceSpecs;
  readonly run: (ctx: TaskContext<Record<string, unknown>, readonly AnyTaskRef[], ResourceSpecs>) => unknown;
  /** Set for a mapped task (`Dag.map`): its instances run `map.run`, never `run`. */
  readonly map?: MapDefinition;
}
