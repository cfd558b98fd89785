import { assertRunTransition, assertTransition, type RunState, type TaskState } from '../model/states.js';
import type { StateChange, TaskInstanceRecord } from '../store/records.js';
import { applyTaskPatch } from '../store/shared.js';

export type TaskChange = Extract<StateChange, { kind: 'task' }>;
export type RunChange = Extract<StateChange, { kind: 'run' }>;

/** Fields a task-state change may set besides the state (undefined keeps a field, null clears it). */
export type TaskPatch = Omit<TaskChange, 'kind' | 'dagId' | 'runId' | 'taskId' | 'state'>;
export type RunPatch = Omit<RunChange, 'kind' | 'dagId' | 'runId' | 'state'>;

/**
 * A task instance's move to `to`, checked against `TRANSITIONS`: the change to store and the record after it.
 * Every task-state change of the engine is built here (the scheduler, prepare/resume, zombies, clear).
 */
export function taskTransition(
  ti: TaskInstanceRecord,
  to: TaskState,
  patch: TaskPatch = {},
): { change: TaskChange; record: TaskInstanceRecord } {
  assertTransition(`${ti.dagId}/${ti.runId}/${ti.taskId}`, ti.state, to);
  const change: TaskChange = {
    kind: 'task',
    dagId: ti.dagId,
    runId: ti.runId,
    taskId: ti.taskId,
    state: to,
    ...patch,
  };
  return { change, record: applyTaskPatch(ti, change) };
}

/** A run's move to `to`, checked against `RUN_TRANSITIONS`; every run-state change is built here. */
export function runTransition(
  run: { readonly dagId: string; readonly runId: string; readonly state: RunState },
  to: RunState,
  patch: RunPatch = {},
): RunChange {
  assertRunTransition(`${run.dagId}/${run.runId}`, run.state, to);
  return { kind: 'run', dagId: run.dagId, runId: run.runId, state: to, ...patch };
}
