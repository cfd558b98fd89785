import path from 'node:path';
import { type BenchContext, type BenchOutcome, repsOf, withTempDir } from './lib/bench.js';
import { runTsChild } from './lib/child.js';
import { REPO_ROOT } from './lib/paths.js';
import { Rows } from './lib/report.js';
import { percentile } from './lib/stats.js';
import type { DueLatencyChildResult } from './scheduler-latency-child.js';

const CHILD = path.join(REPO_ROOT, 'bench', 'scheduler-latency-child.ts');
const DEFAULT_INTERVAL_MS = 5000;
const TARGET_MS = 1000;

interface Config {
  readonly subject: string;
  readonly mode: 'scheduler' | 'direct';
  readonly executor: 'in-process' | 'pool';
  /** The scheduler's pass interval; 0 for a direct run. */
  readonly intervalMs: number;
  /** Subject of the baseline row: the direct run on the same executor. */
  readonly baseline?: string;
}

const BASE = 'baseline: engine.run at the due instant (in-process)';
const BASE_POOL = 'baseline: engine.run at the due instant (worker pool)';
const scheduler = (intervalMs: number, executor: Config['executor']): Config => ({
  subject:
    `SchedulerService, intervalMs ${intervalMs}${intervalMs === DEFAULT_INTERVAL_MS ? ' (default)' : ''}, ` +
    (executor === 'pool' ? 'worker pool' : 'in-process'),
  mode: 'scheduler',
  executor,
  intervalMs,
  baseline: executor === 'pool' ? BASE_POOL : BASE,
});

const CONFIGS: readonly Config[] = [
  { subject: BASE, mode: 'direct', executor: 'in-process', intervalMs: 0 },
  { subject: BASE_POOL, mode: 'direct', executor: 'pool', intervalMs: 0 },
  scheduler(DEFAULT_INTERVAL_MS, 'in-process'),
  scheduler(1000, 'in-process'),
  scheduler(200, 'in-process'),
  scheduler(200, 'pool'),
];

const METRICS = [
  ['p50', 50],
  ['p99', 99],
  ['max', 100],
] as const;
const metricOf = (name: string) => `due → first task body, ${name} ms`;

/**
 * Time from the instant a scheduled run becomes due (the end of its data interval) to its first task's body
 * starting, on the real clock and the embedded SQLite store, for the scheduler at several pass intervals and
 * for `engine.run` called at the due instant. Each configuration runs in its own process, all at once: runs
 * come due once a second at most, so one configuration after the other would take six times as long.
 */
export async function dueLatencyBench(ctx: BenchContext): Promise<BenchOutcome> {
  const runs = ctx.quick ? 20 : 100;
  const reps = repsOf(ctx, 1);
  const figures = new Map<string, Map<string, number[]>>();
  const createdToBody = new Map<string, number[]>();
  const layouts = new Map<string, string>();
  for (let rep = 0; rep < reps; rep++) {
    ctx.log(`due-latency: repetition ${rep + 1}/${reps}: ${CONFIGS.length} processes, ${runs} runs each`);
    // One failure stops the others: they would run for minutes for a result that is thrown away.
    const abort = new AbortController();
    const results = await Promise.all(
      CONFIGS.map((c) =>
        withTempDir('due', (home) =>
          runTsChild<DueLatencyChildResult>(
            CHILD,
            [c.mode, c.executor, String(c.intervalMs), String(runs), home],
            undefined,
            abort.signal,
          ),
        ).catch((error: unknown) => {
          abort.abort();
          throw error;
        }),
      ),
    );
    for (const [i, c] of CONFIGS.entries()) {
      const { latencyMs, createdToBodyMs, schedule, sessions } = results[i]!;
      const sorted = [...latencyMs].sort((a, b) => a - b);
      const byMetric = figures.get(c.subject) ?? new Map<string, number[]>();
      for (const [name, p] of METRICS) {
        const m = metricOf(name);
        byMetric.set(m, [...(byMetric.get(m) ?? []), percentile(sorted, p)]);
      }
      figures.set(c.subject, byMetric);
      createdToBody.set(c.subject, [...(createdToBody.get(c.subject) ?? []), ...createdToBodyMs]);
      // The cron's offset differs from run to run; the groups and the session count do not.
      layouts.set(c.subject, `${sessions} session${sessions > 1 ? 's' : ''}, e.g. cron '${schedule}'`);
    }
  }
  const rows = new Rows();
  for (const [name] of METRICS) {
    const m = metricOf(name);
    for (const c of CONFIGS) {
      const values = figures.get(c.subject)!.get(m)!;
      if (!c.baseline) {
        rows.add(c.subject, m, values);
        continue;
      }
      rows.compare(
        c.subject,
        m,
        values,
        c.baseline,
        name === 'p99' ? { text: `< ${TARGET_MS} ms`, ok: (_ratio, v) => v.median < TARGET_MS } : undefined,
      );
    }
  }
  const schedulers = CONFIGS.filter((c) => c.mode === 'scheduler');
  const afterCreation = schedulers
    .map((c) => {
      const s = [...createdToBody.get(c.subject)!].sort((a, b) => a - b);
      return `${c.subject}: p50 ${percentile(s, 50).toFixed(0)} ms, p99 ${percentile(s, 99).toFixed(0)} ms`;
    })
    .join('; ');
  return {
    params: {
      runs,
      reps,
      store: 'SQLite',
      intervals: schedulers.map((c) => `${c.intervalMs}${c.executor === 'pool' ? ' (pool)' : ''}`).join(', '),
    },
    rows: rows.rows,
    notes: [
      'Latency of a run: the wall-clock instant (Date.now(), 1 ms resolution, the one clock of this process ' +
        'and the workers) at which its first task’s body starts, returned as the task’s output, minus the ' +
        'instant the run became due, the end of its data interval (dataIntervalOf). p50, p99, max over the ' +
        `${runs} runs of one process; with several repetitions the median of those figures, with min–max.`,
      'The DAG has one no-op task on a seconds cron, maxActiveRuns 1, catchup so every interval gets its run ' +
        '(without it a pass creates only the latest ended interval and the figure would hide the wait). A pass ' +
        'begins `intervalMs` after the previous one ended, as soon as a run finishes, or at the next instant ' +
        'a loaded DAG comes due (+5 ms), whichever is first: the interval bounds the wait for runs queued by ' +
        'others (triggers, backfills), not for scheduled ones.',
      'Without that wake-up, runs due at whole seconds and a pass every 1000 or 5000 ms would lock in phase ' +
        '(every run waiting about the same, set by when the scheduler started). So runs come in groups of 10 consecutive seconds, each ' +
        'served by a fresh SchedulerService started at a uniformly random instant in the interval before the ' +
        'group’s first due instant, with gaps between groups long enough that no run is due while no scheduler ' +
        `runs. ${schedulers.map((c) => `${c.subject}: ${layouts.get(c.subject)}`).join('; ')}.`,
      'Baselines: the same DAG and store, no scheduler: `engine.run` of each run called at its due instant ' +
        '(a timer), the engine’s own floor (lease, first commits, the try’s log file, the hand-off to the ' +
        'executor). The worker-pool rows run the body in a worker process (started and warm before the first ' +
        'run) and are compared with the pool baseline.',
      `Run created (scheduler event) to first task body: ${afterCreation}. The rest of each latency is the ` +
        'wait for the pass and the pass itself.',
      `Each configuration runs in its own process (own home and SQLite file), all ${CONFIGS.length} at once; ` +
        'the processes are idle but for a few milliseconds a second, and the baselines act at the same whole ' +
        'seconds.',
    ],
  };
}
