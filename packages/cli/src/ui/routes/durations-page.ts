import type { Dag } from '@streampro/engine';
import { dateLabel } from '../../parse/dates.js';
import type { UiContext } from '../context.js';
import { formatDuration, median } from '../format.js';
import { type Html, h, trusted } from '../html.js';
import { page } from '../layout.js';
import { gridUrl } from '../links.js';
import { type DurationPoint, durationsSvg } from '../svg/durations-svg.js';

export const DURATION_RUNS = 60;

/** Each task's durations over the newest runs with their median: one grid query. */
export async function durationsPage(ctx: UiContext, dag: Dag, runs: number): Promise<Html> {
  const grid = (await ctx.engine.store.listTaskGrid(dag.id, { limit: runs })).reverse();
  const charts = dag.topologicalOrder().map((taskId) => {
    const points: DurationPoint[] = grid.flatMap((c) => {
      const ti = c.tasks.find((t) => t.taskId === taskId);
      return ti && ti.durationMs !== null
        ? [{ label: dateLabel(c.run.logicalDate) ?? c.run.logicalDate, ms: ti.durationMs, state: ti.state }]
        : [];
    });
    const mid = median(points.map((p) => p.ms));
    return h`<section class="duration" aria-labelledby="d-${taskId}"><h2 id="d-${taskId}">${taskId} <span class="muted">median ${formatDuration(mid)} over ${points.length} run(s)</span></h2>
${trusted(durationsSvg(taskId, points))}</section>`;
  });
  return page({
    title: `${dag.id} durations`,
    section: 'dags',
    crumbs: [{ href: '/', label: 'DAGs' }, { href: gridUrl(dag.id), label: dag.id }, { label: 'durations' }],
    body: h`<h1>${dag.id} <span class="muted">task durations, last ${grid.length} run(s)</span></h1>${charts}`,
  });
}
