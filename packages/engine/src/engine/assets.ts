import type { Dag } from '../model/dag.js';
import { isFinalRunState } from '../model/states.js';
import type { RunStore } from '../store/run-store.js';
import type { DagRegistry } from './api-types.js';
import { assetRunDecision, candidateDates, windowEvents } from './asset-windows.js';

/** A consumer DAG and the logical date it is due for. */
export interface DueConsumer {
  readonly dag: Dag;
  readonly logicalDate: string;
}

/**
 * Runs of DAGs scheduled on assets that are due after `producer` updated some of them for `logicalDate`: the
 * consumer for that date once every asset has an event for it, and each existing consumer run whose
 * partition window holds the date and that ended before the newest event of its windows. A consumer whose
 * run for `logicalDate` is unfinished (queued or running: its process was killed or interrupted) is always
 * due, so running the producer again, even when it already succeeded, resumes it. In order of DAG, then date.
 */
export async function dueConsumers(
  store: RunStore,
  registry: DagRegistry,
  producer: Dag,
  logicalDate: string,
): Promise<DueConsumer[]> {
  const updated = producer.outlets.map((asset) => ({ asset, logicalDate }));
  const due: DueConsumer[] = [];
  for (const dag of registry.all()) {
    const schedule = dag.parsedSchedule;
    if (dag.id === producer.id || schedule.kind !== 'assets') continue;
    const mine = updated.filter((e) => schedule.windows.has(e.asset));
    if (mine.length === 0) continue;
    for (const date of await candidateDates(store, dag.id, schedule, mine)) {
      if (await consumerDue(store, dag, date, logicalDate)) due.push({ dag, logicalDate: date });
    }
  }
  return due;
}

/**
 * Whether the run of `dag` (asset-scheduled) for `date` is due after a producer run for `producerDate`: its
 * run for the producer's date is unfinished (resumed), or the asset rule says create or run again.
 */
export async function consumerDue(
  store: RunStore,
  dag: Dag,
  date: string,
  producerDate: string,
): Promise<boolean> {
  const schedule = dag.parsedSchedule;
  if (schedule.kind !== 'assets') return false;
  const existing = await store.findRunByLogicalDate(dag.id, date);
  // Resumed for the producer's own date; another date's unfinished run is left to whoever runs it.
  if (existing && !isFinalRunState(existing.state)) return date === producerDate;
  const events = await windowEvents(store, schedule, date);
  return assetRunDecision(schedule, date, events, existing).decision !== 'none';
}
