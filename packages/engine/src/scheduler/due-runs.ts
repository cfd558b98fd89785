import { scheduledNeighbours } from '../model/logical-date.js';
import type { ParsedSchedule } from '../model/schedule.js';

/** What the decision needs of a DAG (a `Dag` has all of it). */
export interface SchedulableDag {
  readonly parsedSchedule: ParsedSchedule;
  readonly startDate: Date;
  readonly endDate: Date | null;
  readonly catchup: boolean;
  readonly maxActiveRuns: number;
}

export interface DueRunsInput {
  readonly now: Date;
  /** Logical date of the newest run the scheduler created for the DAG (run type `scheduled`), or null. */
  readonly lastScheduled: Date | null;
  /** Runs of the DAG queued or running now, of any type: they count against `maxActiveRuns`. */
  readonly activeRuns: number;
}

/**
 * The logical dates the scheduler creates runs for now, oldest first. A run is due once its data interval
 * `[logical date, next scheduled date)` has ended: `@daily` run D at D+1. With `catchup`, every interval
 * after the last scheduled run (or from the start date) that has ended; without, only the latest ended one,
 * and only when it is newer than the last scheduled run. Never past `endDate`, and never more than
 * `maxActiveRuns - activeRuns`. `@once` is due once, at its start date; other schedules (none, assets) never.
 */
export function dueRuns(dag: SchedulableDag, input: DueRunsInput): Date[] {
  const budget = dag.maxActiveRuns - input.activeRuns;
  if (budget <= 0) return [];
  const schedule = dag.parsedSchedule;
  if (schedule.kind === 'once') {
    const due = input.lastScheduled === null && dag.startDate.getTime() <= input.now.getTime();
    return due && withinEnd(dag, dag.startDate) ? [dag.startDate] : [];
  }
  if (schedule.kind !== 'cron') return [];
  const ended = (d: Date): boolean => {
    const end = schedule.cron.nextRun(d);
    return end !== null && end.getTime() <= input.now.getTime();
  };
  if (dag.catchup) {
    const out: Date[] = [];
    let d = input.lastScheduled
      ? schedule.cron.nextRun(input.lastScheduled)
      : schedule.cron.nextRun(new Date(dag.startDate.getTime() - 1));
    while (d && out.length < budget && withinEnd(dag, d) && ended(d)) {
      out.push(d);
      d = schedule.cron.nextRun(d);
    }
    return out;
  }
  const latest = latestEnded(schedule, dag, input.now);
  if (!latest) return [];
  if (input.lastScheduled && latest.getTime() <= input.lastScheduled.getTime()) return [];
  return [latest];
}

/** The newest scheduled instant whose interval has ended by `now`, not past `endDate`; null when none has. */
function latestEnded(
  schedule: Extract<ParsedSchedule, { kind: 'cron' }>,
  dag: SchedulableDag,
  now: Date,
): Date | null {
  // The instant at or before now starts the interval in progress; the one before it is the latest ended.
  const current = scheduledNeighbours(schedule, dag.startDate, now).previous;
  if (!current) return null;
  let latest = scheduledNeighbours(schedule, dag.startDate, new Date(current.getTime() - 1)).previous;
  if (latest && !withinEnd(dag, latest)) {
    latest = scheduledNeighbours(schedule, dag.startDate, dag.endDate!).previous;
  }
  return latest;
}

function withinEnd(dag: SchedulableDag, d: Date): boolean {
  return dag.endDate === null || d.getTime() <= dag.endDate.getTime();
}

/**
 * The next instant after `now` at which an interval of the DAG ends (a run comes due), or null when none
 * will: no time schedule, past its `endDate`, or `@once` already behind.
 */
export function nextDueInstant(dag: SchedulableDag, now: Date): Date | null {
  const schedule = dag.parsedSchedule;
  if (schedule.kind === 'once') return dag.startDate.getTime() > now.getTime() ? dag.startDate : null;
  if (schedule.kind !== 'cron') return null;
  // The interval in progress ends at the next scheduled instant; it is due then if its start is allowed.
  const end = schedule.cron.nextRun(now);
  if (!end) return null;
  const start = scheduledNeighbours(schedule, dag.startDate, now).previous;
  if (start && !withinEnd(dag, start)) return null;
  return end;
}
