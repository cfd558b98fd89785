import { type DagRunRecord, describeSchedule, logicalDateLabel } from '@streampro/engine';
import { dateLabel } from '../../parse/dates.js';
import { displayPath } from '../../render/paths.js';
import type { UiContext } from '../context.js';
import { formatInstant } from '../format.js';
import { type Html, h } from '../html.js';
import { actionForm, page } from '../layout.js';
import { durationsUrl, gridUrl, runUrl } from '../links.js';
import { nextRun } from '../next-run.js';
import { STATE_LOOK, stateClass } from '../states.js';

/** Squares of the newest runs each DAG shows. */
export const RECENT_RUNS = 14;

/** What an action redirected here says it did (codes, so no text from the URL is shown as a message). */
export interface DagsNotice {
  readonly kind: string | undefined;
  readonly dagId: string | undefined;
  readonly runId: string | undefined;
}

/** Every DAG with schedule, paused state, next run and its last runs; broken DAG files above. Two queries. */
export async function dagsPage(ctx: UiContext, csrf: string, notice: DagsNotice): Promise<Html> {
  const loaded = await ctx.dags();
  const store = ctx.engine.store;
  const [states, latest] = await Promise.all([store.listDagStates(), store.listLatestRuns(RECENT_RUNS)]);
  const paused = new Map(states.map((s) => [s.dagId, s.paused]));
  const runsOf = new Map<string, DagRunRecord[]>();
  for (const run of latest) runsOf.set(run.dagId, [...(runsOf.get(run.dagId) ?? []), run]);
  const now = ctx.now();
  const dags = [...loaded.dags.values()].sort((a, b) => a.id.localeCompare(b.id));
  const rows = dags.map((dag) => {
    const runs = runsOf.get(dag.id) ?? [];
    const isPaused = paused.get(dag.id) ?? dag.pausedOnCreation;
    const next = nextRun(dag, runs[0], isPaused, now);
    const squares = [...runs].reverse().map((r) => {
      const label = `${dateLabel(r.logicalDate)}: ${STATE_LOOK[r.state].label}`;
      return h`<a class="sq ${stateClass(r.state)}" href="${runUrl(dag.id, r.runId)}" aria-label="${label}" title="${label}">${STATE_LOOK[r.state].glyph}</a>`;
    });
    const toggle = actionForm(
      `/dags/${encodeURIComponent(dag.id)}/${isPaused ? 'unpause' : 'pause'}`,
      csrf,
      h`<button type="submit">${isPaused ? 'Unpause' : 'Pause'}</button>`,
      `${isPaused ? 'Unpause' : 'Pause'} ${dag.id}`,
    );
    const trigger = actionForm(
      `/dags/${encodeURIComponent(dag.id)}/trigger`,
      csrf,
      h`<label class="visually-hidden" for="date-${dag.id}">Logical date for ${dag.id}</label>
<input id="date-${dag.id}" name="date" placeholder="YYYY-MM-DD" size="11">
<button type="submit" class="primary">Trigger</button>`,
      `Trigger ${dag.id}`,
    );
    return h`<tr data-dag="${dag.id}">
<th scope="row"><a href="${gridUrl(dag.id)}">${dag.id}</a><div class="muted">${dag.description}</div></th>
<td>${describeSchedule(dag.schedule)}</td>
<td>${isPaused ? 'yes' : 'no'}</td>
<td>${next.kind === 'scheduled' ? h`${logicalDateLabel(next.logicalDate)}<div class="muted">due ${formatInstant(next.dueAt.toISOString())}</div>` : h`<span class="muted">${next.reason}</span>`}</td>
<td><div class="squares">${squares.length ? squares : h`<span class="muted">no runs</span>`}</div></td>
<td>${toggle} ${trigger} <a href="${durationsUrl(dag.id)}">Durations</a></td>
</tr>`;
  });
  const broken = loaded.broken.length
    ? h`<section class="banner" role="alert" aria-labelledby="broken-title">
<h2 id="broken-title">${loaded.broken.length} broken DAG file(s)</h2>
<ul>${loaded.broken.map((b) => h`<li><code>${displayPath(ctx.cwd, b.path)}</code>: ${b.error}</li>`)}</ul>
</section>`
    : '';
  return page({
    title: 'DAGs',
    section: 'dags',
    body: h`<h1>DAGs</h1>
${noticeBox(notice)}
${broken}
<table class="dags">
<caption class="visually-hidden">DAGs of ${displayPath(ctx.cwd, loaded.folder)}</caption>
<thead><tr><th scope="col">DAG</th><th scope="col">Schedule</th><th scope="col">Paused</th><th scope="col">Next run</th><th scope="col">Last ${RECENT_RUNS} runs</th><th scope="col">Actions</th></tr></thead>
<tbody>${rows}</tbody>
</table>
${dags.length === 0 ? h`<p>No DAG in ${displayPath(ctx.cwd, loaded.folder)}.</p>` : ''}`,
  });
}

function noticeBox(n: DagsNotice): Html | string {
  if (!n.kind || !n.dagId) return '';
  const text =
    n.kind === 'triggered'
      ? h`Queued run <a href="${runUrl(n.dagId, n.runId ?? '')}">${n.runId}</a> of ${n.dagId} for the scheduler.`
      : n.kind === 'exists'
        ? h`${n.dagId} already has run <a href="${runUrl(n.dagId, n.runId ?? '')}">${n.runId}</a> for that date; nothing queued.`
        : n.kind === 'paused'
          ? h`${n.dagId} paused: the scheduler creates no new runs for it.`
          : n.kind === 'unpaused'
            ? h`${n.dagId} unpaused.`
            : '';
  return text ? h`<div class="notice" role="status">${text}</div>` : '';
}
