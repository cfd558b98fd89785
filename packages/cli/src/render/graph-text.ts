import type { GraphView } from './graph-model.js';

/**
 * A readable layered view: one block per layer, each task with the tasks it waits for, and tasks of a
 * group shown under the group's name.
 */
export function renderGraphText(view: GraphView): string {
  const byId = new Map(view.tasks.map((t) => [t.id, t]));
  const lines = [`DAG ${view.dagId}: ${view.tasks.length} tasks in ${view.layers.length} layers`];
  view.layers.forEach((layer, i) => {
    lines.push('', `layer ${i + 1}`);
    let currentGroup: string | undefined;
    for (const id of orderByGroup(layer, byId)) {
      const task = byId.get(id);
      const group = task?.group;
      if (group !== currentGroup && group !== undefined) lines.push(`  [group ${group}]`);
      currentGroup = group;
      const indent = group === undefined ? '  ' : '    ';
      const upstream = task?.upstreamIds ?? [];
      lines.push(`${indent}${id}${upstream.length ? `  <- ${upstream.join(', ')}` : ''}`);
    }
  });
  return lines.join('\n');
}

/** Keeps a layer's order but brings tasks of one group together so each group header appears once. */
function orderByGroup(
  layer: readonly string[],
  byId: ReadonlyMap<string, GraphView['tasks'][number]>,
): string[] {
  const ungrouped: string[] = [];
  const groups = new Map<string, string[]>();
  for (const id of layer) {
    const group = byId.get(id)?.group;
    if (group === undefined) ungrouped.push(id);
    else groups.set(group, [...(groups.get(group) ?? []), id]);
  }
  return [...ungrouped, ...[...groups.values()].flat()];
}
