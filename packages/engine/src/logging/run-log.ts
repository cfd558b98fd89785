import path from 'node:path';
import type { TaskInstanceKey } from './logger.js';

/** The file name of a run's log segment: every line of every try of the run on one machine. */
export const RUN_LOG_FILE = 'tries.log';

/**
 * `<logs>/dag_id=<dag>/run_id=<run>/tries.log`: where the tries of a run write their lines on a machine.
 * Every line is a JSON object carrying its try's key (dagId, runId, taskId, tryNumber), so one file per run
 * holds every try's log without a folder and a file per try (which cost ≈ 1 ms each on this project's
 * machines, more than the rest of a short try); a try's log is the lines of its key, in order.
 */
export function runLogPath(logsDir: string, key: Pick<TaskInstanceKey, 'dagId' | 'runId'>): string {
  return path.join(logsDir, `dag_id=${key.dagId}`, `run_id=${key.runId}`, RUN_LOG_FILE);
}

/**
 * Whether a line of a log file belongs to a try. Lines without a key (a file of one try's lines written by
 * something else) belong to whoever reads the file; a line that is not JSON is kept too, rather than lost.
 */
export function isLineOf(line: string, key: TaskInstanceKey): boolean {
  // A cheap test first: a line of another task cannot contain this task's id as a JSON value.
  if (!line.includes(`"taskId":${JSON.stringify(key.taskId)}`)) {
    return !line.includes('"taskId":');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return true;
  }
  if (typeof parsed !== 'object' || parsed === null) return true;
  const o = parsed as Record<string, unknown>;
  return (
    o.taskId === key.taskId &&
    (o.tryNumber === undefined || o.tryNumber === key.tryNumber) &&
    (o.runId === undefined || o.runId === key.runId) &&
    (o.dagId === undefined || o.dagId === key.dagId)
  );
}

/** The lines of `text` (split on newlines, blank ones dropped) that belong to the try. */
export function linesOf(text: string, key: TaskInstanceKey): string[] {
  return text.split('\n').filter((line) => line.trim() !== '' && isLineOf(line, key));
}

/** `text` reduced to the try's lines, each ending in a newline (a torn last line is kept as it is). */
export function textOf(text: string, key: TaskInstanceKey): string {
  const lines = text.split('\n');
  const last = lines.pop() ?? '';
  let out = '';
  for (const line of lines) if (line.trim() !== '' && isLineOf(line, key)) out += `${line}\n`;
  if (last.trim() !== '' && isLineOf(last, key)) out += last;
  return out;
}
