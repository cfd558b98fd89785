import os from 'node:os';
import type { TaskInstanceKey } from '../logging/logger.js';
import { ReportingMasker, type SecretMasker } from '../logging/mask.js';
import type { Dag } from '../model/dag.js';
import { NonRetryableError, TaskTimeoutError } from '../model/errors.js';
import { baseTaskId } from '../model/map-index.js';
import { runTry, type TryLogTarget } from '../runtime/run-try.js';
import type { Clock } from '../time/clock.js';
import type { Executor, ExecutorListener, TryOutcome } from './executor.js';
import { type TryJob, tryLabel } from './try-descriptor.js';

interface Running {
  readonly controller: AbortController;
  readonly job: TryJob;
  readonly listener: ExecutorListener;
  readonly key: TaskInstanceKey;
  log: TryLogTarget | undefined;
  cancelTimer: () => void;
  settled: boolean;
}

/** Opens the log of a try: its file for runs (`LogRouter`), a callback for `dag test`. */
export interface TryLogOpener {
  openTryLog(key: TaskInstanceKey, masker: SecretMasker, file: string): TryLogTarget & { close(): void };
}

export interface InProcessExecutorDeps {
  readonly clock: Clock;
  readonly logs: TryLogOpener;
  /** The DAG object of a descriptor's DAG id: in-process tries run the very object the caller passed. */
  readonly resolveDag: (dagId: string) => Dag | undefined;
}

/**
 * Runs tries concurrently inside this process: for `dag test`, unit tests and embedding. It is not isolated:
 * a timeout aborts the try's signal and records it failed at the deadline, but a body that ignores its signal
 * keeps running (whatever it returns later is discarded), and a crash takes the process down. `dag run` uses
 * `ProcessPoolExecutor`, which enforces timeouts by killing the worker process.
 */
export class InProcessExecutor implements Executor {
  readonly #running = new Map<string, Running>();
  readonly #placement = { host: os.hostname(), pid: process.pid };

  constructor(private readonly deps: InProcessExecutorDeps) {}

  submit(job: TryJob, listener: ExecutorListener): void {
    const d = job.descriptor;
    const controller = new AbortController();
    const entry: Running = {
      controller,
      job,
      listener,
      key: d.key,
      log: undefined,
      cancelTimer: () => {},
      settled: false,
    };
    const id = tryLabel(d.key);
    this.#running.set(id, entry);
    listener.started(d.key, this.#placement);
    // Start the body on a later turn so `started` is handled before any of the task's own work.
    setImmediate(() => {
      if (entry.settled) return;
      const def = this.deps.resolveDag(d.key.dagId)?.getTask(baseTaskId(d.key.taskId));
      if (!def) {
        this.#settle(id, {
          kind: 'failed',
          error: new NonRetryableError(`task '${d.key.taskId}' of DAG '${d.key.dagId}' is not known here`),
          retryable: false,
        });
        return;
      }
      const masker = new ReportingMasker(job.secrets.mask, (value) => listener.secret?.(d.key, value));
      const log = this.deps.logs.openTryLog(d.key, masker, d.logPath);
      entry.log = log;
      // The deadline starts with the body: armed earlier, a clock that jumps to pending timers when the loop
      // looks idle (ManualClock's autoAdvance) could fire it before the body ever ran.
      if (d.timeoutMs !== undefined) {
        const timeoutMs = d.timeoutMs;
        entry.cancelTimer = this.deps.clock.setTimer(timeoutMs, () =>
          this.#abort(id, new TaskTimeoutError(timeoutMs)),
        );
      }
      void runTry(def, d, job.secrets, log, masker, this.#placement, controller.signal).then((outcome) => {
        log.close();
        this.#settle(id, outcome);
      });
    });
  }

  cancel(key: TaskInstanceKey, error: Error): void {
    this.#abort(tryLabel(key), error);
  }

  async close(): Promise<void> {
    // Nothing to release: tries are cancelled by the scheduler before the engine closes.
  }

  #abort(id: string, error: Error): void {
    const entry = this.#running.get(id);
    if (!entry || entry.settled) return;
    entry.controller.abort(error);
    entry.log?.logError(error);
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
