import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Engine, ProcessPoolExecutor } from '@streampro/engine';
import { type BenchContext, type BenchOutcome, repsOf, withTempDir } from './lib/bench.js';
import { StartLatency } from './lib/latency.js';
import { chainDag } from './lib/layered-dag.js';
import { Rows } from './lib/report.js';
import { percentile } from './lib/stats.js';

const POOL_DAG_FILE = fileURLToPath(new URL('./lib/pool-dag.ts', import.meta.url));

/**
 * Per-try cost of isolation: a chain of no-op tasks (one try at a time, so every try waits for the one
 * before it) run by the engine with the worker pool and with the in-process executor, in the same run.
 * The round trip of a try is the time from its `queued` event to its `success` event: hand-off, the
 * worker's log file, the body, the report back. Their difference is what the process boundary costs.
 */
async function chainRun(
  n: number,
  pool: boolean,
): Promise<{ roundTrips: number[]; startLatency: number[]; startupMs: number }> {
  process.env.BENCH_POOL_CHAIN = String(n);
  // The same DAG the workers build from the environment in lib/pool-dag.ts.
  const poolChain = chainDag('bench_pool_chain', n);
  return withTempDir('executor', async (home) => {
    const executor = pool ? new ProcessPoolExecutor({ size: 1 }) : undefined;
    // What a run waits for before it starts: the process and the DAG module's import (the engine asks the
    // pool for it at the start of every run; here it is timed on its own, so the run finds it done).
    const t0 = performance.now();
    await executor?.prepare(POOL_DAG_FILE, 1);
    const startupMs = performance.now() - t0;
    const engine = await Engine.open({
      home,
      ...(executor ? { executor, dagFile: () => POOL_DAG_FILE } : {}),
    });
    try {
      const queuedAt = new Map<string, number>();
      const roundTrips: number[] = [];
      const latency = new StartLatency();
      const result = await engine.run(poolChain, {
        logicalDate: '2025-01-01',
        onEvent: (e) => {
          latency.onEvent(e);
          if (e.type !== 'task-state') return;
          if (e.state === 'queued') queuedAt.set(e.taskId, performance.now());
          if (e.state === 'success') roundTrips.push(performance.now() - queuedAt.get(e.taskId)!);
        },
      });
      if (result.state !== 'success') throw new Error(`chain run ended ${result.state}`);
      const upstream = new Map(poolChain.tasks.map((t) => [t.id, t.upstreamIds] as const));
      const s = latency.summary(upstream);
      return { roundTrips, startLatency: [s.p50, s.p99], startupMs };
    } finally {
      await engine.close();
    }
  });
}

export async function executorBench(ctx: BenchContext): Promise<BenchOutcome> {
  const n = ctx.quick ? 20 : 1000;
  const reps = repsOf(ctx, 3);
  const rows = new Rows();
  const figures = {
    pool: { p50: [] as number[], p99: [] as number[], first: [] as number[] },
    local: { p50: [] as number[], p99: [] as number[] },
  };
  for (let rep = 0; rep < reps; rep++) {
    ctx.log(`executor: repetition ${rep + 1}/${reps} (chain of ${n})`);
    const pool = await chainRun(n, true);
    const local = await chainRun(n, false);
    const steady = (xs: number[]) => [...xs.slice(1)].sort((a, b) => a - b);
    figures.pool.first.push(pool.startupMs);
    figures.pool.p50.push(percentile(steady(pool.roundTrips), 50));
    figures.pool.p99.push(percentile(steady(pool.roundTrips), 99));
    figures.local.p50.push(percentile(steady(local.roundTrips), 50));
    figures.local.p99.push(percentile(steady(local.roundTrips), 99));
  }
  const POOL = 'worker pool (1 process, reused)';
  const LOCAL = 'baseline: in-process executor';
  rows.add(LOCAL, 'try round trip p50, ms', figures.local.p50);
  rows.compare(POOL, 'try round trip p50, ms', figures.pool.p50, LOCAL);
  rows.add(LOCAL, 'try round trip p99, ms', figures.local.p99);
  rows.compare(POOL, 'try round trip p99, ms', figures.pool.p99, LOCAL);
  rows.add(POOL, 'before the run: process start + DAG import, ms', figures.pool.first);
  return {
    params: { chain: n, reps, cpus: os.availableParallelism() },
    rows: rows.rows,
    notes: [
      `A chain of ${n} no-op tasks, one try at a time, SQLite store, one log file per try. Round trip = the ` +
        'try’s `queued` event to its `success` event (performance.now() in the onEvent listener): hand-off ' +
        'to the executor, the log file, the body, the report, the commit. The first try of each run is left out. Before a run starts, the engine has the pool ' +
        'start its processes and import the DAG module ' +
        `(${path.basename(POOL_DAG_FILE)}, through tsx): timed apart as the last row.`,
      'The pool minus the baseline is the process boundary per try: two IPC messages each way ' +
        '(run, started, finished) and the log file opened in the worker instead of the scheduler.',
    ],
  };
}
