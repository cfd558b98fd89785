import type { Dag, DagRunRecord } from '@streampro/engine';
import { dateLabel } from '../../parse/dates.js';
import type { UiContext } from '../context.js';
import { type Html, h, trusted } from '../html.js';
import { page } from '../layout.js';
import { gridUrl, runUrl, taskUrl } from '../links.js';
import { STATE_LOOK, stateClass } from '../states.js';
import { graphSvg } from '../svg/graph-svg.js';

/** The graph of one run, laid out server-side: one query (its task instances). */
export async function graphPage(ctx: UiContext, dag: Dag, run: DagRunRecord): Promise<Html> {
  const tis = await ctx.engine.store.listTaskInstances(dag.id, run.runId);
  const states = new Map(tis.map((t) => [t.taskId, t.state]));
  const date = dateLabel(run.logicalDate);
  const svg = graphSvg({
    title: `Task graph of ${dag.id} for ${date}`,
    tasks: dag.tasks,
    states,
    href: (taskId) => taskUrl(dag.id, run.runId, taskId),
  });
  const legend = Object.entries(STATE_LOOK).map(
    ([state, look]) =>
      h`<span class="badge ${stateClass(state as keyof typeof STATE_LOOK)}">${look.glyph} ${look.label}</span> `,
  );
  return page({
    title: `${dag.id} ${date} graph`,
    section: 'dags',
    crumbs: [
      { href: '/', label: 'DAGs' },
      { href: gridUrl(dag.id), label: dag.id },
      { href: runUrl(dag.id, run.runId), label: run.runId },
      { label: 'graph' },
    ],
    body: h`<h1>${dag.id} <span class="muted">${date} graph</span> <span class="badge ${stateClass(run.state)}">${run.state}</span></h1>
<p>${legend}</p>
<div class="svg-wrap">${trusted(svg)}</div>
<p class="muted">Dashed boxes: task groups. Rounded outlines: assets the tasks update.</p>`,
  });
}
