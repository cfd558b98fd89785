import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type Dag,
  Engine,
  type EngineEvent,
  openQueueDatabase,
  PostgresRunStore,
  ProcessPoolExecutor,
  QueueExecutor,
  type RunStore,
  SqliteRunStore,
} from '@streampro/engine';
import pg from 'pg';
import { type BenchContext, type BenchOutcome, repsOf, withTempDir } from './lib/bench.js';
import { CountingStore } from './lib/counting-store.js';
import { StartLatency } from './lib/latency.js';
import { chainDag, layeredDag, seeded, victimDag } from './lib/layered-dag.js';
import { DAG_BIN } from './lib/paths.js';
import { postgresUnavailable, withSchema } from './lib/postgres.js';
import { Rows } from './lib/report.js';
import { percentile } from './lib/stats.js';

/** The module the workers' try processes (and the baselines' local pool) import the DAGs from. */
const DAG_FILE = fileURLToPath(new URL('./lib/distributed-dag.ts', import.meta.url));
/** `dag worker` processes, and tries each runs at a time. */
const WORKERS = 2;
const CONCURRENCY = 4;
const SLOTS = WORKERS * CONCURRENCY;
const WORKER_TTL_MS = 10_000;

const DIST = `QueueExecutor, ${WORKERS} dag worker × ${CONCURRENCY} (PostgreSQL)`;
const POOL_PG = `baseline: embedded engine, local pool of ${SLOTS} (PostgreSQL)`;
const POOL_SQLITE = `baseline: embedded engine, local pool of ${SLOTS} (SQLite)`;
const RECOVERY = `worker SIGKILLed mid-try (${WORKERS} dag worker × ${CONCURRENCY})`;

/** Wall-clock instant (ms since the epoch, sub-ms resolution) on the same clock as PostgreSQL's now(). */
const epochNow = (): number => performance.timeOrigin + performance.now();

/** A `dag worker` child process, its stderr kept (the tail) for errors. */
interface WorkerProcess {
  readonly child: ChildProcess;
  /** The id it registered under (`host:pid:hex`), once it said it started. */
  readonly ready: Promise<string>;
  readonly exited: Promise<void>;
  stderr: string;
}

/** Two (or more) `dag worker` processes of the built CLI on the benchmark's schema. */
class Workers {
  readonly #env: NodeJS.ProcessEnv;
  readonly live: WorkerProcess[] = [];

  constructor(env: NodeJS.ProcessEnv) {
    this.#env = env;
  }

  start(): WorkerProcess {
    const child = spawn(process.execPath, [DAG_BIN, 'worker', '--concurrency', String(CONCURRENCY)], {
      env: this.#env,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const w: WorkerProcess = {
      child,
      exited,
      stderr: '',
      ready: new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`dag worker did not start:\n${w.stderr}`)), 30_000);
        child.stderr?.on('data', (d: Buffer) => {
          w.stderr = (w.stderr + d.toString()).slice(-8000);
          const id = /started as (\S+),/.exec(w.stderr)?.[1];
          if (id) {
            clearTimeout(timer);
            resolve(id);
          }
        });
        void exited.then(() => reject(new Error(`dag worker exited ${child.exitCode}:\n${w.stderr}`)));
      }),
    };
    w.ready.catch(() => {});
    this.live.push(w);
    return w;
  }

  async ready(): Promise<void> {
    await Promise.all(this.live.map((w) => w.ready));
  }

  /** SIGKILL, as a crash: the worker neither reports nor hands anything back. */
  async kill(w: WorkerProcess): Promise<void> {
    this.live.splice(this.live.indexOf(w), 1);
    w.child.kill('SIGKILL');
    await w.exited;
  }

  async stop(): Promise<void> {
    const all = this.live.splice(0);
    for (const w of all) w.child.kill('SIGTERM');
    const timer = setTimeout(() => {
      for (const w of all) w.child.kill('SIGKILL');
    }, 10_000);
    await Promise.all(all.map((w) => w.exited));
    clearTimeout(timer);
  }
}

