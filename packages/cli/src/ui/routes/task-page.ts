import type { Dag, DagRunRecord, TaskInstanceRecord, TryRecord } from '@streampro/engine';
import { dateLabel } from '../../parse/dates.js';
import { displayPath } from '../../render/paths.js';
import type { UiContext } from '../context.js';
import { elapsedMs, formatDuration, formatInstant } from '../format.js';
import { type Html, h, query } from '../html.js';
import { actionForm, page } from '../layout.js';
import { graphUrl, gridUrl, runUrl, taskUrl } from '../links.js';
import {
  type LogLevelFilter,
  levelShown,
  lineRow,
  matches,
  type ParsedLine,
  parseLine,
  readLog,
} from '../log-view.js';
import { STATE_LOOK, stateClass } from '../states.js';

/** Lines a page of the log shows; a search shows at most MAX_MATCHES matches from the whole file. */
export const LOG_PAGE = 500;
export const MAX_MATCHES = 1000;
/** Levels the filter offers (everything else is shown under "all levels"). */
const FILTER_LEVELS = ['debug', 'info', 'warn', 'error'] as const satisfies readonly LogLevelFilter[];

export interface LogQuery {
  readonly tryNumber: number | undefined;
  readonly level: LogLevelFilter;
  readonly q: string;
  readonly wrap: boolean;
  /** First line shown (1-based); undefined: the start, or the tail while the try runs. */
  readonly from: number | undefined;
  readonly follow: boolean;
}

export function parseLogQuery(get: (name: string) => string | undefined): LogQuery {
  const tryNumber = Number(get('try'));
  const from = Number(get('from'));
  const level = get('level') ?? '';
  return {
    tryNumber: Number.isInteger(tryNumber) && tryNumber > 0 ? tryNumber : undefined,
    level: (FILTER_LEVELS as readonly string[]).includes(level) ? (level as LogLevelFilter) : 'silly',
    q: (get('q') ?? '').slice(0, 200),
    wrap: get('wrap') !== '0',
    from: Number.isInteger(from) && from > 0 ? from : undefined,
    follow: get('follow') !== '0',
  };
}

export interface TaskData {
  readonly run: DagRunRecord;
  readonly ti: TaskInstanceRecord;
  readonly tries: readonly TryRecord[];
}

/** The run, the task instance and its tries: three small queries. */
export async function loadTask(
  ctx: UiContext,
  dag: Dag,
  runId: string,
  taskId: string,
): Promise<TaskData | undefined> {
  const store = ctx.engine.store;
  const [run, tis, tries] = await Promise.all([
    store.getRun(dag.id, runId),
    store.listTaskInstances(dag.id, runId),
    store.listTries(dag.id, runId, taskId),
  ]);
  const ti = tis.find((t) => t.taskId === taskId);
  return run && ti ? { run, ti, tries } : undefined;
}

/** Every try of a task instance, its log (filtered and searched server-side), output and commands. */
export async function taskPage(
  ctx: UiContext,
  dag: Dag,
  data: TaskData,
  lq: LogQuery,
  csrf: string,
): Promise<Html> {
  const { run, ti, tries } = data;
  const date = dateLabel(run.logicalDate) ?? run.logicalDate;
  const shown = tries.find((t) => t.tryNumber === lq.tryNumber) ?? tries.at(-1);
  const base = taskUrl(dag.id, run.runId, ti.taskId);
  const clear = actionForm(
    `${base}/clear`,
    csrf,
    h`<label><input type="checkbox" name="downstream" value="1"> and downstream</label>
<button type="submit">Clear</button>`,
    `Clear ${ti.taskId}`,
  );
  const commands = [
    `dag clear ${dag.id} --date ${date} --task ${ti.taskId} --yes`,
    `dag run ${dag.id} --date ${date} --task ${ti.taskId}`,
  ];
  const body = h`<h1>${ti.taskId} <span class="muted">${date}</span> <span class="badge ${stateClass(ti.state)}">${STATE_LOOK[ti.state].glyph} ${ti.state}</span></h1>
<p><a href="${gridUrl(dag.id)}${query({ run: run.runId, task: ti.taskId })}">Grid</a> · <a href="${runUrl(dag.id, run.runId)}">Run ${run.runId}</a> · <a href="${graphUrl(dag.id, run.runId)}">Graph</a></p>
<h2>Tries</h2>
${triesTable(ctx, tries, base, lq, shown)}
<h2>Actions</h2>
<div class="toolbar">${clear}</div>
${commands.map((c) => h`<div class="copy"><code>${c}</code><button type="button" data-copy="${c}" aria-label="Copy: ${c}">Copy</button></div>`)}
<h2>Output</h2>
${ti.output === null || ti.output === undefined ? h`<p class="muted">No output.</p>` : h`<pre tabindex="0" aria-label="Output JSON">${JSON.stringify(ti.output, null, 2)}</pre>`}
<h2 id="log-title">Log</h2>
${shown ? await logSection(shown, base, lq, displayPath(ctx.cwd, shown.logPath)) : h`<p class="muted">No try yet.</p>`}`;
  return page({
    title: `${ti.taskId} ${date}`,
    section: 'dags',
    crumbs: [
      { href: '/', label: 'DAGs' },
      { href: gridUrl(dag.id), label: dag.id },
      { href: runUrl(dag.id, run.runId), label: run.runId },
      { label: ti.taskId },
    ],
    body,
  });
}

