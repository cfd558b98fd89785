import graphology from 'graphology';
import { hasCycle, topologicalGenerations } from 'graphology-dag';
import { DagDefinitionError } from './errors.js';

const { DirectedGraph } = graphology;
type Directed = InstanceType<typeof DirectedGraph>;

/** The dependency graph of a DAG's tasks: edges point from upstream to downstream. */
export class TaskGraph {
  readonly #graph: Directed = new DirectedGraph();

  addNode(id: string): void {
    this.#graph.addNode(id);
  }

  /** Adds `upstream -> downstream`; throws with the cycle's path when the edge would close one. */
  addEdge(dagId: string, upstream: string, downstream: string): void {
    if (this.#graph.hasDirectedEdge(upstream, downstream)) return;
    const back = this.#path(downstream, upstream);
    if (back) {
      throw new DagDefinitionError(
        `DAG '${dagId}': dependency ${upstream} -> ${downstream} creates a cycle: ${[...back, downstream].join(' -> ')}`,
      );
    }
    this.#graph.addDirectedEdge(upstream, downstream);
  }

  /** A path from `from` to `to` following edges, or undefined. */
  #path(from: string, to: string): string[] | undefined {
    if (from === to) return [from];
    const previous = new Map<string, string>([[from, from]]);
    const queue = [from];
    while (queue.length > 0) {
      const node = queue.shift()!;
      for (const next of this.#graph.outNeighbors(node)) {
        if (previous.has(next)) continue;
        previous.set(next, node);
        if (next === to) {
          const path = [to];
          let at = to;
          while (at !== from) {
            at = previous.get(at)!;
            path.unshift(at);
          }
          return path;
        }
        queue.push(next);
      }
    }
    return undefined;
  }

  hasCycle(): boolean {
    return hasCycle(this.#graph);
  }

  /** Layers of tasks: every task's upstream tasks are in earlier layers. */
  generations(): string[][] {
    return topologicalGenerations(this.#graph);
  }

  downstreamOf(id: string): readonly string[] {
    return this.#graph.outNeighbors(id);
  }

  upstreamOf(id: string): readonly string[] {
    return this.#graph.inNeighbors(id);
  }

  /** Every task reachable downstream of the given ones (not including them). */
  descendants(ids: Iterable<string>): Set<string> {
    const seen = new Set<string>();
    const stack = [...ids];
    while (stack.length > 0) {
      const node = stack.pop()!;
      for (const next of this.#graph.outNeighbors(node)) {
        if (!seen.has(next)) {
          seen.add(next);
          stack.push(next);
        }
      }
    }
    return seen;
  }
}