/** Per-try stage times of a run from the workers' reports (PostgreSQL clock) and the owner's events. */
interface Stages {
  /** Owner committed `queued` (with the job) → a worker's `claimed` report: queue wait + graphile pick-up. */
  readonly queuedToClaimed: number[];
  /** `claimed` → `started`: the worker's checks (cancel, lease), its pool and the try process start. */
  readonly claimedToStarted: number[];
  /** `started` report → the owner's `running` event: notification, report read, commit. */
  readonly startedToRunning: number[];
  /** `finished` report → the owner's final event: notification, report read, commit. */
  readonly finishedToFinal: number[];
}

/** Records the instant of every task-state event of one run (epoch ms), by task and state. */
class EventTimes {
  readonly at = new Map<string, Map<string, number>>();
  readonly onEvent = (e: EngineEvent): void => {
    if (e.type !== 'task-state') return;
    const m = this.at.get(e.taskId) ?? new Map<string, number>();
    m.set(`${e.state}#${e.tryNumber}`, epochNow());
    this.at.set(e.taskId, m);
  };
}

async function stagesOf(url: string, dagId: string, runId: string, times: EventTimes): Promise<Stages> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const schema = new URL(url).searchParams.get('schema')!;
    const { rows } = await client.query<{ job_key: string; kind: string; at: number }>(
      `SELECT job_key, kind, extract(epoch FROM created_at) * 1000 AS at FROM "${schema}".queue_try_reports
       WHERE job_key LIKE $1`,
      [`${dagId}/${runId}/%`],
    );
    const reports = new Map<string, Map<string, number>>();
    for (const r of rows) {
      const m = reports.get(r.job_key) ?? new Map<string, number>();
      m.set(r.kind, Number(r.at));
      reports.set(r.job_key, m);
    }
    const stages: Stages = {
      queuedToClaimed: [],
      claimedToStarted: [],
      startedToRunning: [],
      finishedToFinal: [],
    };
    for (const [jobKey, m] of reports) {
      const [taskId, tryNumber] = jobKey.slice(dagId.length + runId.length + 2).split('#') as [
        string,
        string,
      ];
      const ev = times.at.get(taskId);
      const queued = ev?.get(`queued#${tryNumber}`);
      const running = ev?.get(`running#${tryNumber}`);
      const final = ev?.get(`success#${tryNumber}`);
      const claimed = m.get('claimed');
      const started = m.get('started');
      const finished = m.get('finished');
      if (queued === undefined || running === undefined || final === undefined) continue;
      if (claimed === undefined || started === undefined || finished === undefined) continue;
      if (process.env.BENCH_DIST_DUMP)
        fs.appendFileSync(
          process.env.BENCH_DIST_DUMP,
          `${JSON.stringify({ taskId, queued, claimed, started, running, finished, final })}\n`,
        );
      stages.queuedToClaimed.push(claimed - queued);
      stages.claimedToStarted.push(started - claimed);
      stages.startedToRunning.push(running - started);
      stages.finishedToFinal.push(final - finished);
    }
    return stages;
  } finally {
    await client.end();
  }
}

interface RunFigures {
  readonly tasksPerSecond: number;
  readonly p50: number;
  readonly p99: number;
  readonly commits: number;
  readonly stages?: Stages;
}

type Executors = 'queue' | 'pool';

/** Opens an engine on `store` whose tries go to the workers (queue) or to a local pool of SLOTS processes. */
async function openEngine(home: string, store: RunStore, executors: Executors): Promise<Engine> {
  const counting = new CountingStore(store);
  const executor =
    executors === 'queue'
      ? await QueueExecutor.open(await openQueueDatabase(store as PostgresRunStore), {
          workerTtlMs: WORKER_TTL_MS,
        })
      : new ProcessPoolExecutor({ size: SLOTS });
  return Engine.open({ home, store: counting, executor, dagFile: () => DAG_FILE });
}

function commitsOf(engine: Engine): number {
  return (engine.store as CountingStore).commits;
}

