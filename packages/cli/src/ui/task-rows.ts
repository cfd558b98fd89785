import type { Dag } from '@streampro/engine';

/** A row of the grid: a task group's header, or a task (inside a group or not). */
export type TaskRow =
  | { readonly kind: 'group'; readonly group: string; readonly taskIds: readonly string[] }
  | {
      readonly kind: 'task';
      readonly taskId: string;
      readonly name: string;
      readonly group: string | undefined;
    };

/**
 * Tasks in topological order with each task group's tasks kept together, under one header row, at the
 * place of the group's first task (as Airflow's grid shows them).
 */
export function taskRows(dag: Dag): TaskRow[] {
  const groupOf = new Map(dag.tasks.map((t) => [t.id, t.group]));
  const members = new Map<string, string[]>();
  const order: ({ group: string } | { taskId: string })[] = [];
  for (const id of dag.topologicalOrder()) {
    const group = groupOf.get(id);
    if (group === undefined) {
      order.push({ taskId: id });
      continue;
    }
    if (!members.has(group)) {
      members.set(group, []);
      order.push({ group });
    }
    members.get(group)!.push(id);
  }
  return order.flatMap((o): TaskRow[] => {
    if ('taskId' in o) return [{ kind: 'task', taskId: o.taskId, name: o.taskId, group: undefined }];
    const ids = members.get(o.group)!;
    return [
      { kind: 'group', group: o.group, taskIds: ids },
      ...ids.map(
        (id): TaskRow => ({
          kind: 'task',
          taskId: id,
          name: id.startsWith(`${o.group}.`) ? id.slice(o.group.length + 1) : id,
          group: o.group,
        }),
      ),
    ];
  });
}
