/**
 * The DAG of the due-latency benchmark as a module, so worker processes can import it by file. Its schedule
 * and window are known only once the benchmark child has set up (they start a few seconds ahead), after its
 * pool's workers have forked: the child writes them to the JSON file named by BENCH_DUE_CONFIG (set before
 * the fork), then has the workers import this module. The child builds the same DAG with `dueDag`.
 */
import fs from 'node:fs';
import { type Dag, defineDag } from '@streampro/engine';

export interface DueDagConfig {
  /** A seconds cron (croner's 6-field form). */
  readonly schedule: string;
  /** First and last logical dates, ISO. */
  readonly start: string;
  readonly end: string;
}

/**
 * Runs on a seconds cron from `start` to `end`; run D is due at the next tick, the end of its data interval.
 * `catchup` makes the scheduler create a run for every interval, each served by the first pass after it
 * ended: without it a pass creates only the latest ended interval, which ended less than a second before the
 * pass whatever the pass interval, and the intervals in between never get a run, so the figure would hide
 * the wait for the pass. The body returns the wall-clock instant it started at, read from the run's output
 * (one clock for the benchmark process and the workers).
 */
export function dueDag(config: DueDagConfig): Dag {
  const dag = defineDag({
    id: 'bench_due',
    schedule: config.schedule,
    startDate: config.start,
    endDate: config.end,
    catchup: true,
  });
  dag.task({ id: 'first', run: () => Date.now() });
  return dag;
}

const file = process.env.BENCH_DUE_CONFIG;
export const benchDue =
  file && fs.existsSync(file)
    ? dueDag(JSON.parse(fs.readFileSync(file, 'utf8')) as DueDagConfig)
    : dueDag({ schedule: '* * * * * *', start: '2025-01-01', end: '2025-01-01' });
