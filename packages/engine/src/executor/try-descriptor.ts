import type { TaskInstanceKey } from '../logging/logger.js';
import type { ParamValue } from '../model/params.js';

/** The lease a try was dispatched under: a worker whose owner lost it must stop. */
export interface TryFence {
  readonly owner: string;
  readonly epoch: number;
}

/**
 * Everything a worker needs to run one try, as plain JSON: the worker imports `dagFile` itself and runs the
 * task by id. The same contract serves the local process pool and, later, workers on other machines.
 * Secret values are never part of it (see `TrySecrets`).
 */
export interface TryDescriptor {
  readonly key: TaskInstanceKey;
  /** Absolute path of the module that exports the DAG; undefined for DAGs defined in memory (in-process only). */
  readonly dagFile: string | undefined;
  readonly maxTries: number;
  /** ISO 8601 UTC. */
  readonly logicalDate: string;
  readonly dataInterval: { readonly start: string; readonly end: string };
  /** Values of the run's params that are not secret. */
  readonly params: Readonly<Record<string, ParamValue>>;
  /** Names of params declared secret: their values reach the worker through `TrySecrets` only. */
  readonly secretParams: readonly string[];
  /** Outputs of the task's upstream tasks that succeeded, by task id. */
  readonly upstreamOutputs: Readonly<Record<string, unknown>>;
  /** Why an upstream has no output (it was skipped, …), by task id, for a clear error if the body reads it. */
  readonly upstreamMissing: Readonly<Record<string, string>>;
  readonly timeoutMs: number | undefined;
  readonly fence: TryFence | null;
  /** The try's log file: the worker appends its lines there. */
  readonly logPath: string;
  /** For an instance of a mapped task: its index and its element of the mapped-over array. */
  readonly map?: { readonly index: number; readonly item: unknown };
  /** The task's worker queue (`TaskOptions.queue`): which `dag worker` processes may take it. */
  readonly queue?: string;
}

/** Values handed to the worker beside the descriptor, never stored: secret params and values to mask. */
export interface TrySecrets {
  readonly params: Readonly<Record<string, ParamValue>>;
  /** Every value to mask in the try's log lines and errors (connection credentials and secret params). */
  readonly mask: readonly string[];
}

/** What the scheduler hands to an executor. */
export interface TryJob {
  readonly descriptor: TryDescriptor;
  readonly secrets: TrySecrets;
}

/** `dag/run/task#try`, for messages and map keys. */
export function tryLabel(key: TaskInstanceKey): string {
  return `${key.dagId}/${key.runId}/${key.taskId}#${key.tryNumber}`;
}

/** One task instance (all its tries): used to keep a retry from starting while an earlier try still runs. */
export function instanceLabel(key: TaskInstanceKey): string {
  return `${key.dagId}/${key.runId}/${key.taskId}`;
}
