import type { Dag } from '../model/dag.js';
import { NotFoundError } from '../model/errors.js';
import type { MarkableTaskState } from '../model/states.js';
import { StateWriter } from '../state/state-writer.js';
import { runTransition, type TaskChange, taskTransition } from '../state/transitions.js';
import type { DagRunRecord, Fence, TaskInstanceRecord } from '../store/records.js';
import type { RunStore } from '../store/run-store.js';
import type { SetTaskStateResult } from './api-types.js';

/**
 * An operator's decision about task instances (Airflow's mark success / mark failed, and backfill's
 * `--mark-success`), applied like every other change: built by `transitions.ts`, committed by the
 * StateWriter under the run's lease, so a process executing the run is never overwritten (the caller's
 * lease acquisition refuses while one owns it).
 */

/**
 * The changes that set one task instance to `to` without running it: a try left running by a dead owner is
 * recorded failed, the instance is reset to `none` as a clear does, then set to `to` (with no output).
 */
export function markChanges(ti: TaskInstanceRecord, to: MarkableTaskState, now: string): TaskChange[] {
  if (ti.state === to) return [];
  const changes: TaskChange[] = [];
  let current = ti;
  if (current.state === 'running') {
    const failed = taskTransition(current, 'failed', { output: null, nextTryAt: null, endedAt: now });
    changes.push(failed.change);
    current = failed.record;
    if (to === 'failed') return changes;
  }
  if (current.state !== 'none') {
    const reset = taskTransition(current, 'none', { output: null, nextTryAt: null });
    changes.push(reset.change);
    current = reset.record;
  }
  changes.push(taskTransition(current, to, { output: null, nextTryAt: null, endedAt: now }).change);
  return changes;
}

/**
 * Sets one task instance of a run; the run is queued again (as after `dag clear`), so the next `dag run`
 * continues it: what is downstream of a task marked success runs then, and failed tasks are tried again.
 */
export async function setTaskState(
  store: RunStore,
  run: DagRunRecord,
  taskId: string,
  to: MarkableTaskState,
  fence: Fence,
  now: string,
): Promise<SetTaskStateResult> {
  const ti = (await store.listTaskInstances(run.dagId, run.runId)).find((t) => t.taskId === taskId);
  if (!ti) {
    throw new NotFoundError(
      `run ${run.dagId}/${run.runId} has no instance of task '${taskId}' (added to the DAG after the run began); run that date first`,
    );
  }
  const result = { dagId: run.dagId, runId: run.runId, taskId, previousState: ti.state, state: to };
  const changes = markChanges(ti, to, now);
  if (changes.length === 0) return result;
  const writer = new StateWriter(store, fence);
  writer.stage(...changes);
  writer.stage(runTransition(run, 'queued', { endedAt: null }));
  await writer.commit();
  return result;
}

/**
 * Marks the task instances of a run (the selected ones, or all) success without running them; the run
 * succeeds when every task instance then has, else it is queued. No try is recorded, no asset updated.
 */
export async function markRunSuccess(
  store: RunStore,
  dag: Dag,
  run: DagRunRecord,
  selection: ReadonlySet<string> | undefined,
  fence: Fence,
  now: string,
): Promise<void> {
  const writer = new StateWriter(store, fence);
  const known = new Set((await store.listTaskInstances(dag.id, run.runId)).map((t) => t.taskId));
  for (const t of dag.tasks) {
    if (!known.has(t.id)) writer.stage({ kind: 'add-task', dagId: dag.id, runId: run.runId, taskId: t.id });
  }
  await writer.commit();
  const instances = await store.listTaskInstances(dag.id, run.runId);
  let allSucceeded = true;
  for (const ti of instances) {
    if (!dag.getTask(ti.taskId)) continue;
    if (selection && !selection.has(ti.taskId)) {
      if (ti.state !== 'success') allSucceeded = false;
      continue;
    }
    writer.stage(...markChanges(ti, 'success', now));
  }
  const running = { ...run, state: 'running' as const };
  writer.stage(
    runTransition(run, 'running', { startedAt: now, endedAt: null }),
    allSucceeded
      ? runTransition(running, 'success', { endedAt: now })
      : runTransition(running, 'queued', { endedAt: null }),
  );
  await writer.commit();
}
