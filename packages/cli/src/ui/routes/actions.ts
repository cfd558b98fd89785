import type { Dag, DagRunRecord } from '@streampro/engine';
import { scheduledInstantAtOrBefore } from '../../commands/trigger-date.js';
import { UsageError } from '../../errors.js';
import { checkScheduledDate, parseDateFlag } from '../../parse/dates.js';
import { parseParamFlags } from '../../parse/params.js';
import type { UiContext } from '../context.js';
import { query } from '../html.js';
import { gridUrl } from '../links.js';

/**
 * The actions, each the engine call its CLI command makes (`dag trigger`, `dag pause|unpause`,
 * `dag clear`): the interface never writes store rows itself. Each returns where to redirect.
 */

/** `dag trigger <dag> [--date D] [--param k=v ...]`: a queued run for the scheduler. */
export async function triggerAction(
  ctx: UiContext,
  dag: Dag,
  dateText: string,
  paramsText: string,
): Promise<string> {
  const given = dateText.trim() === '' ? undefined : parseDateFlag('date', dateText.trim());
  if (given) checkScheduledDate(dag, 'date', given, dateText.trim());
  const lines = paramsText
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const params = parseParamFlags(lines);
  const logicalDate = given ?? scheduledInstantAtOrBefore(dag, ctx.now());
  const { run, created } = await ctx.engine.trigger(dag, { logicalDate, params });
  return `/${query({ notice: created ? 'triggered' : 'exists', dag: dag.id, run: run.runId })}`;
}

/** `dag pause` / `dag unpause`. */
export async function pauseAction(ctx: UiContext, dag: Dag, paused: boolean): Promise<string> {
  await ctx.engine.store.setDagPaused(dag.id, paused, ctx.now().toISOString());
  return `/${query({ notice: paused ? 'paused' : 'unpaused', dag: dag.id })}`;
}

/** `dag clear <dag> --date D --task T [--downstream] --yes`: under the run's lease, through the engine. */
export async function clearAction(
  ctx: UiContext,
  dag: Dag,
  run: DagRunRecord,
  taskId: string,
  downstream: boolean,
): Promise<string> {
  if (!dag.getTask(taskId)) throw new UsageError(`unknown task '${taskId}' in DAG '${dag.id}'`);
  await ctx.engine.clear(dag, run.logicalDate, { tasks: [taskId], downstream });
  return `${gridUrl(dag.id)}${query({ run: run.runId, task: taskId })}`;
}
