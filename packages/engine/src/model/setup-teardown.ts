/**
 * Setup and teardown tasks (Airflow's `as_setup()` / `as_teardown(setups=...)`): a setup creates what the
 * tasks after it use (a cluster, a scratch table); its teardown removes it once every task of its scope is
 * done, whether they succeeded or not. The scope of a teardown is the tasks downstream of its setups and
 * upstream of it. A teardown's failure does not fail the run unless it says so (`failRunOnFailure`), and
 * clearing any task of a scope clears its setups and teardown too, so the resource exists again when the
 * task re-runs and is removed again afterwards.
 */

import type { Dag } from './dag.js';

/** What part a task plays: ordinary work, a setup, or the teardown of some setups. */
export type TaskRole =
  | { readonly kind: 'work' }
  | { readonly kind: 'setup' }
  | {
      readonly kind: 'teardown';
      /** Ids of the setup tasks whose resources it removes (each also a direct upstream). */
      readonly setups: readonly string[];
      /** Whether its failure fails the run (Airflow's `on_failure_fail_dagrun`). */
      readonly failRunOnFailure: boolean;
    };

export const WORK_ROLE: TaskRole = { kind: 'work' };

/** The graph queries the functions below need (a Dag's `TaskGraph` and `getTask`). */
export interface RoleGraph {
  readonly ids: readonly string[];
  roleOf(id: string): TaskRole;
  upstreamOf(id: string): readonly string[];
  downstreamOf(id: string): readonly string[];
}

/** True for a teardown whose failure is left out of the run's state. */
export function isIgnoredTeardown(role: TaskRole): boolean {
  return role.kind === 'teardown' && !role.failRunOnFailure;
}

/**
 * The tasks whose states decide the run's (Airflow's leaf rule with teardowns): the leaves, except that a
 * leaf teardown that does not fail the run stands aside for its upstream tasks, recursively.
 */
export function runDeciders(graph: RoleGraph): Set<string> {
  const deciders = new Set<string>();
  const seen = new Set<string>();
  const stack = graph.ids.filter((id) => graph.downstreamOf(id).length === 0);
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (seen.has(id)) continue;
    seen.add(id);
    if (isIgnoredTeardown(graph.roleOf(id))) stack.push(...graph.upstreamOf(id));
    else deciders.add(id);
  }
  return deciders;
}

/**
 * The given tasks plus the setups and teardowns they need re-run with them: for every teardown, when one of
 * the tasks is one of its setups, in its scope, or the teardown itself, its setups and the teardown are
 * added (repeated until nothing changes, so nested scopes follow).
 */
export function withSetupsAndTeardowns(graph: RoleGraph, ids: Iterable<string>): Set<string> {
  const out = new Set(ids);
  const teardowns = graph.ids.flatMap((id) => {
    const role = graph.roleOf(id);
    return role.kind === 'teardown' ? [{ id, setups: role.setups }] : [];
  });
  if (teardowns.length === 0) return out;
  const members = new Map(
    teardowns.map((t) => {
      const scope = intersect(reach(graph, t.setups, 'down'), reach(graph, [t.id], 'up'));
      return [t.id, new Set([...t.setups, t.id, ...scope])];
    }),
  );
  let changed = true;
  while (changed) {
    changed = false;
    for (const t of teardowns) {
      const group = members.get(t.id)!;
      if (![...out].some((id) => group.has(id))) continue;
      for (const id of [...t.setups, t.id]) {
        if (!out.has(id)) {
          out.add(id);
          changed = true;
        }
      }
    }
  }
  return out;
}

function reach(graph: RoleGraph, from: readonly string[], way: 'up' | 'down'): Set<string> {
  const seen = new Set<string>();
  const stack = [...from];
  while (stack.length > 0) {
    const id = stack.pop()!;
    for (const next of way === 'up' ? graph.upstreamOf(id) : graph.downstreamOf(id)) {
      if (!seen.has(next)) {
        seen.add(next);
        stack.push(next);
      }
    }
  }
  return seen;
}

function intersect(a: ReadonlySet<string>, b: ReadonlySet<string>): string[] {
  return [...a].filter((id) => b.has(id));
}

/** A DAG's graph with the roles of its tasks. */
export function roleGraphOf(dag: Dag): RoleGraph {
  return {
    ids: dag.tasks.map((t) => t.id),
    roleOf: (id) => dag.getTask(id)?.role ?? WORK_ROLE,
    upstreamOf: (id) => dag.graph.upstreamOf(id),
    downstreamOf: (id) => dag.graph.downstreamOf(id),
  };
}
