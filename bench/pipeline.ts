import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { type BenchContext, type BenchOutcome, repsOf, withTempDir } from './lib/bench.js';
import { runTsChild } from './lib/child.js';
import { criticalPathOverhead, type TaskTiming, upstreamFromDot } from './lib/critical-path.js';
import { DAG_BIN, REPO_ROOT } from './lib/paths.js';
import { Rows } from './lib/report.js';
import { startLocalS3 } from './lib/s3.js';

const exec = promisify(execFile);
const DATE = '2025-09-09';
/** At this scale the generator writes ~6.15 event lines per new user: 163,000 users make ~1 M lines. */
const FULL_USERS = 163_000;

interface RunJson {
  readonly dagId: string;
  readonly state: string;
  readonly startedAt: string | null;
  readonly endedAt: string | null;
  readonly tasks: readonly (TaskTiming & { readonly state: string; readonly error: string | null })[];
}

async function dag(args: readonly string[], env: NodeJS.ProcessEnv): Promise<string> {
  try {
    const { stdout } = await exec(process.execPath, [DAG_BIN, ...args], {
      cwd: REPO_ROOT,
      env,
      maxBuffer: 64 * 1024 * 1024,
    });
    return stdout;
  } catch (error) {
    const e = error as Error & { stdout?: string; stderr?: string };
    throw new Error(`dag ${args.join(' ')} failed: ${e.message}\n${e.stdout ?? ''}\n${e.stderr ?? ''}`);
  }
}

export async function pipelineBench(ctx: BenchContext): Promise<BenchOutcome> {
  if (!fs.existsSync(DAG_BIN)) throw new Error(`${DAG_BIN} missing: build engine, operators and cli first`);
  const users = ctx.quick ? 100 : FULL_USERS;
  const reps = repsOf(ctx, 3);
  return withTempDir('pipeline', async (dir) => {
    const data = path.join(dir, 'data');
    ctx.log(`pipeline: generating ${DATE} with ${users} new users`);
    const { eventLines } = await runTsChild<{ eventLines: number }>(
      path.join(REPO_ROOT, 'bench', 'pipeline-data.ts'),
      [DATE, String(users), data],
    );
    const baseEnv = { ...process.env, STREAMPRO_DATA_DIR: data, NO_COLOR: '1' };
    const listed = JSON.parse(
      await dag(['list', '--json'], { ...baseEnv, STREAMPRO_HOME: path.join(dir, 'probe') }),
    ) as {
      dags: { dagId: string }[];
      broken: { path: string; error: string }[];
    };
    if (!listed.dags.some((d) => d.dagId === 'streampro')) {
      const why = listed.broken.map((b) => `${b.path}: ${b.error.split('\n')[0]}`).join('; ');
      throw new Error(`the streampro DAG does not load (${why || 'not found in dags/'})`);
    }
    const upstream = upstreamFromDot(await dag(['graph', 'streampro', '--format', 'dot'], baseEnv));
    const rows = new Rows();
    let criticalPath: readonly string[] = [];
    const s3 = ctx.quick ? null : await startLocalS3();
    try {
      const local = (label: string, executor: string): Lake => ({
        label,
        env: async (rep) => ({ STREAMPRO_LAKE: path.join(dir, `lake-${rep}`), STREAMPRO_EXECUTOR: executor }),
        dispose: (rep) => fs.rmSync(path.join(dir, `lake-${rep}`), { recursive: true, force: true }),
      });
      const lakes: Lake[] = [
        local('local lake, worker processes', 'processes'),
        local('local lake, in-process executor', 'in-process'),
      ];
      if (s3) {
        // Buckets live in the server's data folder, which close() removes.
        lakes.push({
          label: 's3rver lake',
          env: (rep) => s3.lakeEnv(`bench-${rep}-${Date.now()}`),
          dispose: () => {},
        });
      }
      for (const lake of lakes) {
        const m = await measureLake(ctx, lake, reps, dir, { ...baseEnv }, upstream);
        criticalPath = m.criticalPath;
        const subject = `dag run streampro (${lake.label})`;
        const base = `baseline: task bodies called directly (${lake.label})`;
        rows.add(subject, 'process wall ms', m.wall);
        rows.add(base, 'run window ms', m.direct);
        rows.compare(subject, 'run window ms', m.window, base);
        rows.check(subject, 'orchestration overhead, % of run window', m.share, '< 2%', (v) => v.median < 2);
        rows.add(subject, 'outside the run window ms (start-up, load, exit)', m.outside);
      }
    } finally {
      await s3?.close();
    }
    return {
      params: { date: DATE, usersPerDay: users, eventLines, reps },
      rows: rows.rows,
      notes: [
        `One generated day (${eventLines} event lines plus the users, videos and devices files) through ` +
          '`dag run streampro --no-downstream --json` (the asset-triggered analytics DAG is not run) in a ' +
          'child process, in a fresh STREAMPRO_HOME and lake per repetition; the S3 variant (full runs only) uses s3rver in the benchmark process on 127.0.0.1.',
        'Overhead = run window − Σ task durations along the critical path, i.e. run start → first task start, ' +
          'gaps between each task and the upstream it waited for (the one that finished last), last task end → ' +
          `run end; timestamps of the run JSON (ms). Critical path: ${criticalPath.join(' → ')}.`,
        'Baseline: the same task bodies in a plain promise graph (each starts when its upstream tasks are ' +
          'done; no scheduler, state store, log files or CLI), timed first start to last end in its own process.',
      ],
    };
  });
}

