import type { Dag } from '../model/dag.js';
import { byTaskOrder } from '../model/map-index.js';
import type { DagRunRecord, TaskInstanceRecord, TryRecord } from '../store/records.js';
import type { RunSummary, TaskSummary } from './api-types.js';

/** A run with its task instances in topological order, each with its latest try's log path and error. */
export function summarizeRun(
  dag: Dag | undefined,
  run: DagRunRecord,
  instances: readonly TaskInstanceRecord[],
  tries: readonly TryRecord[],
): RunSummary {
  const latest = new Map<string, TryRecord>();
  for (const t of tries) {
    const prev = latest.get(t.taskId);
    if (!prev || t.tryNumber > prev.tryNumber) latest.set(t.taskId, t);
  }
  const order = dag ? dag.topologicalOrder() : instances.map((ti) => ti.taskId);
  const rank = new Map(order.map((id, i) => [id, i]));
  const sorted = [...instances].sort(byTaskOrder(rank));
  const tasks: TaskSummary[] = sorted.map((ti) => {
    const t = latest.get(ti.taskId);
    return {
      taskId: ti.taskId,
      state: ti.state,
      tryNumber: ti.tryNumber,
      startedAt: ti.startedAt,
      endedAt: ti.endedAt,
      durationMs: ti.durationMs,
      logPath: t?.logPath ?? null,
      error: t?.errorMessage ?? null,
      output: ti.output,
    };
  });
  return {
    dagId: run.dagId,
    runId: run.runId,
    logicalDate: run.logicalDate,
    runType: run.runType,
    state: run.state,
    startedAt: run.startedAt,
    endedAt: run.endedAt,
    tasks,
  };
}
