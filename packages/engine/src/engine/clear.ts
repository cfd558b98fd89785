import type { Dag } from '../model/dag.js';
import { baseTaskId, byTaskOrder, parseMappedTaskId } from '../model/map-index.js';
import { roleGraphOf, withSetupsAndTeardowns } from '../model/setup-teardown.js';
import { isFailedState } from '../model/states.js';
import { StateWriter } from '../state/state-writer.js';
import { runTransition, taskTransition } from '../state/transitions.js';
import type { DagRunRecord, Fence } from '../store/records.js';
import type { RunStore } from '../store/run-store.js';
import type { ClearOptions, ClearResult } from './api-types.js';

/**
 * Clears chosen task instances (optionally with everything downstream, optionally only failed ones), with
 * the setups and teardowns of the scopes they are in, whatever those are in: the resource must exist again
 * when the cleared tasks re-run, and be removed again after them.
 */
export async function clearRun(
  store: RunStore,
  dag: Dag,
  run: DagRunRecord,
  options: ClearOptions,
  /** The lease held while clearing; undefined only for a dry run, which writes nothing. */
  fence: Fence | undefined,
): Promise<ClearResult> {
  // `load[3]` clears that instance and its mapped task `load` (which takes its instances' state again);
  // `load` clears the mapped task and all its instances.
  const named = options.tasks && options.tasks.length > 0 ? options.tasks : dag.tasks.map((t) => t.id);
  const chosen = new Set(named.map(baseTaskId));
  const whole = new Set(named.filter((id) => parseMappedTaskId(id) === undefined));
  const single = new Set(named.filter((id) => parseMappedTaskId(id) !== undefined));
  if (options.downstream) {
    for (const id of dag.graph.descendants([...chosen])) {
      chosen.add(id);
      whole.add(id);
    }
  }
  const picked = (taskId: string): boolean => {
    const m = parseMappedTaskId(taskId);
    return m ? whole.has(m.taskId) || single.has(taskId) : chosen.has(taskId);
  };
  const instances = await store.listTaskInstances(dag.id, run.runId);
  const order = new Map(dag.topologicalOrder().map((id, i) => [id, i]));
  const pickedIds = instances
    .filter((ti) => picked(ti.taskId) && ti.state !== 'none')
    .filter((ti) => !options.onlyFailed || isFailedState(ti.state))
    .map((ti) => ti.taskId);
  // The setups and teardowns of the scopes the picked tasks (or their mapped tasks) are in.
  const withScopes = withSetupsAndTeardowns(roleGraphOf(dag), pickedIds.map(baseTaskId));
  const pickedSet = new Set(pickedIds);
  const targets = instances
    .filter((ti) => ti.state !== 'none' && (pickedSet.has(ti.taskId) || withScopes.has(ti.taskId)))
    .sort(byTaskOrder(order));
  const cleared = targets.map((ti) => ({ taskId: ti.taskId, previousState: ti.state }));
  if (options.dryRun || targets.length === 0) return { dagId: dag.id, runId: run.runId, cleared };
  const writer = new StateWriter(store, fence);
  for (const ti of targets) {
    let current = ti;
    if (current.state === 'running') {
      // Only reachable when the owner is gone: its try ended with it.
      const failed = taskTransition(current, 'failed');
      writer.stage(failed.change);
      current = failed.record;
    }
    writer.stage(
      taskTransition(current, 'none', {
        output: null,
        nextTryAt: null,
        startedAt: null,
        endedAt: null,
        durationMs: null,
      }).change,
    );
  }
  writer.stage(runTransition(run, 'queued', { endedAt: null }));
  await writer.commit();
  return { dagId: dag.id, runId: run.runId, cleared };
}
