import type { Dag } from '../model/dag.js';
import { isFinalRunState } from '../model/states.js';
import type { RunStore } from '../store/run-store.js';
import type { DagRegistry } from './api-types.js';

/**
 * DAGs scheduled on assets that are due for `logicalDate` after `producer` updated some of them: every asset
 * of the consumer has an event for that date, and at least one event is newer than the consumer's last run.
 * A consumer whose run for that date is unfinished (queued or running: its process was killed or
 * interrupted) is always due, so running the producer again, even when it already succeeded, resumes it.
 */
export async function dueConsumers(
  store: RunStore,
  registry: DagRegistry,
  producer: Dag,
  logicalDate: string,
): Promise<Dag[]> {
  const updated = new Set(producer.outlets);
  const due: Dag[] = [];
  for (const dag of registry.all()) {
    const schedule = dag.parsedSchedule;
    if (dag.id === producer.id || schedule.kind !== 'assets') continue;
    if (!schedule.assets.some((a) => updated.has(a))) continue;
    const existing = await store.findRunByLogicalDate(dag.id, logicalDate);
    if (existing && !isFinalRunState(existing.state)) {
      due.push(dag);
      continue;
    }
    let newest = '';
    let complete = true;
    for (const asset of schedule.assets) {
      const events = await store.listAssetEvents(asset, logicalDate);
      if (events.length === 0) {
        complete = false;
        break;
      }
      for (const e of events) if (e.createdAt > newest) newest = e.createdAt;
    }
    if (!complete) continue;
    const stale = existing?.state !== 'success' || (existing.endedAt ?? '') < newest;
    if (stale) due.push(dag);
  }
  return due;
}
