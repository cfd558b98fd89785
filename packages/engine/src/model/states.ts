/**
 * Task-instance and run states, their groups and the one transition table every change goes through.
 */

/** The state of one task instance within a run. */
export type TaskState =
  /** Set by the scheduler when a run is created or a task is cleared: dependencies not yet evaluated. */
  | 'none'
  /** Set by the scheduler when the trigger rule is met: waiting for a free slot (run, pool). */
  | 'scheduled'
  /** Set by the scheduler when the task is handed to the executor. */
  | 'queued'
  /** Set by the scheduler when the executor reports that a try started. */
  | 'running'
  /** Set by the scheduler when a try returned an output, or by an operator's mark. */
  | 'success'
  /** Set by the scheduler when a try failed and no retry is left or the error was not retryable; or by a mark. */
  | 'failed'
  /** Set by the scheduler when a try failed and the retry policy allows another try. */
  | 'up_for_retry'
  /** Set by the scheduler when the trigger rule can no longer be met because upstream tasks failed. */
  | 'upstream_failed'
  /** Set by the scheduler when the task raised SkipTask or its trigger rule resolved to skip; or by a mark. */
  | 'skipped';

/** The state of one DAG run. */
export type RunState =
  /** Set by the engine when the run is created and not yet executing. */
  | 'queued'
  /** Set by the engine while an owner holds the run's lease and executes it. */
  | 'running'
  /** Set by the engine when every task finished and none failed. */
  | 'success'
  /** Set by the engine when every task finished and at least one failed or was upstream_failed. */
  | 'failed';

export const TASK_STATES = [
  'none',
  'scheduled',
  'queued',
  'running',
  'success',
  'failed',
  'up_for_retry',
  'upstream_failed',
  'skipped',
] as const satisfies readonly TaskState[];

export const RUN_STATES = ['queued', 'running', 'success', 'failed'] as const satisfies readonly RunState[];

/** States after which a task instance does not change again unless it is cleared or resumed. */
export const FINAL_TASK_STATES = [
  'success',
  'failed',
  'upstream_failed',
  'skipped',
] as const satisfies readonly TaskState[];

/** States of a task instance that an executor currently owns. */
export const ACTIVE_TASK_STATES = ['queued', 'running'] as const satisfies readonly TaskState[];

/** States that count as a failure for trigger rules and run outcome. */
export const FAILED_TASK_STATES = ['failed', 'upstream_failed'] as const satisfies readonly TaskState[];

export type FinalTaskState = (typeof FINAL_TASK_STATES)[number];

/** States an operator may set a task instance to (`dag tasks state set`: Airflow's mark success / failed). */
export const MARKABLE_TASK_STATES = ['success', 'failed', 'skipped'] as const satisfies readonly TaskState[];

export type MarkableTaskState = (typeof MARKABLE_TASK_STATES)[number];

export function isMarkableTaskState(value: unknown): value is MarkableTaskState {
  return typeof value === 'string' && (MARKABLE_TASK_STATES as readonly string[]).includes(value);
}

export function isFinal(state: TaskState): state is FinalTaskState {
  return (FINAL_TASK_STATES as readonly TaskState[]).includes(state);
}

export function isActive(state: TaskState): boolean {
  return (ACTIVE_TASK_STATES as readonly TaskState[]).includes(state);
}

export function isFailedState(state: TaskState): boolean {
  return (FAILED_TASK_STATES as readonly TaskState[]).includes(state);
}

export function isFinalRunState(state: RunState): boolean {
  return state === 'success' || state === 'failed';
}

/**
 * Every allowed task-state change. A change not listed here is a bug in the scheduler and throws.
 * `none` is reachable from every final state because clearing and resuming reset a task instance; an
 * operator's mark (`dag tasks state set`, `--mark-success`) resets it the same way, then sets the new state
 * from `none`.
 */
export const TRANSITIONS: Record<TaskState, readonly TaskState[]> = {
  none: ['scheduled', 'skipped', 'upstream_failed', 'success', 'failed'],
  scheduled: ['queued', 'none'],
  queued: ['running', 'failed', 'up_for_retry', 'none'],
  running: ['success', 'failed', 'up_for_retry', 'skipped'],
  up_for_retry: ['scheduled', 'none', 'failed'],
  success: ['none'],
  failed: ['none'],
  upstream_failed: ['none'],
  skipped: ['none'],
};

export const RUN_TRANSITIONS: Record<RunState, readonly RunState[]> = {
  // queued → failed: a run cancelled before it started (a cancelled backfill's queued runs).
  queued: ['running', 'failed'],
  running: ['success', 'failed', 'queued'],
  success: ['running', 'queued'],
  failed: ['running', 'queued'],
};

export class InvalidTransitionError extends Error {
  override readonly name = 'InvalidTransitionError';
  constructor(
    readonly subject: string,
    readonly from: string,
    readonly to: string,
  ) {
    super(`invalid state change for ${subject}: ${from} -> ${to}`);
  }
}

/** Throws unless `from -> to` is in the transition table. */
export function assertTransition(subject: string, from: TaskState, to: TaskState): void {
  if (from === to) return;
  if (!TRANSITIONS[from].includes(to)) throw new InvalidTransitionError(subject, from, to);
}

export function assertRunTransition(subject: string, from: RunState, to: RunState): void {
  if (from === to) return;
  if (!RUN_TRANSITIONS[from].includes(to)) throw new InvalidTransitionError(subject, from, to);
}
