import type { GraphView } from './graph-model.js';

function quote(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** Graphviz dot; groups become clusters. */
export function renderDot(view: GraphView): string {
  const lines = [`digraph ${quote(view.dagId)} {`, '  rankdir=TB;', '  node [shape=box];'];
  const groups = new Map<string, string[]>();
  for (const t of view.tasks) {
    if (t.group === undefined) lines.push(`  ${quote(t.id)};`);
    else groups.set(t.group, [...(groups.get(t.group) ?? []), t.id]);
  }
  let g = 0;
  for (const [group, ids] of groups) {
    lines.push(`  subgraph cluster_${g++} {`, `    label=${quote(group)};`);
    for (const id of ids) lines.push(`    ${quote(id)};`);
    lines.push('  }');
  }
  for (const t of view.tasks) {
    for (const up of t.upstreamIds) lines.push(`  ${quote(up)} -> ${quote(t.id)};`);
  }
  lines.push('}');
  return lines.join('\n');
}
