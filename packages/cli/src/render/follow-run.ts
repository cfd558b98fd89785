import { setTimeout as sleep } from 'node:timers/promises';
import { type Dag, type Engine, isFinalRunState, type RunSummary } from '@streampro/engine';
import type { LiveView } from './live-view.js';

/**
 * Follows a run another process executes (the scheduler) by reading the store every `everyMs`: each change
 * of the run's or a task's state reaches `view` as the engine event it stands for. Resolves with the run
 * once it is finished, or undefined when `signal` aborts first.
 */
export async function followRun(
  engine: Engine,
  dag: Dag,
  logicalDate: string,
  view: LiveView,
  signal: AbortSignal,
  everyMs = 250,
): Promise<RunSummary | undefined> {
  let runState = '';
  const tasks = new Map<string, string>();
  while (!signal.aborted) {
    const summary = await engine.status(dag, logicalDate);
    if (summary) {
      const at = new Date().toISOString();
      for (const t of summary.tasks) {
        const key = `${t.state} ${t.tryNumber}`;
        if (tasks.get(t.taskId) === key) continue;
        tasks.set(t.taskId, key);
        if (t.state === 'none') continue;
        view.onEvent({
          type: 'task-state',
          dagId: dag.id,
          runId: summary.runId,
          taskId: t.taskId,
          state: t.state,
          tryNumber: t.tryNumber,
          at,
          ...(t.error ? { error: t.error } : {}),
        });
      }
      if (summary.state !== runState) {
        runState = summary.state;
        view.onEvent({
          type: 'run-state',
          dagId: dag.id,
          runId: summary.runId,
          logicalDate,
          state: summary.state,
          at,
        });
      }
      if (isFinalRunState(summary.state)) return summary;
    }
    await sleep(everyMs, undefined, { signal }).catch(() => undefined);
  }
  return undefined;
}