/** One run of `dag`; tasks/s over `engine.run`, start latency from its events. */
async function measureRun(
  engine: Engine,
  dag: Dag,
  logicalDate: string,
  stagesFrom?: string,
): Promise<RunFigures> {
  const upstream = new Map(dag.tasks.map((t) => [t.id, t.upstreamIds] as const));
  const latency = new StartLatency();
  const times = new EventTimes();
  const counting = engine.store as CountingStore;
  counting.reset();
  const t0 = performance.now();
  const result = await engine.run(dag, {
    logicalDate,
    onEvent: (e) => {
      latency.onEvent(e);
      if (stagesFrom) times.onEvent(e);
    },
  });
  const wallMs = performance.now() - t0;
  if (result.state !== 'success') throw new Error(`${dag.id} ${logicalDate} ended ${result.state}`);
  const s = latency.summary(upstream);
  return {
    tasksPerSecond: (dag.tasks.length * 1000) / wallMs,
    p50: s.p50,
    p99: s.p99,
    commits: commitsOf(engine),
    ...(stagesFrom ? { stages: await stagesOf(stagesFrom, dag.id, result.runId, times) } : {}),
  };
}

interface Recovery {
  /** SIGKILL → the owner's `up_for_retry` event of the try (failed with WorkerLostError, committed). */
  readonly failedMs: number;
  /** SIGKILL → the owner's `running` event of the retry (on the other worker). */
  readonly retryRunningMs: number;
}

/**
 * One recovery: the victim's first try runs on a worker; that worker is SIGKILLed after a pseudo-random
 * pause (so the kill falls anywhere in the owner's 1 s report poll); times until the try is recorded failed
 * and until its retry runs on the other worker. A new worker replaces the killed one afterwards.
 */
async function recoverOnce(
  engine: Engine,
  workers: Workers,
  url: string,
  dag: Dag,
  logicalDate: string,
  pauseMs: number,
): Promise<Recovery> {
  let failedAt = 0;
  let retryAt = 0;
  let failure = '';
  let firstRunning: (runId: string) => void = () => {};
  const running = new Promise<string>((resolve) => {
    firstRunning = resolve;
  });
  const run = engine.run(dag, {
    logicalDate,
    onEvent: (e) => {
      if (e.type !== 'task-state') return;
      if (e.state === 'running' && e.tryNumber === 1) firstRunning(e.runId);
      if (e.state === 'up_for_retry' && e.tryNumber === 1) {
        failedAt = performance.now();
        failure = e.error ?? '';
      }
      if (e.state === 'running' && e.tryNumber === 2) retryAt = performance.now();
    },
  });
  const runId = await Promise.race([running, run.then((r) => r.runId)]);
  const claimedBy = await claimerOf(url, `${dag.id}/${runId}/victim#1`);
  const holder = workers.live.find((w) => claimedBy !== undefined && w.child.pid === pidOf(claimedBy));
  if (!holder) throw new Error(`recovery: no live worker holds the try (claimed by ${claimedBy})`);
  await new Promise((r) => setTimeout(r, pauseMs));
  const killedAt = performance.now();
  await workers.kill(holder);
  const result = await run;
  if (result.state !== 'success') throw new Error(`recovery run ended ${result.state}`);
  if (!/was lost/.test(failure))
    throw new Error(`recovery: try 1 failed with "${failure}", not WorkerLostError`);
  const tries = await engine.tries(dag.id, result.runId, 'victim');
  if (tries[0]?.errorName !== 'WorkerLostError') throw new Error(`recovery: try 1 is ${tries[0]?.errorName}`);
  const retryWorker = await claimerOf(url, `${dag.id}/${runId}/victim#2`);
  if (retryWorker === undefined || retryWorker === claimedBy)
    throw new Error('recovery: the retry ran on the killed worker');
  workers.start();
  await workers.ready();
  return { failedMs: failedAt - killedAt, retryRunningMs: retryAt - killedAt };
}

const pidOf = (workerId: string): number => Number(workerId.split(':').at(-2));

/** The worker that claimed the try's job (its first `claimed` report). */
async function claimerOf(url: string, jobKey: string): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const schema = new URL(url).searchParams.get('schema')!;
    const { rows } = await client.query<{ worker_id: string }>(
      `SELECT worker_id FROM "${schema}".queue_try_reports WHERE job_key = $1 AND kind = 'claimed' ORDER BY id LIMIT 1`,
      [jobKey],
    );
    return rows[0]?.worker_id;
  } finally {
    await client.end();
  }
}

