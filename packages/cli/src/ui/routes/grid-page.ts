import {
  type Dag,
  RUN_STATES,
  type RunState,
  type TaskGridRun,
  type TaskInstanceRecord,
  type TryRecord,
} from '@streampro/engine';
import { dateLabel } from '../../parse/dates.js';
import type { UiContext } from '../context.js';
import { elapsedMs, formatDuration, formatInstant } from '../format.js';
import { type Html, h, query } from '../html.js';
import { page } from '../layout.js';
import { durationsUrl, graphUrl, gridUrl, runUrl, taskUrl } from '../links.js';
import { gridDigest, LIVE_WINDOW } from '../live.js';
import { STATE_LOOK, stateClass, worstState } from '../states.js';
import { type TaskRow, taskRows } from '../task-rows.js';

export const DEFAULT_GRID_RUNS = 25;
const MAX_GRID_RUNS = 1000;

/** What the URL of a grid holds: the selection survives reloads and can be shared. */
export interface GridQuery {
  readonly runs: number;
  readonly state: RunState | undefined;
  readonly run: string | undefined;
  readonly task: string | undefined;
  readonly collapsed: readonly string[];
}

export function parseGridQuery(get: (name: string) => string | undefined): GridQuery {
  const runs = Number(get('runs') ?? DEFAULT_GRID_RUNS);
  const state = get('state');
  return {
    runs: Number.isInteger(runs) && runs > 0 ? Math.min(runs, MAX_GRID_RUNS) : DEFAULT_GRID_RUNS,
    state: (RUN_STATES as readonly string[]).includes(state ?? '') ? (state as RunState) : undefined,
    run: get('run') || undefined,
    task: get('task') || undefined,
    collapsed: (get('collapsed') ?? '').split(',').filter(Boolean),
  };
}

function gridHref(dag: Dag, q: GridQuery, change: Partial<GridQuery>): string {
  const next = { ...q, ...change };
  return `${gridUrl(dag.id)}${query({
    runs: next.runs === DEFAULT_GRID_RUNS ? undefined : next.runs,
    state: next.state,
    run: next.run,
    task: next.task,
    collapsed: next.collapsed.join(','),
  })}`;
}

/** Logical dates × tasks of one DAG: one grid query, plus the tries of the selected cell. */
export async function gridPage(ctx: UiContext, dag: Dag, q: GridQuery): Promise<Html> {
  const store = ctx.engine.store;
  const [fetched, tries] = await Promise.all([
    store.listTaskGrid(dag.id, { limit: Math.max(q.runs, LIVE_WINDOW) }),
    q.run && q.task ? store.listTries(dag.id, q.run, q.task) : Promise.resolve([]),
  ]);
  const live = gridDigest(fetched);
  const columns = fetched
    .slice(0, q.runs)
    .filter((c) => q.state === undefined || c.run.state === q.state)
    .reverse();
  const body = h`<h1>${dag.id} <span class="muted">grid</span></h1>
<div class="toolbar">
<form method="get" action="${gridUrl(dag.id)}" class="inline" aria-label="Filter runs">
<label for="state">Run state</label>
<select id="state" name="state"><option value="">all</option>${RUN_STATES.map((s) => h`<option value="${s}"${q.state === s ? h` selected` : ''}>${s}</option>`)}</select>
<label for="runs">Runs</label><input id="runs" name="runs" type="number" min="1" max="${MAX_GRID_RUNS}" value="${q.runs}" size="4">
${q.run ? h`<input type="hidden" name="run" value="${q.run}">` : ''}${q.task ? h`<input type="hidden" name="task" value="${q.task}">` : ''}${q.collapsed.length ? h`<input type="hidden" name="collapsed" value="${q.collapsed.join(',')}">` : ''}
<button type="submit">Apply</button>
</form>
<a href="${durationsUrl(dag.id)}">Task durations</a>
</div>
<div id="live-region"${live.active ? h` data-live="${gridUrl(dag.id)}/events${query({ since: live.digest })}"` : ''}>
<p class="muted" id="live-status">${live.active ? 'A run is active: this grid refreshes by itself.' : 'No active run.'}</p>
<div class="layout">
<div class="grid-wrap">${gridTable(dag, columns, q)}</div>
${details(ctx, dag, fetched, q, tries)}
</div>
</div>`;
  return page({
    title: `${dag.id} grid`,
    section: 'dags',
    crumbs: [{ href: '/', label: 'DAGs' }, { label: dag.id }],
    body,
  });
}

function gridTable(dag: Dag, columns: readonly TaskGridRun[], q: GridQuery): Html {
  if (columns.length === 0) return h`<p>No runs${q.state ? h` in state ${q.state}` : ''}.</p>`;
  const now = new Date();
  const durations = columns.map((c) => elapsedMs(c.run.startedAt, c.run.endedAt, now));
  const longest = Math.max(1, ...durations.map((d) => d ?? 0));
  const byTask = columns.map((c) => new Map(c.tasks.map((t) => [t.taskId, t])));
  const rows = taskRows(dag);
  const collapsed = new Set(q.collapsed);
  const barCells = columns.map((c, i) => {
    const d = durations[i] ?? null;
    const label = `run ${dateLabel(c.run.logicalDate)}: ${c.run.state}, ${formatDuration(d)}`;
    const px = d === null ? 0 : Math.max(2, Math.round((d / longest) * 32));
    return h`<td class="bar"><span class="dbar ${stateClass(c.run.state)}" style="height:${px}px" title="${label}"></span></td>`;
  });
  const dateCells = columns.map(
    (c) =>
      h`<th scope="col" class="date"><a href="${runUrl(dag.id, c.run.runId)}" title="${c.run.runId} (${c.run.state})">${dateLabel(c.run.logicalDate)}</a></th>`,
  );
  const body = rows
    .filter((r) => r.kind === 'group' || r.group === undefined || !collapsed.has(r.group))
    .map((r) => rowHtml(dag, r, columns, byTask, q, collapsed));
  return h`<table class="grid" aria-label="Task instances of ${dag.id}: tasks by logical date">
<thead><tr><td></td>${barCells}</tr><tr><th scope="col">Task</th>${dateCells}</tr></thead>
<tbody>${body}</tbody></table>`;
}

