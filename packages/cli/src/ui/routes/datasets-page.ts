import { dateLabel } from '../../parse/dates.js';
import type { UiContext } from '../context.js';
import { type Html, h } from '../html.js';
import { page } from '../layout.js';
import { taskUrl } from '../links.js';

/** Runs per DAG the datasets view reads. */
export const DATASET_RUNS = 30;

/** The counts a validating task (StreamPro's `<dataset>.trusted`, `toParquet`) returns as its output. */
interface RowCounts {
  readonly rowsRead: number;
  readonly rowsWritten: number;
  readonly rowsRejected: number;
  readonly duplicatesDropped: number | undefined;
}

function countsOf(output: unknown): RowCounts | undefined {
  if (typeof output !== 'object' || output === null) return undefined;
  const o = output as Record<string, unknown>;
  const n = (k: string): number | undefined => (typeof o[k] === 'number' ? (o[k] as number) : undefined);
  const read = n('rowsRead');
  const written = n('rowsWritten');
  if (read === undefined || written === undefined) return undefined;
  return {
    rowsRead: read,
    rowsWritten: written,
    rowsRejected: n('rowsRejected') ?? 0,
    duplicatesDropped: n('duplicatesDropped'),
  };
}

/**
 * StreamPro's own view: rows read, written and quarantined per dataset and date, from the outputs of the
 * tasks that report them. One grid query per DAG.
 */
export async function datasetsPage(ctx: UiContext): Promise<Html> {
  const loaded = await ctx.dags();
  const rows: Html[] = [];
  for (const dag of [...loaded.dags.values()].sort((a, b) => a.id.localeCompare(b.id))) {
    const grid = await ctx.engine.store.listTaskGrid(dag.id, { limit: DATASET_RUNS });
    for (const column of grid) {
      for (const ti of column.tasks) {
        const c = countsOf(ti.output);
        if (!c) continue;
        const dataset = dag.getTask(ti.taskId)?.group ?? ti.taskId;
        rows.push(h`<tr><th scope="row">${dataset}</th><td>${dateLabel(column.run.logicalDate)}</td><td>${dag.id}</td>
<td class="num">${c.rowsRead}</td><td class="num">${c.rowsWritten}</td><td class="num">${c.rowsRejected}</td><td class="num">${c.duplicatesDropped ?? '-'}</td>
<td><a href="${taskUrl(dag.id, column.run.runId, ti.taskId)}">${ti.taskId}</a></td></tr>`);
      }
    }
  }
  return page({
    title: 'Datasets',
    section: 'datasets',
    body: h`<h1>Datasets</h1>
<p class="muted">Rows each validating task read, wrote to trusted and quarantined, per dataset and logical date (newest ${DATASET_RUNS} runs of each DAG).</p>
${rows.length ? h`<table class="datasets"><thead><tr><th scope="col">Dataset</th><th scope="col">Date</th><th scope="col">DAG</th><th scope="col">Read</th><th scope="col">Written</th><th scope="col">Quarantined</th><th scope="col">Duplicates</th><th scope="col">Task</th></tr></thead><tbody>${rows}</tbody></table>` : h`<p>No task reported row counts yet.</p>`}`,
  });
}
