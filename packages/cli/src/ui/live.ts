import { createHash } from 'node:crypto';
import type { DagRunRecord, RunStore, TaskGridRun, TaskInstanceRecord } from '@streampro/engine';

/** Runs at the head of a DAG's history a live view watches (new runs appear there). */
export const LIVE_WINDOW = 10;

const active = (run: DagRunRecord): boolean => run.state === 'queued' || run.state === 'running';

/**
 * A digest of what a live grid shows that can still change: the states of the newest runs, and the task
 * instances of the active ones. Equal digests: nothing to redraw.
 */
export function liveDigest(
  runs: readonly DagRunRecord[],
  tasksOf: (run: DagRunRecord) => readonly TaskInstanceRecord[],
): { digest: string; active: boolean } {
  const hash = createHash('sha1');
  let anyActive = false;
  for (const run of runs) {
    hash.update(`${run.runId}:${run.state}\n`);
    if (!active(run)) continue;
    anyActive = true;
    for (const t of tasksOf(run)) hash.update(`${t.taskId}:${t.state}:${t.tryNumber}\n`);
  }
  return { digest: hash.digest('base64url').slice(0, 16), active: anyActive };
}

/** The digest of a grid already read (newest runs first). */
export function gridDigest(grid: readonly TaskGridRun[]): { digest: string; active: boolean } {
  const head = grid.slice(0, LIVE_WINDOW);
  const byRun = new Map(head.map((c) => [c.run.runId, c.tasks]));
  return liveDigest(
    head.map((c) => c.run),
    (r) => byRun.get(r.runId) ?? [],
  );
}

/** The same digest read from the store: one query, plus one per active run. */
export async function storeDigest(
  store: RunStore,
  dagId: string,
): Promise<{ digest: string; active: boolean }> {
  const runs = await store.listRuns(dagId, { limit: LIVE_WINDOW });
  const tasks = new Map<string, TaskInstanceRecord[]>();
  await Promise.all(
    runs.filter(active).map(async (r) => tasks.set(r.runId, await store.listTaskInstances(dagId, r.runId))),
  );
  return liveDigest(runs, (r) => tasks.get(r.runId) ?? []);
}