function rowHtml(
  dag: Dag,
  row: TaskRow,
  columns: readonly TaskGridRun[],
  byTask: readonly Map<string, TaskInstanceRecord>[],
  q: GridQuery,
  collapsed: ReadonlySet<string>,
): Html {
  if (row.kind === 'group') {
    const isCollapsed = collapsed.has(row.group);
    const toggled = isCollapsed ? q.collapsed.filter((g) => g !== row.group) : [...q.collapsed, row.group];
    const cells = columns.map((c, i) => {
      if (!isCollapsed) return h`<td></td>`;
      const states = row.taskIds.flatMap((id) => byTask[i]!.get(id)?.state ?? []);
      const worst = worstState(states);
      const label = `group ${row.group}, ${dateLabel(c.run.logicalDate)}: ${STATE_LOOK[worst].label}`;
      return h`<td><span class="cell ${stateClass(worst)}" role="img" aria-label="${label}" title="${label}">${STATE_LOOK[worst].glyph}</span></td>`;
    });
    return h`<tr class="group"><th scope="row" class="task"><a href="${gridHref(dag, q, { collapsed: toggled })}" aria-expanded="${isCollapsed ? 'false' : 'true'}">${isCollapsed ? '▸' : '▾'} ${row.group}</a></th>${cells}</tr>`;
  }
  const cells = columns.map((c, i) => {
    const ti = byTask[i]!.get(row.taskId);
    if (!ti) return h`<td></td>`;
    const label = `${row.taskId}, ${dateLabel(c.run.logicalDate)}: ${STATE_LOOK[ti.state].label}${ti.tryNumber > 1 ? `, try ${ti.tryNumber}` : ''}`;
    const selected = q.run === c.run.runId && q.task === row.taskId;
    const dim = q.task !== undefined && !selected && q.task !== row.taskId && q.run !== c.run.runId;
    return h`<td><a class="cell ${stateClass(ti.state)}${selected ? ' selected' : ''}${dim ? ' dim' : ''}" data-task="${row.taskId}" data-run="${c.run.runId}" data-state="${ti.state}" href="${gridHref(dag, q, { run: c.run.runId, task: row.taskId })}" aria-label="${label}" title="${label}"${selected ? h` aria-current="true"` : ''}>${STATE_LOOK[ti.state].glyph}</a></td>`;
  });
  return h`<tr><th scope="row" class="task${row.group ? ' in-group' : ''}" title="${row.taskId}">${row.name}</th>${cells}</tr>`;
}

function details(
  ctx: UiContext,
  dag: Dag,
  grid: readonly TaskGridRun[],
  q: GridQuery,
  tries: readonly TryRecord[],
): Html | string {
  if (!q.run) return '';
  const column = grid.find((c) => c.run.runId === q.run);
  if (!column)
    return h`<aside class="details" aria-label="Selection"><p>Run ${q.run} is not in this grid.</p></aside>`;
  const run = column.run;
  const ti = q.task ? column.tasks.find((t) => t.taskId === q.task) : undefined;
  const last = tries.at(-1);
  const runLinks = h`<p><a href="${runUrl(dag.id, run.runId)}">Run details and Gantt</a> · <a href="${graphUrl(dag.id, run.runId)}">Graph</a></p>`;
  if (!ti) {
    return h`<aside class="details" aria-label="Selected run"><h2>Run ${dateLabel(run.logicalDate)}</h2>
<p><span class="badge ${stateClass(run.state)}">${run.state}</span> ${run.runId}</p>${runLinks}</aside>`;
  }
  const error = last?.errorMessage
    ? h`<div class="error-box"><p><strong>${last.errorName ?? 'Error'}</strong>: ${last.errorMessage}</p>
${last.errorStack ? h`<pre class="stack" tabindex="0" aria-label="Stack trace">${last.errorStack}</pre>` : ''}</div>`
    : '';
  return h`<aside class="details" aria-label="Selected task instance">
<h2>${ti.taskId} <span class="muted">${dateLabel(run.logicalDate)}</span></h2>
<table class="kv"><tbody>
<tr><th scope="row">State</th><td><span class="badge ${stateClass(ti.state)}">${STATE_LOOK[ti.state].glyph} ${ti.state}</span></td></tr>
<tr><th scope="row">Try</th><td>${ti.tryNumber} of ${ti.maxTries || '-'}</td></tr>
<tr><th scope="row">Started</th><td>${formatInstant(ti.startedAt)}</td></tr>
<tr><th scope="row">Duration</th><td>${formatDuration(ti.durationMs ?? elapsedMs(ti.startedAt, ti.endedAt, ctx.now()))}</td></tr>
</tbody></table>
${error}
<p><a href="${taskUrl(dag.id, run.runId, ti.taskId)}">Tries, log and output</a></p>
${runLinks}
</aside>`;
}
