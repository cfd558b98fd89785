import { Graph, layout, type Point } from '@dagrejs/dagre';
import type { TaskState } from '@streampro/engine';
import { STATE_LOOK, SVG_COLOURS } from '../states.js';
import { esc, round, textWidth } from './svg-text.js';

export interface GraphTaskInput {
  readonly id: string;
  readonly group: string | undefined;
  readonly upstreamIds: readonly string[];
  readonly outlets: readonly string[];
}

export interface GraphInput {
  readonly title: string;
  readonly tasks: readonly GraphTaskInput[];
  /** State of each task in the run shown; missing: `none`. */
  readonly states: ReadonlyMap<string, TaskState>;
  readonly href: (taskId: string) => string;
}

const NODE_H = 34;
const ASSET_H = 26;
const GROUP_PREFIX = 'group:';
const ASSET_PREFIX = 'asset:';

/**
 * The task graph laid out left to right by dagre (task groups as clusters, asset outlets as their own
 * nodes), rendered to SVG on the server. Tasks are links with their state in the accessible name.
 */
export function graphSvg(input: GraphInput): string {
  const g = new Graph({ compound: true, multigraph: false });
  g.setGraph({ rankdir: 'LR', nodesep: 18, ranksep: 46, marginx: 16, marginy: 28 });
  g.setDefaultEdgeLabel(() => ({}));
  const groups = new Set(input.tasks.flatMap((t) => (t.group ? [t.group] : [])));
  for (const group of groups) g.setNode(`${GROUP_PREFIX}${group}`, { width: 0, height: 0 });
  for (const t of input.tasks) {
    g.setNode(t.id, { width: Math.max(96, textWidth(t.id) + 40), height: NODE_H });
    if (t.group) g.setParent(t.id, `${GROUP_PREFIX}${t.group}`);
  }
  for (const t of input.tasks) for (const up of t.upstreamIds) g.setEdge(up, t.id);
  const assets = [...new Set(input.tasks.flatMap((t) => t.outlets))];
  for (const a of assets) g.setNode(`${ASSET_PREFIX}${a}`, { width: textWidth(a, 12) + 28, height: ASSET_H });
  for (const t of input.tasks) for (const a of t.outlets) g.setEdge(t.id, `${ASSET_PREFIX}${a}`);
  layout(g);
  const size = g.graph();
  const width = Math.ceil(size.width ?? 200);
  const height = Math.ceil(size.height ?? 100);
  const parts: string[] = [];
  for (const group of groups) {
    const n = g.node(`${GROUP_PREFIX}${group}`);
    const x = (n.x ?? 0) - n.width / 2;
    const y = (n.y ?? 0) - n.height / 2;
    parts.push(
      `<g class="group" data-group="${esc(group)}"><rect x="${round(x)}" y="${round(y)}" width="${round(n.width)}" height="${round(n.height)}" rx="8" fill="#f7f8fb" stroke="#7a869a" stroke-dasharray="4 3"/>` +
        `<text x="${round(x + 6)}" y="${round(y - 6)}" font-size="12" fill="#333">${esc(group)}</text></g>`,
    );
  }
  for (const e of g.edges()) {
    const points: readonly Point[] = g.edge(e).points ?? [];
    if (points.length === 0) continue;
    const d = points.map((p, i) => `${i ? 'L' : 'M'}${round(p.x)} ${round(p.y)}`).join(' ');
    const outlet = e.w.startsWith(ASSET_PREFIX);
    parts.push(
      outlet
        ? `<path class="edge outlet" d="${d}" fill="none" stroke="#7a869a" stroke-width="1.3" stroke-dasharray="5 3" marker-end="url(#arrow)"/>`
        : `<path class="edge dep" data-from="${esc(e.v)}" data-to="${esc(e.w)}" d="${d}" fill="none" stroke="#4a5568" stroke-width="1.5" marker-end="url(#arrow)"/>`,
    );
  }
  for (const t of input.tasks) {
    const n = g.node(t.id);
    const state = input.states.get(t.id) ?? 'none';
    const c = SVG_COLOURS[state];
    const x = (n.x ?? 0) - n.width / 2;
    const y = (n.y ?? 0) - n.height / 2;
    const label = `${t.id}: ${STATE_LOOK[state].label}`;
    parts.push(
      `<a class="node task" data-task="${esc(t.id)}" data-state="${state}" href="${esc(input.href(t.id))}" aria-label="${esc(label)}">` +
        `<title>${esc(label)}</title>` +
        `<rect x="${round(x)}" y="${round(y)}" width="${round(n.width)}" height="${NODE_H}" rx="5" fill="${c.fill}" stroke="${c.stroke}" stroke-width="2"/>` +
        `<text x="${round(x + 10)}" y="${round((n.y ?? 0) + 4.5)}" font-size="12.5" fill="#1a1a1a">${esc(STATE_LOOK[state].glyph)} ${esc(t.id)}</text></a>`,
    );
  }
  for (const a of assets) {
    const n = g.node(`${ASSET_PREFIX}${a}`);
    const x = (n.x ?? 0) - n.width / 2;
    const y = (n.y ?? 0) - n.height / 2;
    parts.push(
      `<g class="node asset" data-asset="${esc(a)}"><rect x="${round(x)}" y="${round(y)}" width="${round(n.width)}" height="${ASSET_H}" rx="13" fill="#fff" stroke="#7a869a"/>` +
        `<text x="${round(x + 14)}" y="${round((n.y ?? 0) + 4)}" font-size="12" fill="#333">${esc(a)}</text></g>`,
    );
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" class="graph" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" aria-label="${esc(input.title)}" font-family="system-ui, sans-serif">
<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0 0 L10 5 L0 10 z" fill="#4a5568"/></marker></defs>
${parts.join('\n')}
</svg>`;
}
