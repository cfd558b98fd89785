import type { Dag } from '../model/dag.js';
import { assertTransition, isFailedState, type TaskState } from '../model/states.js';
import type { DagRunRecord, StateChange } from '../store/records.js';
import type { RunStore } from '../store/run-store.js';
import type { ClearOptions, ClearResult } from './api-types.js';

/** Clears chosen task instances (optionally with everything downstream, optionally only failed ones). */
export async function clearRun(
  store: RunStore,
  dag: Dag,
  run: DagRunRecord,
  options: ClearOptions,
): Promise<ClearResult> {
  const chosen = new Set(
    options.tasks && options.tasks.length > 0 ? options.tasks : dag.tasks.map((t) => t.id),
  );
  if (options.downstream) for (const id of dag.graph.descendants([...chosen])) chosen.add(id);
  const instances = await store.listTaskInstances(dag.id, run.runId);
  const order = new Map(dag.topologicalOrder().map((id, i) => [id, i]));
  const targets = instances
    .filter((ti) => chosen.has(ti.taskId) && ti.state !== 'none')
    .filter((ti) => !options.onlyFailed || isFailedState(ti.state))
    .sort((a, b) => (order.get(a.taskId) ?? 0) - (order.get(b.taskId) ?? 0));
  const cleared = targets.map((ti) => ({ taskId: ti.taskId, previousState: ti.state }));
  if (options.dryRun || targets.length === 0) return { dagId: dag.id, runId: run.runId, cleared };
  const changes: StateChange[] = [];
  for (const ti of targets) {
    const subject = `${dag.id}/${run.runId}/${ti.taskId}`;
    let from: TaskState = ti.state;
    if (from === 'running') {
      // Only reachable when the owner is gone: its try ended with it.
      changes.push({ kind: 'task', dagId: dag.id, runId: run.runId, taskId: ti.taskId, state: 'failed' });
      from = 'failed';
    }
    assertTransition(subject, from, 'none');
    changes.push({
      kind: 'task',
      dagId: dag.id,
      runId: run.runId,
      taskId: ti.taskId,
      state: 'none',
      output: null,
      nextTryAt: null,
      startedAt: null,
      endedAt: null,
      durationMs: null,
    });
  }
  changes.push({ kind: 'run', dagId: dag.id, runId: run.runId, state: 'queued', endedAt: null });
  await store.apply(changes);
  return { dagId: dag.id, runId: run.runId, cleared };
}
