import type { ParamValue } from '../model/params.js';
import type { RunState, TaskState } from '../model/states.js';

/** Why a run exists. */
export type RunType = 'manual' | 'scheduled' | 'backfill' | 'asset_triggered';

/** The lease of the process executing a run: one owner at a time. */
export interface LeaseInfo {
  /** `host:pid:nonce` of the owning process. */
  readonly owner: string;
  readonly host: string;
  readonly pid: number;
  readonly heartbeatAt: string;
  readonly expiresAt: string;
  /**
   * Number of this acquisition of the run's lease: each successful `acquireLease` (by anyone, also a
   * re-acquisition by the same owner) gets the previous epoch plus one, so epochs of a run never repeat.
   */
  readonly epoch: number;
}

/**
 * Proof of holding a run's lease, given with writes: the store accepts them only while the lease is still
 * held by `owner` at `epoch`, checked in the same transaction as the writes.
 */
export interface Fence {
  readonly dagId: string;
  readonly runId: string;
  readonly owner: string;
  readonly epoch: number;
}

export interface DagRunRecord {
  readonly dagId: string;
  readonly runId: string;
  /** ISO 8601 UTC. One run per (dagId, logicalDate). */
  readonly logicalDate: string;
  readonly runType: RunType;
  readonly state: RunState;
  readonly params: Readonly<Record<string, ParamValue>>;
  readonly createdAt: string;
  readonly startedAt: string | null;
  readonly endedAt: string | null;
  readonly lease: LeaseInfo | null;
}

export interface TaskInstanceRecord {
  readonly dagId: string;
  readonly runId: string;
  readonly taskId: string;
  readonly state: TaskState;
  /** Number of the latest try (0 before the first). */
  readonly tryNumber: number;
  /** Last try number the current execution allows. */
  readonly maxTries: number;
  /** JSON output of the successful try, or null. */
  readonly output: unknown;
  readonly startedAt: string | null;
  readonly endedAt: string | null;
  readonly durationMs: number | null;
  /** When an up_for_retry instance may run again (ISO), else null. */
  readonly nextTryAt: string | null;
}

/** One try of a task instance, kept forever (clearing does not delete tries). */
export interface TryRecord {
  readonly dagId: string;
  readonly runId: string;
  readonly taskId: string;
  readonly tryNumber: number;
  /** `running` while it runs, then the state the try ended the task in. */
  readonly state: TaskState;
  readonly startedAt: string;
  readonly endedAt: string | null;
  readonly durationMs: number | null;
  readonly errorName: string | null;
  readonly errorMessage: string | null;
  readonly errorStack: string | null;
  readonly logPath: string;
  readonly host: string;
  readonly pid: number;
}

export interface AssetEventRecord {
  readonly asset: string;
  readonly logicalDate: string;
  readonly dagId: string;
  readonly runId: string;
  readonly taskId: string;
  readonly createdAt: string;
}

/** A change to the stored state; a batch of changes is applied in one transaction. */
export type StateChange =
  | {
      readonly kind: 'run';
      readonly dagId: string;
      readonly runId: string;
      readonly state: RunState;
      readonly startedAt?: string | null;
      readonly endedAt?: string | null;
      /** Replaces the params recorded with the run (never secret values); undefined keeps them. */
      readonly params?: Readonly<Record<string, ParamValue>>;
    }
  | {
      readonly kind: 'task';
      readonly dagId: string;
      readonly runId: string;
      readonly taskId: string;
      readonly state: TaskState;
      readonly tryNumber?: number;
      readonly maxTries?: number;
      readonly output?: unknown;
      readonly startedAt?: string | null;
      readonly endedAt?: string | null;
      readonly durationMs?: number | null;
      readonly nextTryAt?: string | null;
    }
  | { readonly kind: 'add-task'; readonly dagId: string; readonly runId: string; readonly taskId: string }
  | { readonly kind: 'try-start'; readonly record: TryRecord }
  | {
      readonly kind: 'try-end';
      readonly dagId: string;
      readonly runId: string;
      readonly taskId: string;
      readonly tryNumber: number;
      readonly state: TaskState;
      readonly endedAt: string;
      readonly durationMs: number;
      readonly errorName?: string | null;
      readonly errorMessage?: string | null;
      readonly errorStack?: string | null;
    }
  | { readonly kind: 'asset-event'; readonly event: AssetEventRecord }
  /**
   * Hands a try to the workers' queue in the same transaction as its `queued` state (PostgreSQL only: a
   * graphile-worker job). `task` is the job's task identifier, `jobKey` the try's identity.
   */
  | {
      readonly kind: 'dispatch';
      readonly dagId: string;
      readonly runId: string;
      readonly task: string;
      readonly jobKey: string;
      readonly payload: unknown;
      /** A notification sent in the same transaction (workers holding a try of the run look at its lease). */
      readonly notify?: { readonly channel: string; readonly payload: string };
    };

/** Scheduling state of a DAG the store keeps across processes: what `dag pause` / `dag unpause` change. */
export interface DagStateRecord {
  readonly dagId: string;
  /** A paused DAG gets no new runs from the scheduler; runs already executing finish. */
  readonly paused: boolean;
  readonly updatedAt: string;
}

/** The row a scheduler process keeps up to date while it runs (`dag scheduler status` reads them). */
export interface SchedulerRecord {
  /** `host:pid:nonce` of the process: also the owner of the run leases it takes. */
  readonly schedulerId: string;
  readonly host: string;
  readonly pid: number;
  readonly startedAt: string;
  readonly heartbeatAt: string;
  /** When it last created or started a run, or null. */
  readonly lastScheduledAt: string | null;
  /** `running` while it loops; `stopped` once it exited cleanly. A killed one stays `running` and goes silent. */
  readonly state: 'running' | 'stopped';
}

export interface NewRun {
  readonly dagId: string;
  readonly runId: string;
  readonly logicalDate: string;
  readonly runType: RunType;
  readonly params: Readonly<Record<string, ParamValue>>;
  readonly createdAt: string;
}

export interface LeaseClaim {
  readonly owner: string;
  readonly host: string;
  readonly pid: number;
  readonly now: string;
  readonly expiresAt: string;
}

/** Result of trying to take a run's lease. */
export type LeaseResult =
  | { readonly acquired: true; readonly epoch: number; readonly tookOverFrom: LeaseInfo | null }
  | { readonly acquired: false; readonly holder: LeaseInfo };

export interface RunFilter {
  readonly state?: RunState;
  readonly limit?: number;
}

/** Which runs of a DAG a task grid shows: logical dates in `[from, to)`, the `limit` newest of them. */
export interface TaskGridQuery {
  /** ISO 8601; inclusive. Undefined: no lower bound. */
  readonly from?: string;
  /** ISO 8601; exclusive. Undefined: no upper bound. */
  readonly to?: string;
  /** At most this many runs (the newest). Undefined: all. */
  readonly limit?: number;
}

/** One column of a task grid: a run and its task instances (in the order `listTaskInstances` gives). */
export interface TaskGridRun {
  readonly run: DagRunRecord;
  readonly tasks: readonly TaskInstanceRecord[];
}
