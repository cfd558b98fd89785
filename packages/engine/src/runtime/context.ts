import type { TaskLogger } from '../logging/logger.js';
import type { ResourceHandles, ResourceSpecs } from '../model/resource.js';
import type { AnyTaskRef, OutputOf } from '../model/task.js';

/** Start and end of the period a run covers (ISO 8601, UTC; end exclusive). */
export interface DataInterval {
  readonly start: string;
  readonly end: string;
}

/** What each try of a task receives. */
export interface TaskContext<
  P,
  U extends readonly AnyTaskRef[],
  R extends ResourceSpecs = Record<never, never>,
> {
  readonly dagId: string;
  readonly runId: string;
  readonly taskId: string;
  /** 1 for the first try of the task instance; continues across resumed executions. */
  readonly tryNumber: number;
  /** The last try number the retry policy allows in this execution. */
  readonly maxTries: number;
  /** The run's logical date, ISO 8601 UTC (e.g. `2025-09-09T00:00:00.000Z`). */
  readonly logicalDate: string;
  /** The logical date as `YYYY-MM-DD`. */
  readonly ds: string;
  readonly dataInterval: DataInterval;
  readonly params: P;
  /** Output of a declared upstream task; only handles listed in `upstream` are accepted. */
  upstream<R extends U[number]>(ref: R): OutputOf<R>;
  /** Logger that writes JSON lines to this try's log file. */
  readonly log: TaskLogger;
  /** Aborted on timeout or cancellation; pass it to I/O that accepts a signal. */
  readonly signal: AbortSignal;
  /** Registers a value (a credential, a salt) to be masked in every later log line of the run. */
  maskSecret(value: string): void;
  /**
   * The resources the DAG declares, each opened on first `await` in this try and closed after it; only
   * names the DAG declares exist.
   */
  readonly resources: ResourceHandles<R>;
}
