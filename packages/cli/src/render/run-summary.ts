import type { RunSummary } from '@streampro/engine';
import { dateLabel } from '../parse/dates.js';
import { type Palette, stateColor } from './colors.js';
import { displayPath } from './paths.js';
import { formatDuration, renderTable } from './table.js';

/** Header line and task table of a run; failed tasks show the log of their last try. */
export function renderRunSummary(run: RunSummary, p: Palette, cwd: string): string {
  const header = `${p.bold(run.dagId)} ${dateLabel(run.logicalDate)} (${run.runId}): ${stateColor(p, run.state)(run.state)}`;
  const rows = run.tasks.map((t) => [
    t.taskId,
    stateColor(p, t.state)(t.state),
    String(t.tryNumber),
    formatDuration(t.durationMs),
    t.state === 'failed' && t.logPath ? displayPath(cwd, t.logPath) : '',
  ]);
  const errors = run.tasks
    .filter((t) => t.state === 'failed' && t.error)
    .map((t) => `${p.red('failed')} ${t.taskId}: ${t.error}`);
  return [header, renderTable(['task', 'state', 'tries', 'duration', 'log (failed)'], rows), ...errors].join(
    '\n',
  );
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
