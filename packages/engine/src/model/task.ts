import type { TaskContext } from '../runtime/context.js';
import type { ResolvedTaskOptions, TaskOptions } from './options.js';
import type { ResourceSpecs } from './resource.js';

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

/** The type-erased form of a task the scheduler works with. */
export interface TaskDefinition {
  readonly id: string;
  readonly description: string | undefined;
  readonly group: string | undefined;
  readonly upstreamIds: readonly string[];
  readonly options: ResolvedTaskOptions;
  readonly outlets: readonly string[];
  /** The DAG's resources, which the try opens on the body's first use (`ctx.resources`). */
  readonly resources: ResourceSpecs;
  readonly run: (ctx: TaskContext<Record<string, unknown>, readonly AnyTaskRef[], ResourceSpecs>) => unknown;
}
