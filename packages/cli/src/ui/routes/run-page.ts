import type { BackfillRecord, Dag, DagRunRecord } from '@streampro/engine';
import { dateLabel } from '../../parse/dates.js';
import type { UiContext } from '../context.js';
import { elapsedMs, formatDuration, formatInstant } from '../format.js';
import { type Html, h, query, trusted } from '../html.js';
import { page } from '../layout.js';
import { graphUrl, gridUrl, taskUrl } from '../links.js';
import { STATE_LOOK, stateClass } from '../states.js';
import { ganttSvg } from '../svg/gantt-svg.js';

/** A run: state, params, the backfill that made it, and a Gantt of its tries. Three or four queries. */
export async function runPage(ctx: UiContext, dag: Dag, run: DagRunRecord): Promise<Html> {
  const store = ctx.engine.store;
  const [tis, tries, backfill] = await Promise.all([
    store.listTaskInstances(dag.id, run.runId),
    store.listTries(dag.id, run.runId),
    run.runType === 'backfill' ? backfillOf(ctx, run) : Promise.resolve(undefined),
  ]);
  const now = ctx.now();
  const order = dag.topologicalOrder();
  const known = new Set(order);
  const taskIds = [...order, ...tis.map((t) => t.taskId).filter((id) => !known.has(id))];
  const date = dateLabel(run.logicalDate);
  const params = Object.entries(run.params);
  const gantt = ganttSvg({
    title: `Tries of ${dag.id} ${date}`,
    taskIds,
    tries,
    runStartedAt: run.startedAt,
    now,
  });
  const rows = tis.map((ti) => {
    const mine = tries.filter((t) => t.taskId === ti.taskId);
    return h`<tr><th scope="row"><a href="${taskUrl(dag.id, run.runId, ti.taskId)}">${ti.taskId}</a></th>
<td><span class="badge ${stateClass(ti.state)}">${STATE_LOOK[ti.state].glyph} ${ti.state}</span></td>
<td>${mine.length}</td><td>${formatDuration(ti.durationMs)}</td><td>${mine.at(-1)?.errorMessage ?? ''}</td></tr>`;
  });
  const body = h`<h1>${dag.id} <span class="muted">${date}</span> <span class="badge ${stateClass(run.state)}">${STATE_LOOK[run.state].glyph} ${run.state}</span></h1>
<p><a href="${gridUrl(dag.id)}${query({ run: run.runId })}">Grid</a> · <a href="${graphUrl(dag.id, run.runId)}">Graph</a></p>
<table class="kv"><tbody>
<tr><th scope="row">Run id</th><td>${run.runId}</td></tr>
<tr><th scope="row">Type</th><td>${run.runType}</td></tr>
<tr><th scope="row">Logical date</th><td>${formatInstant(run.logicalDate)}</td></tr>
<tr><th scope="row">Started</th><td>${formatInstant(run.startedAt)}</td></tr>
<tr><th scope="row">Ended</th><td>${formatInstant(run.endedAt)}</td></tr>
<tr><th scope="row">Duration</th><td>${formatDuration(elapsedMs(run.startedAt, run.endedAt, now))}</td></tr>
<tr><th scope="row">Lease</th><td>${run.lease ? `${run.lease.owner} (epoch ${run.lease.epoch}, expires ${formatInstant(run.lease.expiresAt)})` : 'none'}</td></tr>
<tr><th scope="row">Backfill</th><td>${backfillText(run, backfill)}</td></tr>
</tbody></table>
<h2>Params</h2>
${params.length ? h`<table class="params"><tbody>${params.map(([k, v]) => h`<tr><th scope="row">${k}</th><td><code>${JSON.stringify(v)}</code></td></tr>`)}</tbody></table>` : h`<p class="muted">No params.</p>`}
<h2>Tries</h2>
<div class="svg-wrap">${trusted(gantt)}</div>
<p class="muted">Bars: one try each, coloured by how it ended; hatched: waiting for a retry.</p>
<table class="tasks"><thead><tr><th scope="col">Task</th><th scope="col">State</th><th scope="col">Tries</th><th scope="col">Duration</th><th scope="col">Last error</th></tr></thead><tbody>${rows}</tbody></table>`;
  return page({
    title: `${dag.id} ${date}`,
    section: 'dags',
    crumbs: [{ href: '/', label: 'DAGs' }, { href: gridUrl(dag.id), label: dag.id }, { label: run.runId }],
    body,
  });
}

/** The recorded backfill whose range holds the run's date (the newest such); none for `dag backfill` in the foreground. */
async function backfillOf(ctx: UiContext, run: DagRunRecord): Promise<BackfillRecord | undefined> {
  const all = await ctx.engine.store.listBackfills(run.dagId);
  return all.find((b) => b.startDate <= run.logicalDate && run.logicalDate <= b.endDate);
}

function backfillText(run: DagRunRecord, b: BackfillRecord | undefined): Html | string {
  if (run.runType !== 'backfill') return '-';
  if (!b) return 'dag backfill in the foreground (not recorded)';
  return h`#${b.id} ${dateLabel(b.startDate)} to ${dateLabel(b.endDate)} (${b.state}, reprocess ${b.reprocess})`;
}
