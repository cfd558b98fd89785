import { Cron } from 'croner';
import { addDays } from '../time/dates.js';
import { DagDefinitionError } from './errors.js';

/** A DAG that runs when all these assets were updated for a logical date (Airflow 3's asset scheduling). */
export interface AssetSchedule {
  readonly assets: readonly string[];
}

/**
 * When a DAG runs: a cron expression (UTC), a preset (`@daily`, `@hourly`, `@weekly`, `@monthly`, `@yearly`,
 * `@once`), `null` for manual runs only, or an asset schedule.
 */
export type Schedule = string | null | AssetSchedule;

const PRESETS: Readonly<Record<string, string>> = {
  '@hourly': '0 * * * *',
  '@daily': '0 0 * * *',
  '@weekly': '0 0 * * 0',
  '@monthly': '0 0 1 * *',
  '@yearly': '0 0 1 1 *',
};

export type ParsedSchedule =
  | { readonly kind: 'cron'; readonly expression: string; readonly cron: Cron }
  | { readonly kind: 'once' }
  | { readonly kind: 'none' }
  | { readonly kind: 'assets'; readonly assets: readonly string[] };

export function parseSchedule(dagId: string, schedule: Schedule): ParsedSchedule {
  if (schedule === null) return { kind: 'none' };
  if (typeof schedule === 'object') {
    if (!Array.isArray(schedule.assets) || schedule.assets.length === 0) {
      throw new DagDefinitionError(`DAG '${dagId}': an asset schedule needs at least one asset URI`);
    }
    return { kind: 'assets', assets: [...schedule.assets] };
  }
  if (schedule === '@once') return { kind: 'once' };
  const expression = PRESETS[schedule] ?? schedule;
  try {
    // utcOffset 0 is UTC without Intl time-zone lookups, which made nextRun ~35x slower (4 s for 10,000 dates).
    return { kind: 'cron', expression, cron: new Cron(expression, { utcOffset: 0, paused: true }) };
  } catch (error) {
    throw new DagDefinitionError(
      `DAG '${dagId}': invalid schedule ${JSON.stringify(schedule)} (${(error as Error).message}); ` +
        'use a 5-field cron expression or one of @hourly, @daily, @weekly, @monthly, @yearly, @once',
    );
  }
}

/** A text form of a schedule for listings. */
export function describeSchedule(schedule: Schedule): string {
  if (schedule === null) return 'none';
  if (typeof schedule === 'object') return `assets(${schedule.assets.join(', ')})`;
  return schedule;
}

/**
 * The logical dates in [start, end] on which the schedule fires, in ascending order. DAGs without a time
 * schedule (none, assets) get one logical date per day so they can be backfilled like a daily DAG;
 * `@once` yields only `startDate` when it lies in the range.
 */
export function logicalDatesBetween(parsed: ParsedSchedule, startDate: Date, start: Date, end: Date): Date[] {
  const from = start.getTime() < startDate.getTime() ? startDate : start;
  const out: Date[] = [];
  if (parsed.kind === 'once') {
    if (startDate >= start && startDate <= end) out.push(startDate);
    return out;
  }
  if (parsed.kind === 'cron') {
    let next: Date | null = parsed.cron.nextRun(new Date(from.getTime() - 1));
    while (next && next.getTime() <= end.getTime()) {
      out.push(next);
      next = parsed.cron.nextRun(next);
    }
    return out;
  }
  for (let d = from; d.getTime() <= end.getTime(); d = addDays(d, 1)) out.push(d);
  return out;
}

/** The data interval of a run: [logicalDate, next scheduled date) for cron, one day otherwise. */
export function dataIntervalOf(parsed: ParsedSchedule, logicalDate: Date): { start: Date; end: Date } {
  if (parsed.kind === 'cron') {
    const next = parsed.cron.nextRun(logicalDate);
    if (next) return { start: logicalDate, end: next };
  }
  return { start: logicalDate, end: addDays(logicalDate, 1) };
}
