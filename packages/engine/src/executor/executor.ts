import type { TaskInstanceKey } from '../logging/logger.js';
import type { StateChange } from '../store/records.js';
import type { TryJob } from './try-descriptor.js';

/** How one try ended. */
export type TryOutcome =
  | { readonly kind: 'success'; readonly output: unknown }
  | {
      readonly kind: 'failed';
      readonly error: Error;
      readonly retryable: boolean;
      /** Delay the task asked for (RetryAfter); overrides the policy's delay. */
      readonly retryAfterMs?: number;
    }
  | { readonly kind: 'skipped'; readonly reason: string };

/** Where a try ran, as reported when it starts. */
export interface TryPlacement {
  readonly host: string;
  readonly pid: number;
}

export interface CancelOptions {
  /** Kill the try's process now instead of giving it the grace period (the run was taken over). */
  readonly kill?: boolean;
}

/** Executors report what happens; only the scheduler turns reports into state. */
export interface ExecutorListener {
  started(key: TaskInstanceKey, placement: TryPlacement): void;
  finished(key: TaskInstanceKey, outcome: TryOutcome): void;
  /** A body in another process registered a value to mask for the rest of the run. */
  secret?(key: TaskInstanceKey, value: string): void;
}

/**
 * Runs tries. The scheduler decides what runs and when; an executor decides only where and how.
 * Implementations: `InProcessExecutor` (same process: `dag test` and unit tests) and `ProcessPoolExecutor`
 * (isolated, reusable child processes with hard timeouts: what `dag run` uses).
 */
export interface Executor {
  /**
   * For executors that hand tries to other machines through the state database: the change that enqueues
   * `job`, committed in the same transaction as the try's `queued` state (then `submit` follows). Optional.
   */
  dispatchChange?(job: TryJob): StateChange;
  submit(job: TryJob, listener: ExecutorListener): void;
  /**
   * Stops a try: its signal is aborted and it is reported failed with `error` at once. Its process (if it
   * has one) is stopped afterwards; a later try of the same task instance does not start before that.
   */
  cancel(key: TaskInstanceKey, error: Error, options?: CancelOptions): void;
  /**
   * Resolves once nothing of the try runs any more (its process stopped the body, or was killed at the end
   * of its grace period). Optional: executors without processes of their own have nothing to wait for.
   */
  settled?(key: TaskInstanceKey): Promise<void>;
  /**
   * A run of the DAG in `dagFile` is about to start and can use up to `parallelism` processes: start them
   * and import the module now, so its first tries do not wait for that. Optional; never rejects.
   */
  prepare?(dagFile: string, parallelism: number): Promise<void>;
  /** Stops every try and releases processes; resolves when they are gone. */
  close(): Promise<void>;
}
