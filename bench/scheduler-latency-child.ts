/**
 * One configuration of the due-latency benchmark in its own process: `node --import tsx
 * bench/scheduler-latency-child.ts <scheduler|direct> <in-process|pool> <intervalMs> <runs> <home>`, in an
 * empty home folder the caller removes. Prints one JSON line: for each run, oldest first, the time from its
 * due instant to its first task's body starting (and, for the scheduler, from the run's creation to it).
 *
 * `scheduler`: SchedulerService with that pass interval creates and executes the runs as they come due.
 * `direct` (interval 0): the floor without a scheduler loop, `engine.run` of each run called at its due instant.
 */
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import {
  type Dag,
  dataIntervalOf,
  Engine,
  ProcessPoolExecutor,
  SchedulerService,
  SqliteRunStore,
} from '@streampro/engine';
import { type DueDagConfig, dueDag } from './lib/due-dag.js';
import { chainDag } from './lib/layered-dag.js';

export interface DueLatencyChildResult {
  /** The DAG's cron expression. */
  readonly schedule: string;
  /** Scheduler sessions, each started at a random phase (1 for `direct`). */
  readonly sessions: number;
  /** Due instant to first task body start, ms, one per run, oldest first. */
  readonly latencyMs: readonly number[];
  /** Scheduler only: run created (its `run-created` event) to first task body start, ms. */
  readonly createdToBodyMs: readonly number[];
}

const DUE_DAG_FILE = fileURLToPath(new URL('./lib/due-dag.ts', import.meta.url));
/** Where the warm-up DAG is for the workers: the one-task chain of the scheduler benchmark. */
const POOL_DAG_FILE = fileURLToPath(new URL('./lib/pool-dag.ts', import.meta.url));
/** Time from the end of the warm-up to the first due instant (or to the first scheduler's earliest start). */
const LEAD_MS = 1500;
const RUNS_PER_SESSION = 10;
/** Divisors of 60: group periods that repeat every minute, so one cron expression describes them. */
const PERIODS = [10, 12, 15, 20, 30, 60] as const;

/**
 * How runs are laid out in time. Were passes only every `intervalMs` (1000, 5000), runs due at whole seconds would lock in phase: every
 * run would wait about the same time, set by when the scheduler happened to start, and drift only by the
 * few milliseconds a pass lasts. A DAG due at any instant sees that wait uniform over [0, intervalMs). So the
 * runs come in groups of RUNS_PER_SESSION consecutive seconds, and each group is served by a fresh scheduler
 * started at a uniformly random instant in the interval before the group's first due instant: its passes are
 * those of a long-running scheduler with that phase. The groups are `period` seconds apart; the gap leaves
 * time for the last run of a group to wait a whole interval and for the next scheduler to start up to one
 * interval early. With a short interval the gap is a second and the cron is `* * * * * *`.
 */
interface Layout {
  readonly period: number;
  readonly perGroup: number;
  /** Second of the minute (mod period) where a group starts. */
  readonly offset: number;
}

function layoutFor(intervalMs: number, firstDueSec: number): Layout {
  // Seconds from a group's last due instant to the next group's first: the last run may wait an interval for
  // its pass, the next scheduler starts up to an interval early, and 500 ms is for the passes themselves.
  const gap = Math.ceil((2 * intervalMs + 500) / 1000);
  const period = PERIODS.find((p) => p - gap + 1 >= RUNS_PER_SESSION);
  if (period === undefined) throw new Error(`intervalMs ${intervalMs} is too long for a per-second DAG`);
  return { period, perGroup: period - gap + 1, offset: firstDueSec % period };
}

const isTick = (l: Layout, sec: number): boolean =>
  (((sec - l.offset) % l.period) + l.period) % l.period < l.perGroup;
const groupOf = (l: Layout, sec: number): number => Math.floor((sec - l.offset) / l.period);

/** The seconds field of the layout's ticks, as ranges: `3-12,23-32,43-52` or `*`. */
function cronOf(l: Layout): string {
  const seconds = Array.from({ length: 60 }, (_, s) => s).filter((s) => isTick(l, s));
  if (seconds.length === 60) return '* * * * * *';
  const ranges: string[] = [];
  for (let i = 0; i < seconds.length; ) {
    let j = i;
    while (j + 1 < seconds.length && seconds[j + 1] === seconds[j]! + 1) j++;
    ranges.push(i === j ? `${seconds[i]}` : `${seconds[i]}-${seconds[j]}`);
    i = j + 1;
  }
  return `${ranges.join(',')} * * * * *`;
}

/** Resolves at wall-clock instant `at` or just after (a timer may fire a millisecond early). */
async function until(at: number): Promise<void> {
  for (let left = at - Date.now(); left > 0; left = at - Date.now()) await sleep(left);
}

/** One scheduler from now until `runs` runs have finished; records when each run was created. */
async function session(
  engine: Engine,
  dag: Dag,
  runs: number,
  intervalMs: number,
  lastDue: number,
  createdAt: Map<string, number>,
): Promise<void> {
  const problems: string[] = [];
  let finished = 0;
  let allFinished = (): void => {};
  const done = new Promise<void>((resolve) => {
    allFinished = resolve;
  });
  const scheduler = new SchedulerService({
    engine,
    dags: () => [dag],
    intervalMs,
    onEvent: (e) => {
      if (e.type === 'run-created') createdAt.set(e.logicalDate, Date.now());
      else if (e.type === 'error' || e.type === 'run-held') problems.push(JSON.stringify(e));
      else if (e.type === 'run-finished' && ++finished === runs) allFinished();
    },
  });
  scheduler.start();
  // The last run is due at lastDue; the pass after it comes at most one interval (plus a pass) later.
  const timeout = sleep(lastDue + intervalMs + 30_000 - Date.now(), 'timeout' as const, { ref: false });
  try {
    if ((await Promise.race([done, timeout])) === 'timeout') {
      throw new Error(`${finished}/${runs} runs finished by the deadline; ${problems.join('; ')}`);
    }
  } finally {
    await scheduler.stop(5000);
  }
  if (problems.length > 0) throw new Error(`scheduler reported: ${problems.join('; ')}`);
}

