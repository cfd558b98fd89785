import type { TaskInstanceKey } from '../logging/logger.js';

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

/** A try handed to an executor. */
export interface TaskJob {
  readonly key: TaskInstanceKey;
  /** Deadline of the try in milliseconds; the executor aborts the signal and fails the try when it passes. */
  readonly timeoutMs: number | undefined;
  /** Runs the task body with the executor's signal; resolves to the outcome (never rejects). */
  execute(signal: AbortSignal): Promise<TryOutcome>;
}

/** Executors report what happens; only the scheduler turns reports into state. */
export interface ExecutorListener {
  started(key: TaskInstanceKey): void;
  finished(key: TaskInstanceKey, outcome: TryOutcome): void;
}

/** Runs tries. The scheduler decides what runs and when; an executor decides only where and how. */
export interface Executor {
  submit(job: TaskJob, listener: ExecutorListener): void;
  /** Stops a try: its signal is aborted and it is reported failed with `error` at once. */
  cancel(key: TaskInstanceKey, error: Error): void;
}
