import { isFailedState, isFinal, type RunState, type TaskState } from '../model/states.js';

/**
 * The state a run ends an execution in, from its task states: failed when a task failed or is
 * upstream_failed, success when every task is final, else queued (resumable: some tasks are left, or the
 * execution was interrupted).
 */
export function runOutcome(states: Iterable<TaskState>, interrupted: boolean): RunState {
  let state: RunState = 'success';
  for (const s of states) {
    if (isFailedState(s)) return interrupted ? 'queued' : 'failed';
    if (!isFinal(s)) state = 'queued';
  }
  return interrupted ? 'queued' : state;
}
