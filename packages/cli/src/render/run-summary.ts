import type { RunSummary } from '@streampro/engine';
import { dateLabel } from '../parse/dates.js';
import { type Palette, stateColor } from './colors.js';
import { displayPath } from './paths.js';
import { formatDuration, renderTable, tableWidth } from './table.js';

/** Header line and task table of a run; failed tasks show the log of their last try. */
/**
 * Header line and task table of a run; failed tasks show the log of their last try. `width`: the terminal's
 * columns, when printing to one: the table then fits it, and when it is too narrow for the log column the
 * log paths go under the table, with the errors.
 */
export function renderRunSummary(run: RunSummary, p: Palette, cwd: string, width?: number): string {
  const header = `${p.bold(run.dagId)} ${dateLabel(run.logicalDate)} (${run.runId}): ${stateColor(p, run.state)(run.state)}`;
  const logOf = (t: RunSummary['tasks'][number]): string =>
    t.state === 'failed' && t.logPath ? displayPath(cwd, t.logPath) : '';
  const cells = (t: RunSummary['tasks'][number]): string[] => [
    t.taskId,
    stateColor(p, t.state)(t.state),
    String(t.tryNumber),
    formatDuration(t.durationMs),
  ];
  const head = ['task', 'state', 'tries', 'duration'];
  const full = run.tasks.map((t) => [...cells(t), logOf(t)]);
  const withLogs = width === undefined || tableWidth([...head, 'log (failed)'], full) <= width;
  const table = withLogs
    ? renderTable([...head, 'log (failed)'], full, width)
    : renderTable(head, run.tasks.map(cells), width);
  const failed = run.tasks.filter((t) => t.state === 'failed');
  const errors = failed.flatMap((t) => [
    ...(t.error ? [`${p.red('failed')} ${t.taskId}: ${t.error}`] : []),
    ...(!withLogs && logOf(t) ? [`  log: ${logOf(t)}`] : []),
  ]);
  return [header, table, ...errors].join('\n');
}

/**
 * A task may hand a human-readable result to the terminal by returning an output with a string `summary`
 * field (e.g. the answers of an analytics DAG); those are printed after a successful run.
 */
export function outputSummaries(run: RunSummary): string[] {
  const out: string[] = [];
  for (const t of run.tasks) {
    const o = t.output;
    if (typeof o === 'object' && o !== null && typeof (o as { summary?: unknown }).summary === 'string') {
      out.push((o as { summary: string }).summary);
    }
  }
  return out;
}
