import { type Dag, defineDag } from '@streampro/engine';

/** `list` → `n` plain no-op tasks, each depending on `list`: the baseline of a mapped task's instances. */
export function plainFanDag(id: string, n: number, maxActiveTasks: number): Dag {
  const dag = defineDag({ id, startDate: '2025-01-01', schedule: '@daily', maxActiveTasks });
  const list = dag.task({ id: 'list', run: () => null });
  for (let i = 0; i < n; i++) dag.task({ id: `t${i}`, upstream: [list], run: () => null });
  return dag;
}

/** `list` (an array of `n` items) → one no-op task mapped over it: `n` task instances at run time. */
export function mappedFanDag(id: string, n: number, maxActiveTasks: number): Dag {
  const dag = defineDag({ id, startDate: '2025-01-01', schedule: '@daily', maxActiveTasks });
  const list = dag.task({ id: 'list', run: () => Array.from({ length: n }, (_, i) => i) });
  dag.map({ id: 'each', over: list, maxMapLength: n, run: () => null });
  return dag;
}
