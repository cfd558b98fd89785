import type { TaskLogger } from '@streampro/engine';

/** The part of the engine's TaskContext that operators use; any TaskContext satisfies it. */
export interface OperatorContext {
  /** Logical date as `YYYY-MM-DD`. */
  readonly ds: string;
  /** Logical date, ISO 8601 UTC. */
  readonly logicalDate: string;
  readonly log: TaskLogger;
  /** Aborted on timeout or cancellation; operators pass it to their I/O. */
  readonly signal: AbortSignal;
  maskSecret(value: string): void;
}

/** A value computed from the context at run time. */
export type ResolveFn<T> = (ctx: OperatorContext) => T | Promise<T>;

/** A value given directly or computed from the context at run time. T itself is never a function. */
export type Resolvable<T> = T | ResolveFn<T>;

function isResolveFn<T>(value: Resolvable<T>): value is ResolveFn<T> {
  return typeof value === 'function';
}

/** Returns the value, calling it with the context first when it is a function. */
export async function resolve<T>(value: Resolvable<T>, ctx: OperatorContext): Promise<T> {
  return isResolveFn(value) ? await value(ctx) : value;
}

/** What an operator factory returns: the `run` function of a task. */
export type OperatorRun<O> = (ctx: OperatorContext) => Promise<O>;
