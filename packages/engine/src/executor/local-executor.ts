import type { TaskInstanceKey } from '../logging/logger.js';
import { TaskTimeoutError } from '../model/errors.js';
import type { Clock } from '../time/clock.js';
import type { Executor, ExecutorListener, TaskJob, TryOutcome } from './executor.js';

interface Running {
  readonly controller: AbortController;
  readonly listener: ExecutorListener;
  readonly key: TaskInstanceKey;
  cancelTimer: () => void;
  settled: boolean;
}

const keyOf = (k: TaskInstanceKey): string =>
  `${k.dagId}\u0000${k.runId}\u0000${k.taskId}\u0000${k.tryNumber}`;

/**
 * Runs tries concurrently in this process. A try that passes its deadline or is cancelled is reported
 * failed at that moment; whatever it returns later is discarded.
 */
export class LocalExecutor implements Executor {
  readonly #running = new Map<string, Running>();

  constructor(private readonly clock: Clock) {}

  submit(job: TaskJob, listener: ExecutorListener): void {
    const controller = new AbortController();
    const entry: Running = { controller, listener, key: job.key, cancelTimer: () => {}, settled: false };
    const id = keyOf(job.key);
    this.#running.set(id, entry);
    listener.started(job.key);
    // Start the body on a later turn so `started` is handled before any of the task's own work.
    setImmediate(() => {
      if (entry.settled) return;
      // The deadline starts with the body: armed earlier, a clock that jumps to pending timers when the loop
      // looks idle (ManualClock's autoAdvance) could fire it before the body ever ran.
      if (job.timeoutMs !== undefined) {
        const timeoutMs = job.timeoutMs;
        entry.cancelTimer = this.clock.setTimer(timeoutMs, () =>
          this.#abort(id, new TaskTimeoutError(timeoutMs)),
        );
      }
      job.execute(controller.signal).then(
        (outcome) => this.#settle(id, outcome),
        (error: unknown) =>
          this.#settle(id, {
            kind: 'failed',
            error: error instanceof Error ? error : new Error(String(error)),
            retryable: true,
          }),
      );
    });
  }

  cancel(key: TaskInstanceKey, error: Error): void {
    this.#abort(keyOf(key), error);
  }

  get activeCount(): number {
    return this.#running.size;
  }

  #abort(id: string, error: Error): void {
    const entry = this.#running.get(id);
    if (!entry || entry.settled) return;
    entry.controller.abort(error);
    this.#settle(id, { kind: 'failed', error, retryable: error instanceof TaskTimeoutError });
  }

  #settle(id: string, outcome: TryOutcome): void {
    const entry = this.#running.get(id);
    if (!entry || entry.settled) return;
    entry.settled = true;
    entry.cancelTimer();
    this.#running.delete(id);
    entry.listener.finished(entry.key, outcome);
  }
}
