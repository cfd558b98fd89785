import type { Engine } from '../engine/engine.js';
import type { Dag } from '../model/dag.js';
import { isFinalRunState } from '../model/states.js';
import type { AssetEventRecord, DagRunRecord } from '../store/records.js';

/** What the scheduler does for an asset-scheduled DAG and one logical date. */
export type AssetRunDecision = 'create' | 'requeue' | 'none';

/**
 * The rule for asset-triggered runs: due once every asset of the schedule has an event for the date (from
 * a producer run that succeeded); a new run when the date has none, the run queued again when it ended
 * (succeeded or failed) before the newest of those events. A failed consumer is not retried without new
 * data, and an unfinished one is left to the scheduler's queue.
 */
export function assetRunDecision(
  assets: readonly string[],
  settledEvents: readonly AssetEventRecord[],
  existing: Pick<DagRunRecord, 'state' | 'endedAt'> | undefined,
): { decision: AssetRunDecision; newest: string } {
  let newest = '';
  for (const asset of assets) {
    const times = settledEvents.filter((e) => e.asset === asset).map((e) => e.createdAt);
    if (times.length === 0) return { decision: 'none', newest: '' };
    for (const t of times) if (t > newest) newest = t;
  }
  if (!existing) return { decision: 'create', newest };
  if (isFinalRunState(existing.state) && (existing.endedAt ?? '') < newest)
    return { decision: 'requeue', newest };
  return { decision: 'none', newest };
}

export interface AssetPassResult {
  readonly created: readonly DagRunRecord[];
  readonly requeued: readonly DagRunRecord[];
  /**
   * Where the next pass may start reading events: before the oldest event whose producer run has not
   * finished yet (it counts once that run succeeds), else the newest event read.
   */
  readonly nextSince: string | null;
}

/**
 * Creates or re-queues the asset-triggered runs that events recorded since `since` make due, whoever
 * produced them (this scheduler, `dag run` or another machine). Idempotent: reading an event twice
 * changes nothing, so passes may overlap.
 */
export async function createAssetRuns(
  engine: Engine,
  dags: readonly Dag[],
  since: string,
): Promise<AssetPassResult> {
  const consumers = dags.filter((d) => d.parsedSchedule.kind === 'assets');
  const events = await engine.store.listAssetEventsSince(since);
  const created: DagRunRecord[] = [];
  const requeued: DagRunRecord[] = [];
  if (events.length === 0) return { created, requeued, nextSince: null };
  const producerRuns = new Map<string, DagRunRecord | undefined>();
  const producerRun = async (e: AssetEventRecord): Promise<DagRunRecord | undefined> => {
    const key = `${e.dagId}\u0000${e.runId}`;
    if (!producerRuns.has(key)) producerRuns.set(key, await engine.store.getRun(e.dagId, e.runId));
    return producerRuns.get(key);
  };
  let unsettled: string | null = null;
  for (const e of events) {
    const run = await producerRun(e);
    if (run && !isFinalRunState(run.state) && (unsettled === null || e.createdAt < unsettled))
      unsettled = e.createdAt;
  }
  for (const dag of consumers) {
    const schedule = dag.parsedSchedule;
    if (schedule.kind !== 'assets') continue;
    const dates = [
      ...new Set(events.filter((e) => schedule.assets.includes(e.asset)).map((e) => e.logicalDate)),
    ];
    for (const date of dates.sort()) {
      const settled: AssetEventRecord[] = [];
      for (const asset of schedule.assets) {
        for (const e of await engine.store.listAssetEvents(asset, date)) {
          if ((await producerRun(e))?.state === 'success') settled.push(e);
        }
      }
      const existing = await engine.store.findRunByLogicalDate(dag.id, date);
      const { decision, newest } = assetRunDecision(schedule.assets, settled, existing);
      if (decision === 'create') {
        const { run, created: isNew } = await engine.trigger(dag, {
          logicalDate: date,
          runType: 'asset_triggered',
        });
        if (isNew) created.push(run);
      } else if (decision === 'requeue' && existing) {
        if (await engine.requeueRun(dag, existing.runId, { endedBefore: newest })) requeued.push(existing);
      }
    }
  }
  return { created, requeued, nextSince: unsettled ?? events.at(-1)!.createdAt };
}
