import { isFailedState, isFinal, type RunState, type TaskState } from '../model/states.js';

/** A task's state, and whether it decides the run's state. */
export interface OutcomeTask {
  readonly state: TaskState;
  /**
   * A leaf of its DAG (no downstream task), or a task that stands in for a leaf teardown that does not fail
   * the run (see `runDeciders`).
   */
  readonly leaf: boolean;
  /** A teardown whose failure does not fail the run (no `failRunOnFailure`). @default false */
  readonly ignoredTeardown?: boolean;
}

/**
 * The state a run ends an execution in, as Airflow decides a DAG run's from its leaf tasks: once every task
 * is final, failed when a leaf failed or is upstream_failed, else success (an upstream failure a leaf
 * tolerated, e.g. a cleanup task with trigger rule `all_done`, does not fail the run). With tasks left
 * (a partial run, or nothing more can start) it is failed when any task failed, else queued (resumable);
 * an interrupted execution is queued. Teardowns without `failRunOnFailure` never decide it.
 */
export function runOutcome(tasks: Iterable<OutcomeTask>, interrupted: boolean): RunState {
  if (interrupted) return 'queued';
  let unfinished = false;
  let failed = false;
  let leafFailed = false;
  for (const t of tasks) {
    if (isFailedState(t.state) && !t.ignoredTeardown) {
      failed = true;
      if (t.leaf) leafFailed = true;
    }
    if (!isFinal(t.state)) unfinished = true;
  }
  if (unfinished) return failed ? 'failed' : 'queued';
  return leafFailed ? 'failed' : 'success';
}
