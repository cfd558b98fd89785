import type { GraphView } from './graph-model.js';

/** Mermaid ids may not contain dots or hyphens, so tasks get positional node ids and keep their name as label. */
export function renderMermaid(view: GraphView): string {
  const nodeId = new Map(view.tasks.map((t, i) => [t.id, `t${i}`]));
  const node = (id: string): string => `${nodeId.get(id)}["${id.replace(/"/g, '#quot;')}"]`;
  const lines = ['flowchart TD'];
  const groups = new Map<string, string[]>();
  for (const t of view.tasks) {
    if (t.group === undefined) lines.push(`  ${node(t.id)}`);
    else groups.set(t.group, [...(groups.get(t.group) ?? []), t.id]);
  }
  let g = 0;
  for (const [group, ids] of groups) {
    lines.push(`  subgraph g${g++}["${group}"]`);
    for (const id of ids) lines.push(`    ${node(id)}`);
    lines.push('  end');
  }
  for (const t of view.tasks) {
    for (const up of t.upstreamIds) lines.push(`  ${nodeId.get(up)} --> ${nodeId.get(t.id)}`);
  }
  return lines.join('\n');
}
