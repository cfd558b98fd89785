import type { Dag } from '../model/dag.js';

/**
 * How many tasks of the DAG can run at once at most: the widest level of its graph (tasks at the same
 * distance from the roots), bounded by `maxActiveTasks`. Used to start as many worker processes as a run
 * can use before it starts, and no more.
 */
export function peakParallelism(dag: Dag): number {
  const level = new Map<string, number>();
  const perLevel: number[] = [];
  for (const id of dag.topologicalOrder()) {
    const ups = dag.getTask(id)!.upstreamIds;
    const l = ups.length === 0 ? 0 : Math.max(...ups.map((u) => level.get(u)!)) + 1;
    level.set(id, l);
    perLevel[l] = (perLevel[l] ?? 0) + 1;
  }
  return Math.min(dag.maxActiveTasks, Math.max(0, ...perLevel));
}
