import type { Dag } from '../model/dag.js';
import type { ParamValue } from '../model/params.js';
import type { MarkableTaskState, RunState, TaskState } from '../model/states.js';
import type { BackfillAction, BackfillReprocess } from '../store/backfill-records.js';
import type { RunType } from '../store/records.js';

/** DAGs the engine may trigger through assets (the CLI builds it from the DAGs folder). */
export interface DagRegistry {
  get(dagId: string): Dag | undefined;
  all(): readonly Dag[];
}

/** Something that happened during execution, for live views. */
export type EngineEvent =
  | {
      readonly type: 'run-state';
      readonly dagId: string;
      readonly runId: string;
      readonly logicalDate: string;
      readonly state: RunState;
      readonly at: string;
    }
  | {
      readonly type: 'task-state';
      readonly dagId: string;
      readonly runId: string;
      readonly taskId: string;
      readonly state: TaskState;
      readonly tryNumber: number;
      readonly at: string;
      /** Message of the error that ended the try, when it failed. */
      readonly error?: string;
      readonly logPath?: string;
    }
  | {
      readonly type: 'run-skipped';
      readonly dagId: string;
      readonly runId: string;
      readonly logicalDate: string;
      readonly reason: string;
    };

export interface RunOptions {
  /** `YYYY-MM-DD`, an ISO date-time, or a Date. */
  readonly logicalDate: string | Date;
  /**
   * Values of the DAG's params (strings are converted to the declared types). A resumed run keeps the values
   * recorded with it; the ones given here replace them one by one and are recorded (secret values never are).
   */
  readonly params?: Readonly<Record<string, ParamValue>>;
  /** Re-execute a run that already succeeded (clears every task first). */
  readonly force?: boolean;
  /** Execute only these tasks (cleared first); their upstream tasks must already be done. */
  readonly tasks?: readonly string[];
  /**
   * Airflow's `--mark-success`: record the run's task instances (or the selected `tasks`) as succeeded
   * without running them: no try, no output, no asset event, no callback, no asset-triggered run.
   * @default false
   */
  readonly markSuccess?: boolean;
  /** @default 'manual' */
  readonly runType?: RunType;
  /** Aborting stops the run gracefully: running tries are recorded failed (interrupted), the lease released. */
  readonly signal?: AbortSignal;
  readonly onEvent?: (event: EngineEvent) => void;
  /** When given, DAGs scheduled on assets this run updates are run for the same logical date afterwards. */
  readonly registry?: DagRegistry;
  /**
   * Execute the run only while it is unfinished (queued, or running under a lease that may be taken over),
   * checked again once the lease is ours: a run another process finished meanwhile is left as it is and
   * reported `alreadyDone`. What the scheduler uses, so a run it listed as queued never executes twice.
   */
  readonly unfinishedOnly?: boolean;
}

/** A run recorded for the scheduler to execute (`dag trigger`). */
export interface TriggerOptions {
  /** `YYYY-MM-DD`, an ISO date-time, or a Date; for a cron DAG one of its scheduled instants. */
  readonly logicalDate: string | Date;
  readonly params?: Readonly<Record<string, ParamValue>>;
  /** @default 'manual' */
  readonly runType?: RunType;
}

export interface TaskSummary {
  readonly taskId: string;
  readonly state: TaskState;
  readonly tryNumber: number;
  readonly startedAt: string | null;
  readonly endedAt: string | null;
  readonly durationMs: number | null;
  /** Log file of the latest try, or null before the first try. */
  readonly logPath: string | null;
  /** Error message of the latest try when it failed. */
  readonly error: string | null;
  readonly output: unknown;
}

export interface RunSummary {
  readonly dagId: string;
  readonly runId: string;
  /** ISO 8601 UTC. */
  readonly logicalDate: string;
  readonly runType: RunType;
  readonly state: RunState;
  readonly startedAt: string | null;
  readonly endedAt: string | null;
  /** In topological order. */
  readonly tasks: readonly TaskSummary[];
}

export interface RunResult extends RunSummary {
  /** True when the run had already succeeded and was not executed again (no force). */
  readonly alreadyDone: boolean;
  /** Runs of asset-scheduled DAGs this run triggered, in order. */
  readonly triggered: readonly RunResult[];
}

export type Reprocess = BackfillReprocess;

export interface BackfillOptions {
  readonly start: string | Date;
  readonly end: string | Date;
  /** @default the DAG's maxActiveRuns */
  readonly maxActiveRuns?: number;
  /** What to do with dates that already have runs. @default 'none' */
  readonly reprocess?: Reprocess;
  readonly backwards?: boolean;
  /** Mark each run's task instances success without running them (see `RunOptions.markSuccess`). */
  readonly markSuccess?: boolean;
  readonly params?: Readonly<Record<string, ParamValue>>;
  readonly signal?: AbortSignal;
  readonly onEvent?: (event: EngineEvent) => void;
  /** Called when a date's run finishes (or is skipped), for progress bars. */
  readonly onRunDone?: (result: BackfillDateResult) => void;
  readonly registry?: DagRegistry;
}

export type { BackfillAction };

export interface BackfillPlanEntry {
  readonly logicalDate: string;
  readonly action: BackfillAction;
  readonly reason: string;
  readonly existingState: RunState | null;
}

export interface BackfillPlan {
  readonly dagId: string;
  readonly entries: readonly BackfillPlanEntry[];
}

export interface BackfillDateResult {
  readonly logicalDate: string;
  readonly action: BackfillAction;
  /**
   * The run's state; `skipped` (nothing to do, or another process owns the date), `interrupted` (its run
   * started and was stopped: resumable), `not_started` (the backfill was stopped before this date began).
   */
  readonly state: RunState | 'skipped' | 'interrupted' | 'not_started';
  readonly runId: string | null;
  readonly durationMs: number;
  readonly error: string | null;
}

export interface BackfillResult {
  readonly dagId: string;
  readonly results: readonly BackfillDateResult[];
  readonly succeeded: number;
  readonly failed: number;
  readonly skipped: number;
  /** Dates whose run started and was stopped (resumable). */
  readonly interrupted: number;
  /** Dates the backfill never began, because it was stopped first. */
  readonly notStarted: number;
}

export interface ClearOptions {
  /** Tasks to clear; all tasks when empty or undefined. */
  readonly tasks?: readonly string[];
  readonly downstream?: boolean;
  readonly onlyFailed?: boolean;
  /** Compute what would be cleared without changing anything. */
  readonly dryRun?: boolean;
}

export interface ClearResult {
  readonly dagId: string;
  readonly runId: string;
  readonly cleared: readonly { taskId: string; previousState: TaskState }[];
}

export interface TestTaskOptions {
  readonly logicalDate: string | Date;
  readonly params?: Readonly<Record<string, ParamValue>>;
  /** Receives each log line (already formatted as an object) instead of a log file. */
  readonly onLog?: (line: Readonly<Record<string, unknown>>) => void;
  readonly signal?: AbortSignal;
}

export type TestTaskResult =
  | { readonly kind: 'success'; readonly output: unknown; readonly durationMs: number }
  | { readonly kind: 'failed'; readonly error: Error; readonly durationMs: number }
  | { readonly kind: 'skipped'; readonly reason: string; readonly durationMs: number };

/** What `Engine.setTaskState` did: the task instance's state before and after (equal: nothing changed). */
export interface SetTaskStateResult {
  readonly dagId: string;
  readonly runId: string;
  readonly taskId: string;
  readonly previousState: TaskState;
  readonly state: MarkableTaskState;
}
