import { type Dag, type DagRunRecord, dataIntervalOf, scheduledNeighbours } from '@streampro/engine';

/** What the DAG list says about a DAG's next run. */
export type NextRun =
  | { readonly kind: 'scheduled'; readonly logicalDate: Date; readonly dueAt: Date }
  | { readonly kind: 'none'; readonly reason: string };

/**
 * The next logical date the scheduler creates for a cron DAG: the instant after its newest run (the first
 * scheduled instant at or after the start date when it has none); without catchup, not older than the
 * newest interval that already ended. Due once its data interval ends.
 */
export function nextRun(dag: Dag, newest: DagRunRecord | undefined, paused: boolean, now: Date): NextRun {
  const schedule = dag.parsedSchedule;
  if (schedule.kind === 'none') return { kind: 'none', reason: 'manual runs only' };
  if (schedule.kind === 'assets') return { kind: 'none', reason: 'when its assets are updated' };
  if (schedule.kind === 'once') {
    return newest ? { kind: 'none', reason: 'ran once' } : due(dag, dag.startDate);
  }
  if (paused) return { kind: 'none', reason: 'paused' };
  const after = newest ? new Date(newest.logicalDate) : new Date(dag.startDate.getTime() - 1);
  let next = schedule.cron.nextRun(after);
  if (next && !dag.catchup) {
    // The newest instant whose interval has ended: the one before the last instant at or before now.
    const lastStarted = scheduledNeighbours(schedule, dag.startDate, now).previous;
    const latestEnded = lastStarted
      ? scheduledNeighbours(schedule, dag.startDate, new Date(lastStarted.getTime() - 1)).previous
      : null;
    if (latestEnded && latestEnded.getTime() > next.getTime() && latestEnded >= dag.startDate)
      next = latestEnded;
  }
  if (!next || (dag.endDate && next.getTime() > dag.endDate.getTime())) {
    return { kind: 'none', reason: 'past its end date' };
  }
  return due(dag, next);
}

function due(dag: Dag, logicalDate: Date): NextRun {
  return { kind: 'scheduled', logicalDate, dueAt: dataIntervalOf(dag.parsedSchedule, logicalDate).end };
}