/** The workers' DAG folder: one file re-exporting the benchmark's DAG module (which resolves the engine). */
function dagsFolder(home: string): string {
  const folder = path.join(home, 'dags');
  fs.mkdirSync(folder, { recursive: true });
  fs.writeFileSync(
    path.join(folder, 'bench_dist.ts'),
    `export * from ${JSON.stringify(new URL('./lib/distributed-dag.ts', import.meta.url).href)};\n`,
  );
  return folder;
}

function daysAfter(start: string, n: number): string {
  return new Date(Date.parse(start) + n * 86_400_000).toISOString().slice(0, 10);
}

export async function distributedBench(ctx: BenchContext): Promise<BenchOutcome> {
  const noPostgres = await postgresUnavailable();
  if (noPostgres) {
    ctx.log(`distributed: ${noPostgres}: skipped`);
    return { params: {}, rows: [], notes: [`Skipped: ${noPostgres} (the queue lives on PostgreSQL).`] };
  }
  const [layers, width] = ctx.quick ? [5, 100] : [100, 100];
  const n = layers * width;
  const maxActive = SLOTS * 2;
  const chainLength = ctx.quick ? 30 : 200;
  const reps = repsOf(ctx, 3);
  const recoveries = ctx.quick ? 2 : 5;
  // The workers' try processes (and the local pools) build the same DAGs from this environment.
  process.env.BENCH_DIST_LAYERS = String(layers);
  process.env.BENCH_DIST_WIDTH = String(width);
  process.env.BENCH_DIST_MAX_ACTIVE = String(maxActive);
  process.env.BENCH_DIST_CHAIN = String(chainLength);
  const layered = layeredDag('bench_dist', layers, width, maxActive);
  const chain = chainDag('bench_dist_chain', chainLength);
  const victim = victimDag('bench_dist_victim');

  const series = new Map<string, number[]>();
  const push = (subject: string, metric: string, v: number) => {
    const k = `${subject}\u0000${metric}`;
    series.set(k, [...(series.get(k) ?? []), v]);
  };
  const get = (subject: string, metric: string) => series.get(`${subject}\u0000${metric}`) ?? [];
  const stageSamples: Stages[] = [];
  const commits = { queue: 0, pool: 0 };
  const recovery: Recovery[] = [];

  await withSchema((url) =>
    withTempDir('dist', async (home) => {
      const { STREAMPRO_EXECUTOR: _, ...inherited } = process.env;
      const workers = new Workers({
        ...inherited,
        STREAMPRO_HOME: path.join(home, 'worker-home'),
        STREAMPRO_DAGS_FOLDER: dagsFolder(home),
        STREAMPRO_DATABASE_URL: url,
        NO_COLOR: '1',
      });
      // The owner creates the schema and the queue before the workers open them.
      const owner = await openEngine(path.join(home, 'owner'), await PostgresRunStore.open(url), 'queue');
      const poolPg = await openEngine(path.join(home, 'pool-pg'), await PostgresRunStore.open(url), 'pool');
      const poolSqlite = await openEngine(
        path.join(home, 'pool-sqlite'),
        await SqliteRunStore.open(path.join(home, 'state.db')),
        'pool',
      );
      try {
        for (let i = 0; i < WORKERS; i++) workers.start();
        await workers.ready();
        ctx.log(`distributed: ${WORKERS} workers up; chain of ${chainLength} (also the warm-up)`);
        let day = 0;
        for (const [subject, engine] of [
          [DIST, owner],
          [POOL_PG, poolPg],
          [POOL_SQLITE, poolSqlite],
        ] as const) {
          const c = await measureRun(engine, chain, daysAfter('2025-01-01', day++));
          push(subject, 'chain p50', c.p50);
          push(subject, 'chain p99', c.p99);
        }
        for (let rep = 0; rep < reps; rep++) {
          ctx.log(`distributed: repetition ${rep + 1}/${reps} (${n} tasks)`);
          // DIST and POOL_PG share the schema: each run has a logical date of its own.
          const runs: [string, Engine, string | undefined, string][] = [
            [DIST, owner, url, daysAfter('2025-02-01', 3 * rep)],
            [POOL_PG, poolPg, undefined, daysAfter('2025-02-01', 3 * rep + 1)],
            [POOL_SQLITE, poolSqlite, undefined, daysAfter('2025-02-01', 3 * rep + 2)],
          ];
          // Alternating the order spreads slow phases of a busy machine over every side.
          if (rep % 2 === 1) runs.reverse();
          for (const [subject, engine, stagesFrom, date] of runs) {
            const r = await measureRun(engine, layered, date, stagesFrom);
            ctx.log(
              `  ${subject}: ${r.tasksPerSecond.toFixed(0)} tasks/s, p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms`,
            );
            push(subject, 'tasks/s', r.tasksPerSecond);
            push(subject, 'p50', r.p50);
            push(subject, 'p99', r.p99);
            if (r.stages) stageSamples.push(r.stages);
            if (subject === DIST) commits.queue = r.commits;
            if (subject === POOL_PG) commits.pool = r.commits;
          }
        }
        const random = seeded(7);
        for (let i = 0; i < recoveries; i++) {
          const pause = 100 + Math.floor(random() * 900);
          const r = await recoverOnce(owner, workers, url, victim, `2025-03-01T00:00:0${i}.000Z`, pause);
          ctx.log(
            `distributed: recovery ${i + 1}/${recoveries} (kill ${pause} ms after start): failed after ${r.failedMs.toFixed(0)} ms, retry running after ${r.retryRunningMs.toFixed(0)} ms`,
          );
          recovery.push(r);
        }
      } finally {
        await workers.stop();
        await owner.close();
        await poolPg.close();
        await poolSqlite.close();
      }
    }),
  );

  const rows = new Rows();
  const tps = 'tasks/s end to end';
  rows.add(POOL_SQLITE, tps, get(POOL_SQLITE, 'tasks/s'));
  rows.compare(POOL_PG, tps, get(POOL_PG, 'tasks/s'), POOL_SQLITE);
  rows.compare(DIST, tps, get(DIST, 'tasks/s'), POOL_PG, {
    text: '≥ 250 tasks/s',
    ok: (_r, v) => v.median >= 250,
  });
  for (const [p, target] of [
    ['p50', 30],
    ['p99', 500],
  ] as const) {
    const metric = `dependency done → dependent running ${p}, ms`;
    rows.add(POOL_SQLITE, metric, get(POOL_SQLITE, p));
    rows.compare(POOL_PG, metric, get(POOL_PG, p), POOL_SQLITE);
    rows.compare(DIST, metric, get(DIST, p), POOL_PG, {
      text: `≤ ${target} ms`,
      ok: (_r, v) => v.median <= target,
    });
  }
  for (const p of ['p50', 'p99'] as const) {
    const metric = `chain of ${chainLength}: dependency done → dependent running ${p}, ms`;
    rows.add(POOL_SQLITE, metric, get(POOL_SQLITE, `chain ${p}`));
    rows.compare(POOL_PG, metric, get(POOL_PG, `chain ${p}`), POOL_SQLITE);
    rows.compare(DIST, metric, get(DIST, `chain ${p}`), POOL_PG);
  }
  const stageRow = (label: string, pick: (s: Stages) => number[]) => {
    for (const p of [50, 99] as const) {
      rows.add(
        DIST,
        `per try: ${label} p${p}, ms`,
        stageSamples.map((s) =>
          percentile(
            [...pick(s)].sort((a, b) => a - b),
            p,
          ),
        ),
      );
    }
  };
  stageRow('queued → claimed', (s) => s.queuedToClaimed);
  stageRow('claimed → started', (s) => s.claimedToStarted);
  stageRow('started → running', (s) => s.startedToRunning);
  stageRow('finished → success', (s) => s.finishedToFinal);
  rows.check(
    RECOVERY,
    'kill → try recorded failed (WorkerLostError), ms',
    recovery.map((r) => r.failedMs),
    '≤ 1000 ms',
    (v) => v.max <= 1000,
  );
  rows.check(
    RECOVERY,
    'kill → retry running on the other worker, ms',
    recovery.map((r) => r.retryRunningMs),
    '≤ 1000 ms',
    (v) => v.max <= 1000,
  );
  return {
    params: {
      layers,
      width,
      tasks: n,
      maxActiveTasks: maxActive,
      workers: WORKERS,
      concurrency: CONCURRENCY,
      chain: chainLength,
      reps,
      recoveries,
    },
    rows: rows.rows,
    notes: [`commits per run: queue ${commits.queue}, pool ${commits.pool}`],
  };
}