async function measure(
  mode: 'scheduler' | 'direct',
  pool: boolean,
  intervalMs: number,
  runs: number,
  home: string,
): Promise<DueLatencyChildResult> {
  // Before the pool forks its workers: where they read the due DAG's schedule when they import it.
  const configFile = path.join(home, 'due-dag.json');
  process.env.BENCH_DUE_CONFIG = configFile;
  const executor = pool ? new ProcessPoolExecutor() : undefined;
  const store = await SqliteRunStore.open(path.join(home, 'state.db'));
  const engine = await Engine.open({
    home,
    store,
    ...(executor
      ? { executor, dagFile: (id: string) => (id === 'bench_due' ? DUE_DAG_FILE : POOL_DAG_FILE) }
      : {}),
  });
  try {
    // Worker started, SQLite and the engine's code warm; the measured window is laid out from its end.
    const warm = await engine.run(chainDag('bench_pool_chain', 1), { logicalDate: '2025-01-01' });
    if (warm.state !== 'success') throw new Error(`warm-up run ended ${warm.state}`);
    const firstDueSec = Math.ceil((Date.now() + LEAD_MS + intervalMs) / 1000);
    const layout = layoutFor(intervalMs, firstDueSec);
    // Logical dates are ticks; each run is due at the next one. The first date is the tick before the first due.
    const nextTick = (sec: number): number => {
      let s = sec + 1;
      while (!isTick(layout, s)) s++;
      return s;
    };
    const dates = [firstDueSec - (layout.period - layout.perGroup + 1)];
    while (dates.length < runs) dates.push(nextTick(dates.at(-1)!));
    const iso = (sec: number): string => new Date(sec * 1000).toISOString();
    const config: DueDagConfig = { schedule: cronOf(layout), start: iso(dates[0]!), end: iso(dates.at(-1)!) };
    fs.writeFileSync(configFile, JSON.stringify(config));
    const dag = dueDag(config);
    // The workers import the DAG now, as a long-running pool would have done long before.
    await executor?.prepare(DUE_DAG_FILE, 1);
    // The due instant as the engine defines it, the end of the data interval (checked against the layout).
    const due = dates.map((sec) => {
      const at = dataIntervalOf(dag.parsedSchedule, new Date(sec * 1000)).end.getTime();
      if (at !== nextTick(sec) * 1000)
        throw new Error(`cron ${config.schedule}: ${iso(sec)} is not due when expected`);
      return at;
    });
    if (Date.now() >= due[0]! - intervalMs) throw new Error('set-up ran past its time; raise LEAD_MS');
    const createdAt = new Map<string, number>();
    let sessions = 1;
    if (mode === 'scheduler') {
      const groups = new Map<number, number[]>();
      for (const [i, at] of due.entries()) {
        const g = groupOf(layout, at / 1000);
        groups.set(g, [...(groups.get(g) ?? []), i]);
      }
      sessions = groups.size;
      for (const indexes of groups.values()) {
        const startAt = due[indexes[0]!]! - Math.random() * intervalMs;
        if (Date.now() > startAt) throw new Error('a session ran past the start of the next one');
        await until(startAt);
        await session(engine, dag, indexes.length, intervalMs, due[indexes.at(-1)!]!, createdAt);
      }
    } else {
      for (const [i, sec] of dates.entries()) {
        await until(due[i]!);
        await engine.run(dag, { logicalDate: new Date(sec * 1000), runType: 'scheduled' });
      }
    }
    const latencyMs: number[] = [];
    const createdToBodyMs: number[] = [];
    for (const [i, sec] of dates.entries()) {
      const run = await engine.status(dag, iso(sec));
      if (run?.state !== 'success' || run.runType !== 'scheduled') {
        throw new Error(`run of ${iso(sec)}: ${run ? `${run.runType} ${run.state}` : 'missing'}`);
      }
      const body = run.tasks[0]?.output;
      if (typeof body !== 'number') throw new Error(`run of ${iso(sec)}: no body start in the output`);
      latencyMs.push(body - due[i]!);
      if (mode === 'scheduler') {
        const created = createdAt.get(iso(sec));
        if (created === undefined) throw new Error(`run of ${iso(sec)}: no run-created event`);
        createdToBodyMs.push(body - created);
      }
    }
    const extra = (await engine.listRuns(dag.id)).length - runs;
    if (extra !== 0) throw new Error(`${extra} runs besides the ${runs} expected`);
    return { schedule: config.schedule, sessions, latencyMs, createdToBodyMs };
  } finally {
    await engine.close();
  }
}

const [mode, executor, interval, count, home] = process.argv.slice(2);
const intervalMs = Number(interval);
const runs = Number(count);
if (
  (mode !== 'scheduler' && mode !== 'direct') ||
  (executor !== 'in-process' && executor !== 'pool') ||
  !(Number.isInteger(intervalMs) && (mode === 'direct' ? intervalMs === 0 : intervalMs > 0)) ||
  !(Number.isInteger(runs) && runs > 0) ||
  !home
) {
  process.stderr.write(
    'usage: scheduler-latency-child.ts <scheduler|direct> <in-process|pool> <intervalMs (0 for direct)> <runs> <home>\n',
  );
  process.exit(2);
}
const result = await measure(mode, executor === 'pool', intervalMs, runs, home);
process.stdout.write(`${JSON.stringify(result)}\n`);
