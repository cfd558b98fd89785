import type { TaskContext } from '../runtime/context.js';
import type { ResolvedTaskOptions, TaskOptions } from './options.js';

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

/** What a DAG author writes to declare a task. */
export interface TaskSpec<Id extends string, Ctx, U extends readonly AnyTaskRef[], O> extends TaskOptions {
  readonly id: Id;
  readonly description?: string;
  /** Tasks whose outputs this task reads; they must finish (per the trigger rule) before it runs. */
  readonly upstream?: U;
  /** Assets (URIs such as `lake://trusted/events`) this task updates when it succeeds. */
  readonly outlets?: readonly string[];
  readonly run: (ctx: Ctx) => O | Promise<O>;
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
  readonly run: (ctx: TaskContext<Record<string, unknown>, readonly AnyTaskRef[]>) => unknown;
  /** Set for a mapped task (`Dag.map`): its instances run `map.run`, never `run`. */
  readonly map?: MapDefinition;
}
