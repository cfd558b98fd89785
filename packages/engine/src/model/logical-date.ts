import { InvalidInputError } from './errors.js';
import type { ParsedSchedule, Schedule } from './schedule.js';

/** What the check needs of a DAG (a `Dag` has all of it). */
export interface ScheduledDag {
  readonly id: string;
  readonly schedule: Schedule;
  readonly parsedSchedule: ParsedSchedule;
  readonly startDate: Date;
}

/** The scheduled instants around a date: the last one before it (not before the start date) and the next. */
export interface ScheduledNeighbours {
  readonly previous: Date | null;
  readonly next: Date | null;
}

/** How the date was given, for the message: `{ what: '--date', text: '2025-10-01T06:00:00Z' }`. */
export interface LogicalDateInput {
  readonly what: string;
  readonly text: string;
}

/**
 * Rejects a logical date a periodic (cron or preset) DAG would never have: one before its start date, or one
 * between two scheduled instants. Offsets are already gone here (a Date is an instant), so
 * `2025-09-09T12:00:00+14:00` is checked as 2025-09-08T22:00:00Z. A misaligned date would create a second run
 * writing the partition of an aligned one. DAGs scheduled on assets, `@once` or not at all accept any instant.
 *
 * `input` names the date in the message as the user wrote it; by default it reads `logical date <ISO>`.
 */
export function assertScheduledLogicalDate(dag: ScheduledDag, date: Date, input?: LogicalDateInput): void {
  const schedule = dag.parsedSchedule;
  if (schedule.kind !== 'cron') return;
  const what = subjectOf(date, input);
  if (date.getTime() < dag.startDate.getTime()) {
    const first = schedule.cron.nextRun(new Date(dag.startDate.getTime() - 1));
    throw new InvalidInputError(
      `${what} is before the DAG's start date ${dateText(dag.startDate)}` +
        (first ? `; the first logical date of DAG '${dag.id}' is ${instantText(first)}` : ''),
    );
  }
  const { previous, next } = scheduledNeighbours(schedule, dag.startDate, date);
  if (previous?.getTime() === date.getTime()) return;
  const nearest = [previous, next].filter((d): d is Date => d !== null).map(instantText);
  throw new InvalidInputError(
    `${what} is not a scheduled logical date of ${scheduleText(dag.schedule)} DAG '${dag.id}'` +
      (nearest.length ? `; nearest: ${nearest.join(', ')}` : ''),
  );
}

/**
 * The latest scheduled instant at or before `date` and not before `startDate` (null when there is none), and
 * the first one after `date`. The previous instant is found by widening a window backwards from `date`, so a
 * sparse schedule (a yearly cron, Feb 29) costs a few dozen steps, not a walk from the start date.
 */
export function scheduledNeighbours(
  schedule: Extract<ParsedSchedule, { kind: 'cron' }>,
  startDate: Date,
  date: Date,
): ScheduledNeighbours {
  const t = date.getTime();
  const floor = startDate.getTime();
  let previous: Date | null = null;
  for (let width = 60_000; previous === null; width *= 2) {
    const from = Math.max(t - width, floor);
    for (
      let d = schedule.cron.nextRun(new Date(from - 1));
      d && d.getTime() <= t;
      d = schedule.cron.nextRun(d)
    ) {
      previous = d;
    }
    if (from === floor) break;
  }
  const next = schedule.cron.nextRun(date);
  return { previous, next };
}

/** `--date 2025-09-09T12:00:00+14:00 (2025-09-08T22:00:00Z)`: the text, and the instant when it reads otherwise. */
function subjectOf(date: Date, input: LogicalDateInput | undefined): string {
  const instant = instantText(date);
  if (!input) return `logical date ${instant}`;
  const text = input.text.trim();
  const plain = text === instant || /^\d{4}-\d{2}-\d{2}$/.test(text);
  return plain ? `${input.what} ${text}` : `${input.what} ${text} (${instant})`;
}

function scheduleText(schedule: Schedule): string {
  if (schedule !== null && typeof schedule === 'object' && 'cron' in schedule) {
    return `${scheduleText(schedule.cron)}${schedule.timezone ? ` (${schedule.timezone})` : ''}`;
  }
  return typeof schedule === 'string' && !schedule.startsWith('@') ? `cron '${schedule}'` : String(schedule);
}

/** `2025-10-01T00:00:00Z`: the instant in UTC, milliseconds only when there are some. */
function instantText(date: Date): string {
  return date.toISOString().replace('.000Z', 'Z');
}

/** `2025-09-01` at midnight UTC, else the full instant. */
function dateText(date: Date): string {
  const iso = instantText(date);
  return iso.endsWith('T00:00:00Z') ? iso.slice(0, 10) : iso;
}
