import { assetRunDecision, candidateDates, windowEvents } from '../engine/asset-windows.js';
import type { Engine } from '../engine/engine.js';
import type { Dag } from '../model/dag.js';
import { isFinalRunState } from '../model/states.js';
import type { AssetEventRecord, DagRunRecord } from '../store/records.js';

export interface AssetPassResult {
  readonly created: readonly DagRunRecord[];
  readonly requeued: readonly DagRunRecord[];
  /**
   * Where the next pass may start reading events: before the oldest event whose producer run has not
   * finished yet (it counts once that run succeeds) or that a consumer run still going may have missed,
   * else the newest event read.
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
    for (const date of await candidateDates(engine.store, dag.id, schedule, events)) {
      // Only events of producer runs that succeeded count.
      const settled: AssetEventRecord[] = [];
      for (const e of await windowEvents(engine.store, schedule, date)) {
        if ((await producerRun(e))?.state === 'success') settled.push(e);
      }
      const existing = await engine.store.findRunByLogicalDate(dag.id, date);
      const { decision, newest } = assetRunDecision(schedule, date, settled, existing);
      if (decision === 'create') {
        const { run, created: isNew } = await engine.trigger(dag, {
          logicalDate: date,
          runType: 'asset_triggered',
        });
        if (isNew) created.push(run);
      } else if (decision === 'requeue' && existing) {
        if (await engine.requeueRun(dag, existing.runId, { startedBefore: newest })) requeued.push(existing);
      } else if (existing?.state === 'running') {
        // A run going on now (here or in any process) may have read its partitions before these events
        // landed: the cursor stays before them, so a later pass looks again once the run has ended (a
        // queued run reads them when it starts).
        for (const e of settled) {
          const missed = e.createdAt > since && e.createdAt > (existing.startedAt ?? '');
          if (missed && (unsettled === null || e.createdAt < unsettled)) unsettled = e.createdAt;
        }
      }
    }
  }
  return { created, requeued, nextSince: unsettled ?? events.at(-1)!.createdAt };
}
