/**
 * Identity of the instances of a mapped task (Airflow's `expand`). Instance `i` of task `load` is the task
 * instance `load[i]`: brackets are not allowed in task ids, so the name cannot clash with a declared task, and
 * every store keeps it as any other task instance.
 */

/**
 * Instances one mapped task may expand into unless its `maxMapLength` says otherwise.
 */
export const DEFAULT_MAX_MAP_LENGTH = 1024;

/** The task id of instance `index` of mapped task `taskId`. */
export function mappedTaskId(taskId: string, index: number): string {
  return `${taskId}[${index}]`;
}

const MAPPED = /^(.+)\[(0|[1-9][0-9]{0,8})\]$/;

/** The mapped task and index a task instance id names (`load[3]`), or undefined for a plain id. */
export function parseMappedTaskId(
  id: string,
): { readonly taskId: string; readonly index: number } | undefined {
  const m = MAPPED.exec(id);
  return m ? { taskId: m[1]!, index: Number(m[2]) } : undefined;
}

/** The declared task a task instance id belongs to: `load` for `load[3]`, the id itself otherwise. */
export function baseTaskId(id: string): string {
  return parseMappedTaskId(id)?.taskId ?? id;
}

/**
 * Orders task instance ids as a DAG's tasks (`rank`: topological position by task id), each mapped task's
 * instances right after it by index; ids of no known task go last.
 */
export function byTaskOrder(
  rank: ReadonlyMap<string, number>,
): (a: { readonly taskId: string }, b: { readonly taskId: string }) => number {
  const position = (id: string): [number, number] => {
    const m = parseMappedTaskId(id);
    return [rank.get(m ? m.taskId : id) ?? Number.MAX_SAFE_INTEGER, m ? m.index : -1];
  };
  return (a, b) => {
    const [ra, ia] = position(a.taskId);
    const [rb, ib] = position(b.taskId);
    return ra - rb || ia - ib;
  };
}
