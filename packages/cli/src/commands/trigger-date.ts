import { type Dag, scheduledNeighbours } from '@streampro/engine';

/** `dag trigger` without `--date`: the latest scheduled instant at or before `now` (now itself otherwise). */
export function scheduledInstantAtOrBefore(dag: Dag, now: Date): Date {
  const schedule = dag.parsedSchedule;
  if (schedule.kind !== 'cron') return now;
  return scheduledNeighbours(schedule, dag.startDate, now).previous ?? now;
}
