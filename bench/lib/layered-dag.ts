import { setTimeout as sleep } from 'node:timers/promises';
import { type AnyTaskRef, type Dag, defineDag } from '@streampro/engine';
import { mulberry32 } from '../../scripts/generate/prng.js';

/** Deterministic pseudo-random numbers, so every run builds the same graph. */
export const seeded = mulberry32;

/** Edges of a layered graph: each task of layer L>0 depends on 2–3 tasks of layer L-1. */
export function layeredEdges(layers: number, width: number, seed = 42): number[][] {
  const random = seeded(seed);
  const parents: number[][] = [];
  for (let l = 0; l < layers; l++) {
    for (let w = 0; w < width; w++) {
      if (l === 0) {
        parents.push([]);
        continue;
      }
      const count = 2 + Math.floor(random() * 2);
      const chosen = new Set<number>();
      while (chosen.size < Math.min(count, width)) chosen.add((l - 1) * width + Math.floor(random() * width));
      parents.push([...chosen]);
    }
  }
  return parents;
}

/** A DAG of no-op tasks over the layered graph. */
export function layeredDag(id: string, layers: number, width: number, maxActiveTasks: number): Dag {
  const dag = defineDag({ id, startDate: '2025-01-01', schedule: '@daily', maxActiveTasks });
  const refs: AnyTaskRef[] = [];
  for (const [i, ups] of layeredEdges(layers, width).entries()) {
    refs.push(dag.task({ id: `t${i}`, upstream: ups.map((u) => refs[u]!), run: () => null }));
  }
  return dag;
}

/** A chain of `n` no-op tasks, each depending on the previous: dependents never wait for a free slot. */
export function chainDag(id: string, n: number): Dag {
  const dag = defineDag({ id, startDate: '2025-01-01', schedule: '@daily' });
  let previous: AnyTaskRef | undefined;
  for (let i = 0; i < n; i++) {
    previous = dag.task({ id: `c${i}`, upstream: previous ? [previous] : [], run: () => null });
  }
  return dag;
}

/**
 * One task, `victim`, that retries once at once: its first try waits (until its signal aborts, at most a
 * minute) so a benchmark can kill the worker running it; the retry returns at once.
 */
export function victimDag(id: string): Dag {
  const dag = defineDag({ id, startDate: '2025-01-01', schedule: null });
  dag.task({
    id: 'victim',
    retries: 1,
    retryDelay: 0,
    run: async (ctx) => {
      if (ctx.tryNumber === 1) await sleep(60_000, undefined, { signal: ctx.signal });
      return ctx.tryNumber;
    },
  });
  return dag;
}
