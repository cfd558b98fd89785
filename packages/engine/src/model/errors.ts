/**
 * Errors a task may throw to steer the scheduler, and errors the engine raises for bad definitions.
 * Retryability is a property of the error: anything not listed as non-retryable is retried.
 */

import type { LeaseInfo } from '../store/records.js';

/** Thrown by a task to fail at once, without using the remaining retries. */
export class NonRetryableError extends Error {
  override readonly name: string = 'NonRetryableError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Thrown by a task to mark itself skipped; downstream trigger rules see a skipped upstream. */
export class SkipTask extends Error {
  override readonly name = 'SkipTask';
  constructor(readonly reason: string) {
    super(reason);
  }
}

/** Thrown by a task to ask for a retry after a specific delay (e.g. a server's Retry-After). */
export class RetryAfter extends Error {
  override readonly name = 'RetryAfter';
  constructor(
    readonly delayMs: number,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Recorded when a try ran past its `executionTimeout`; its signal was aborted and any late result is discarded. */
export class TaskTimeoutError extends Error {
  override readonly name = 'TaskTimeoutError';
  constructor(readonly timeoutMs: number) {
    super(`task exceeded its execution timeout of ${timeoutMs} ms`);
  }
}

/** Recorded when a try was interrupted by cancellation (Ctrl-C) or found running by a dead owner. */
export class TaskInterruptedError extends Error {
  override readonly name = 'TaskInterruptedError';
  constructor(readonly reason: string) {
    super(reason);
  }
}

/** A task returned an output larger than the state store accepts. Not retryable: the same code returns the same size. */
export class OutputTooLargeError extends NonRetryableError {
  override readonly name = 'OutputTooLargeError';
  constructor(
    readonly taskId: string,
    readonly sizeBytes: number,
    readonly limitBytes: number,
  ) {
    super(
      `output of task '${taskId}' is ${sizeBytes} bytes as JSON, above the limit of ${limitBytes} bytes: ` +
        'write large data to storage and return its location instead',
    );
  }
}

/** A task returned something that JSON cannot represent faithfully. */
export class OutputNotSerializableError extends NonRetryableError {
  override readonly name = 'OutputNotSerializableError';
  constructor(
    readonly taskId: string,
    detail: string,
  ) {
    super(`output of task '${taskId}' is not JSON-serialisable: ${detail}`);
  }
}

/** A DAG or task definition is invalid (bad id, options, cycle, duplicate). Raised at definition time. */
export class DagDefinitionError extends Error {
  override readonly name = 'DagDefinitionError';
}

/** Another live process owns the run. */
export class LeaseConflictError extends Error {
  override readonly name = 'LeaseConflictError';
  constructor(
    readonly dagId: string,
    readonly runId: string,
    readonly owner: string,
  ) {
    super(
      `run ${dagId}/${runId} is being executed by ${owner}; wait for it to finish or stop that process first`,
    );
  }
}

/** A request names something that does not exist (unknown task, run or date). */
export class NotFoundError extends Error {
  override readonly name = 'NotFoundError';
}

/** A value given by a user (date, param, range) is invalid. */
export class InvalidInputError extends Error {
  override readonly name = 'InvalidInputError';
}

/**
 * A write fenced with an epoch of a run's lease came after the lease was released or taken over (e.g. the
 * process was paused past its lease and another one took the run). Nothing of the write was applied.
 */
export class LeaseLostError extends Error {
  override readonly name = 'LeaseLostError';
  constructor(
    readonly dagId: string,
    readonly runId: string,
    /** Epoch of the lease the writer held. */
    readonly epoch: number,
    /** Who holds the lease now, or null when it was released. */
    readonly holder: LeaseInfo | null,
  ) {
    super(
      `lease of run ${dagId}/${runId} was lost (epoch ${epoch}): ` +
        (holder ? `now held by process ${holder.pid} on ${holder.host} (epoch ${holder.epoch})` : 'released'),
    );
  }
}

/** A `dag worker` that ran a try stopped being heard from (its heartbeat expired, or its process is gone). */
export class WorkerLostError extends Error {
  override readonly name = 'WorkerLostError';
  constructor(
    readonly workerId: string,
    reason: string,
  ) {
    super(`worker ${workerId} was lost while it ran the try: ${reason}`);
  }
}

/** A worker process ended while it ran a try (a crash, `process.exit`, out of memory, or a kill from outside). */
export class WorkerCrashedError extends Error {
  override readonly name = 'WorkerCrashedError';
  constructor(
    readonly pid: number,
    readonly exitCode: number | null,
    readonly signal: string | null,
  ) {
    super(
      `worker process ${pid} ${signal ? `was killed by ${signal}` : `exited with exit code ${exitCode}`} ` +
        'while it ran the try',
    );
  }
}

/**
 * A mapped task could not expand: the upstream's output is not an array, or it has more elements than the
 * task's `maxMapLength`. Not retryable: the same output gives the same answer.
 */
export class MapExpansionError extends NonRetryableError {
  override readonly name = 'MapExpansionError';
  constructor(
    readonly taskId: string,
    message: string,
  ) {
    super(message);
  }
}