function triesTable(
  ctx: UiContext,
  tries: readonly TryRecord[],
  base: string,
  lq: LogQuery,
  shown: TryRecord | undefined,
): Html {
  if (tries.length === 0) return h`<p class="muted">No try yet.</p>`;
  const rows = tries.map(
    (t) => h`<tr${t === shown ? h` aria-current="true"` : ''}>
<td><a href="${base}${query({ try: t.tryNumber, level: lq.level === 'silly' ? undefined : lq.level })}#log-title">try ${t.tryNumber}</a></td>
<td><span class="badge ${stateClass(t.state)}">${t.state}</span></td>
<td>${t.host}</td><td>${t.pid}</td>
<td>${formatInstant(t.startedAt)}</td><td>${formatInstant(t.endedAt)}</td>
<td>${formatDuration(t.durationMs ?? elapsedMs(t.startedAt, t.endedAt, ctx.now()))}</td>
<td>${t.errorMessage ? h`<div class="try-error"><strong>${t.errorName ?? 'Error'}</strong>: ${t.errorMessage}</div>${t.errorStack ? h`<details><summary>Stack</summary><pre tabindex="0">${t.errorStack}</pre></details>` : ''}` : ''}</td>
</tr>`,
  );
  return h`<table class="tries"><thead><tr><th scope="col">Try</th><th scope="col">State</th><th scope="col">Host</th><th scope="col">PID</th><th scope="col">Started</th><th scope="col">Ended</th><th scope="col">Duration</th><th scope="col">Error</th></tr></thead><tbody>${rows}</tbody></table>`;
}

async function logSection(t: TryRecord, base: string, lq: LogQuery, shownPath: string): Promise<Html> {
  const read = await readLog(t.logPath, t);
  const tryQuery = { try: t.tryNumber, level: lq.level === 'silly' ? undefined : lq.level };
  const running = t.state === 'running';
  const toolbar = h`<form method="get" action="${base}" class="toolbar" aria-label="Log filters" hx-target="#log" hx-select="#log" hx-swap="outerHTML">
<input type="hidden" name="try" value="${t.tryNumber}">
<label for="level">Level</label>
<select id="level" name="level"><option value="">all levels</option>${FILTER_LEVELS.map((l) => h`<option value="${l}"${lq.level === l ? h` selected` : ''}>${l} and above</option>`)}</select>
<label for="q">Search the whole log</label><input id="q" name="q" type="search" value="${lq.q}">
<label><input type="checkbox" name="wrap" value="1"${lq.wrap ? h` checked` : ''}> wrap lines</label><input type="hidden" name="wrap" value="0">
<button type="submit">Apply</button>
<a class="button" href="${base}/log.raw${query({ try: t.tryNumber })}" download hx-boost="false">Download raw</a>
</form>`;
  if (!read) {
    return h`${toolbar}<div id="log"><p>The log file <code>${shownPath}</code> is not on this machine.</p></div>`;
  }
  const parsed = read.lines
    .map((text, i) => parseLine(i + 1, text))
    .filter((l) => levelShown(l.level, lq.level));
  let lines: ParsedLine[];
  let summary: Html;
  if (lq.q) {
    const found = parsed.filter((l) => matches(l, lq.q));
    lines = found.slice(0, MAX_MATCHES);
    summary = h`${found.length} line(s) of ${read.lines.length} match “${lq.q}”${found.length > MAX_MATCHES ? h`; the first ${MAX_MATCHES} are shown` : ''}.`;
  } else {
    const start =
      lq.from !== undefined
        ? Math.max(
            0,
            parsed.findIndex((l) => l.n >= lq.from!),
          )
        : running
          ? Math.max(0, parsed.length - LOG_PAGE)
          : 0;
    lines = parsed.slice(start, start + LOG_PAGE);
    const first = lines[0]?.n ?? 0;
    const last = lines.at(-1)?.n ?? 0;
    const prev = parsed[Math.max(0, start - LOG_PAGE)];
    const next = parsed[start + LOG_PAGE];
    summary = h`Lines ${first}–${last} of ${read.lines.length}${parsed.length !== read.lines.length ? h` (${parsed.length} at this level)` : ''}.
${start > 0 && prev ? h` <a href="${base}${query({ ...tryQuery, from: prev.n })}#log-title">Earlier lines</a>` : ''}
${next ? h` <a href="${base}${query({ ...tryQuery, from: next.n })}#log-title">Later lines</a>` : ''}`;
  }
  const follow =
    running && lq.follow && !lq.q
      ? `${base}/log/stream${query({ try: t.tryNumber, offset: read.bytes, line: read.lines.length + 1, level: tryQuery.level })}`
      : undefined;
  const followControls = running
    ? h`<p><span id="follow-status" role="status">${follow ? 'following the running try' : 'not following'}</span> · <a href="${base}${query({ ...tryQuery, follow: follow ? 0 : undefined })}#log-title">${follow ? 'Stop following' : 'Follow'}</a></p>`
    : '';
  return h`${toolbar}
<div id="log">
<p class="muted">${summary} <code>${shownPath}</code></p>
${followControls}
<table class="log${lq.wrap ? '' : ' nowrap'}" aria-labelledby="log-title">
<thead><tr><th scope="col">#</th><th scope="col">Time</th><th scope="col">Level</th><th scope="col">Message</th></tr></thead>
<tbody id="log-lines"${follow ? h` data-follow="${follow}"` : ''}>${lines.map((l) => lineRow(l, lq.q))}</tbody>
</table>
</div>`;
}
