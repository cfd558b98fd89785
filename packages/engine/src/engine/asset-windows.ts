import { consumersOf, partitionsOf } from '../model/partition-window.js';
import type { ParsedSchedule } from '../model/schedule.js';
import { isFinalRunState } from '../model/states.js';
import type { AssetEventRecord, DagRunRecord } from '../store/records.js';
import type { RunStore } from '../store/run-store.js';

type AssetsSchedule = Extract<ParsedSchedule, { kind: 'assets' }>;

/** What to do with an asset-scheduled DAG for one logical date. */
export type AssetRunDecision = 'create' | 'requeue' | 'none';

/**
 * The rule for asset-triggered runs, given the events of every partition the run for `date` reads: due once
 * every asset has an event for `date` itself; a new run when the date has none, the run queued again when it
 * is finished (succeeded or failed) and its last execution started before the newest event of its windows:
 * a run that was already going when a partition landed may have read that partition before it did. A failed
 * consumer is not retried without new data, and an unfinished one is left to whoever runs it (who looks
 * again when it ends).
 */
export function assetRunDecision(
  schedule: AssetsSchedule,
  date: string,
  windowEvents: readonly AssetEventRecord[],
  existing: Pick<DagRunRecord, 'state' | 'startedAt'> | undefined,
): { decision: AssetRunDecision; newest: string } {
  for (const asset of schedule.assets) {
    if (!windowEvents.some((e) => e.asset === asset && e.logicalDate === date))
      return { decision: 'none', newest: '' };
  }
  let newest = '';
  for (const e of windowEvents) if (e.createdAt > newest) newest = e.createdAt;
  if (!existing) return { decision: 'create', newest };
  if (isFinalRunState(existing.state) && (existing.startedAt ?? '') < newest)
    return { decision: 'requeue', newest };
  return { decision: 'none', newest };
}

/** The events of every partition the run for `date` reads, over all assets of the schedule. */
export async function windowEvents(
  store: RunStore,
  schedule: AssetsSchedule,
  date: string,
): Promise<AssetEventRecord[]> {
  const out: AssetEventRecord[] = [];
  for (const asset of schedule.assets) {
    const range = partitionsOf(new Date(date), schedule.windows.get(asset)!);
    out.push(...(await store.listAssetEventsBetween(asset, range.from, range.to!)));
  }
  return out;
}

/**
 * The consumer dates these events may make due, in order: each event's own date (where a run may be created)
 * and the dates of existing runs whose window holds the event's partition (which may need to run again).
 */
export async function candidateDates(
  store: RunStore,
  dagId: string,
  schedule: AssetsSchedule,
  events: readonly Pick<AssetEventRecord, 'asset' | 'logicalDate'>[],
): Promise<string[]> {
  const dates = new Set<string>();
  let runs: readonly DagRunRecord[] | undefined;
  for (const e of events) {
    const window = schedule.windows.get(e.asset);
    if (!window) continue;
    dates.add(e.logicalDate);
    if (window.from === 0 && window.to === 0) continue;
    runs ??= await store.listRuns(dagId);
    const range = consumersOf(new Date(e.logicalDate), window);
    for (const run of runs) {
      if (run.logicalDate >= range.from! && (range.to === null || run.logicalDate <= range.to))
        dates.add(run.logicalDate);
    }
  }
  return [...dates].sort();
}