interface Lake {
  readonly label: string;
  /** Environment of repetition `rep`: a fresh, empty lake each time. */
  env(rep: number): Promise<Record<string, string>>;
  /** Removes what repetition `rep` wrote, so big days do not pile up in the temp folder. */
  dispose(rep: number): void;
}

interface LakeFigures {
  readonly wall: number[];
  readonly window: number[];
  readonly share: number[];
  readonly outside: number[];
  readonly direct: number[];
  criticalPath: readonly string[];
}

async function measureLake(
  ctx: BenchContext,
  lake: Lake,
  reps: number,
  dir: string,
  baseEnv: NodeJS.ProcessEnv,
  upstream: ReadonlyMap<string, readonly string[]>,
): Promise<LakeFigures> {
  const f: LakeFigures = { wall: [], window: [], share: [], outside: [], direct: [], criticalPath: [] };
  for (let rep = 0; rep < reps; rep++) {
    ctx.log(`pipeline: ${lake.label}, repetition ${rep + 1}/${reps}`);
    const home = path.join(dir, `home-${rep}`);
    const t0 = performance.now();
    const out = await dag(['run', 'streampro', '--date', DATE, '--no-downstream', '--json'], {
      ...baseEnv,
      ...(await lake.env(2 * rep)),
      STREAMPRO_HOME: home,
    });
    const ms = performance.now() - t0;
    // `dag run --json` prints the run and the asset-triggered runs that followed it.
    const run = (JSON.parse(out) as { runs: RunJson[] }).runs.find((r) => r.dagId === 'streampro');
    if (!run) throw new Error('dag run --json printed no streampro run');
    if (run.state !== 'success' || run.startedAt === null || run.endedAt === null) {
      const failed = run.tasks.filter((t) => t.error).map((t) => `${t.taskId}: ${t.error}`);
      throw new Error(`streampro run ended ${run.state}: ${failed.join('; ')}`);
    }
    const o = criticalPathOverhead({ startedAt: run.startedAt, endedAt: run.endedAt }, run.tasks, upstream);
    f.criticalPath = o.path;
    f.wall.push(ms);
    f.window.push(o.windowMs);
    f.share.push((100 * o.overheadMs) / o.windowMs);
    f.outside.push(ms - o.windowMs);
    fs.rmSync(home, { recursive: true, force: true });
    const direct = await runTsChild<{ ms: number }>(
      path.join(REPO_ROOT, 'bench', 'pipeline-direct.ts'),
      [DATE],
      {
        ...baseEnv,
        ...(await lake.env(2 * rep + 1)),
      },
    );
    f.direct.push(direct.ms);
    lake.dispose(2 * rep);
    lake.dispose(2 * rep + 1);
  }
  return f;
}
