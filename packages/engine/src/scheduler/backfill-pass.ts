import type { Engine } from '../engine/engine.js';
import type { Dag } from '../model/dag.js';
import { isFinalRunState } from '../model/states.js';
import type { BackfillDateRecord, BackfillRecord } from '../store/backfill-records.js';
import type { DagRunRecord } from '../store/records.js';
import { logicalDateLabel } from '../time/dates.js';

/** What one pass did for one backfill. */
export type BackfillStep =
  | { readonly type: 'date-started'; readonly backfill: BackfillRecord; readonly date: BackfillDateRecord }
  | { readonly type: 'completed'; readonly backfill: BackfillRecord };

/**
 * Advances one backfill by one pass. Running: claims its next dates (in its order) while fewer than its
 * `maxActiveRuns` runs are queued or running, and for each creates the run (`run`), queues the existing
 * one again (`rerun`) or lets the queue execute it (`resume`); marks it done once every date has a
 * finished run. Cancelled: fails the runs it has still queued, complete once none is queued or running.
 * Paused: nothing (its queued runs wait: the caller does not start them). A claim is taken once across
 * schedulers; a claimed date whose run is missing, or not re-queued, is repaired on a later pass (its
 * scheduler died in between).
 */
export async function advanceBackfill(
  engine: Engine,
  dag: Dag,
  backfill: BackfillRecord,
  now: string,
): Promise<BackfillStep[]> {
  if (backfill.state === 'cancelled') {
    const left = await engine.failQueuedRunsOfBackfill(backfill);
    if (left > 0) return [];
    const completed = await engine.store.setBackfillState(backfill.id, 'cancelled', now, ['cancelled'], now);
    return completed ? [{ type: 'completed', backfill: completed }] : [];
  }
  if (backfill.state !== 'running') return [];
  const dates = await engine.store.listBackfillDates(backfill.id);
  const runs = new Map((await engine.store.listRuns(dag.id)).map((r) => [r.logicalDate, r]));
  const steps: BackfillStep[] = [];
  let active = 0;
  for (const date of dates) {
    if (date.claimedAt === null) continue;
    const run = runs.get(date.logicalDate);
    const repaired = await repair(engine, dag, backfill, date, run);
    if (repaired) runs.set(date.logicalDate, repaired);
    const state = (repaired ?? run)?.state;
    if (state === 'queued' || state === 'running') active++;
  }
  for (const date of dates) {
    if (active >= backfill.maxActiveRuns) break;
    if (date.claimedAt !== null || date.action === 'skip') continue;
    const runId =
      runs.get(date.logicalDate)?.runId ?? `backfill__${logicalDateLabel(new Date(date.logicalDate))}`;
    if (!(await engine.store.claimBackfillDate(backfill.id, date.logicalDate, runId, now))) continue;
    const claimed = { ...date, runId, claimedAt: now };
    const run = await start(engine, dag, backfill, claimed, runs.get(date.logicalDate));
    if (run) runs.set(date.logicalDate, run);
    active++;
    steps.push({ type: 'date-started', backfill, date: claimed });
  }
  const finished = dates.every((d) => {
    if (d.action === 'skip') return true;
    const run = runs.get(d.logicalDate);
    const claimed =
      d.claimedAt !== null ||
      steps.some((s) => s.type === 'date-started' && s.date.logicalDate === d.logicalDate);
    return (
      claimed && run !== undefined && isFinalRunState(run.state) && !(d.action === 'rerun' && stale(run, d))
    );
  });
  if (finished) {
    const done = await engine.store.setBackfillState(backfill.id, 'done', now, ['running'], now);
    if (done) steps.push({ type: 'completed', backfill: done });
  }
  return steps;
}

/** A re-processed date whose run still ended before the claim: it was never queued again. */
const stale = (run: DagRunRecord, date: BackfillDateRecord): boolean =>
  (run.endedAt ?? '') < (date.claimedAt ?? '');

async function start(
  engine: Engine,
  dag: Dag,
  backfill: BackfillRecord,
  date: BackfillDateRecord,
  existing: DagRunRecord | undefined,
): Promise<DagRunRecord | undefined> {
  if (date.action === 'run' || !existing) {
    const { run } = await engine.trigger(dag, {
      logicalDate: date.logicalDate,
      runType: 'backfill',
      params: backfill.params,
    });
    return run;
  }
  if (date.action === 'rerun' && isFinalRunState(existing.state)) {
    await engine.requeueRun(dag, existing.runId, {
      endedBefore: date.claimedAt!,
      onlyFailed: backfill.reprocess === 'failed',
    });
    return engine.store.getRun(dag.id, existing.runId);
  }
  return existing;
}

/** A claimed date whose work did not happen (its scheduler died between the claim and the run). */
async function repair(
  engine: Engine,
  dag: Dag,
  backfill: BackfillRecord,
  date: BackfillDateRecord,
  run: DagRunRecord | undefined,
): Promise<DagRunRecord | undefined> {
  if (!run || (date.action === 'rerun' && isFinalRunState(run.state) && stale(run, date))) {
    return start(engine, dag, backfill, date, run);
  }
  return undefined;
}
