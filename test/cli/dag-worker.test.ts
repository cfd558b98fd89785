import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import {
  collect,
  json,
  overlaps,
  poolIntervals,
  type Result,
  Sandbox,
  TEST_STORE,
  until,
  withEngine,
} from './helpers.js';

const here = path.dirname(fileURLToPath(import.meta.url));

interface Status {
  state: string;
  tasks: { taskId: string; state: string; tryNumber: number; output: unknown; error: string | null }[];
}

/** Distributed execution needs PostgreSQL: these run in `npm run test:cli:postgres` (part of `npm test`). */
(TEST_STORE === 'postgres' ? describe : describe.skip)(
  'dag worker: tries on workers through the queue on PostgreSQL (e2e)',
  function () {
    this.timeout(120_000);
    let sb: Sandbox;
    const running: { child: ChildProcess; done: Promise<Result>; err: string[] }[] = [];

    beforeEach(() => {
      sb = new Sandbox();
      sb.dagsFolder = path.join(here, 'fixtures/worker-dags');
    });
    afterEach(async () => {
      for (const p of running.splice(0)) {
        p.child.kill('SIGKILL');
        await exited(p.child);
      }
      await sb.cleanup();
    });

    const spawn = (
      env: NodeJS.ProcessEnv,
      ...args: string[]
    ): { child: ChildProcess; done: Promise<Result>; err: string[] } => {
      const saved = sb.env;
      sb.env = () => ({ ...saved.call(sb), ...env });
      const child = sb.start(...args);
      sb.env = saved;
      const err: string[] = [];
      child.stderr?.on('data', (d: Buffer) => err.push(d.toString()));
      const p = { child, done: collect(child), err };
      running.push(p);
      return p;
    };
    const schedulerWith = (env: NodeJS.ProcessEnv) =>
      spawn(
        { STREAMPRO_EXECUTOR: 'workers', STREAMPRO_WORKER_TTL_MS: '3000', ...env },
        'scheduler',
        '--interval',
        '200',
      );
    const scheduler = () => schedulerWith({});
    const worker = () => spawn({}, 'worker', '--concurrency', '2', '--grace', '2000');
    const executions = (): string[][] =>
      fs.existsSync(sb.fx('executions.log'))
        ? fs
            .readFileSync(sb.fx('executions.log'), 'utf8')
            .trim()
            .split('\n')
            .filter(Boolean)
            .map((l) => l.split(' '))
        : [];

    it('runs a fan-out DAG on two workers, none of it in the scheduler, each try once', async () => {
      const s = scheduler();
      const workers = [worker(), worker()];
      const r = await sb.dag('trigger', 'cluster', '--date', '2025-05-01', '--wait', '--json');
      expect(r.code, r.stderr).to.equal(0);
      const status = json<Status>(r);
      expect(status.state).to.equal('success');
      expect(status.tasks.find((t) => t.taskId === 'load')?.output).to.equal(18);
      const rows = executions();
      expect(rows.map((x) => x[1]).sort()).to.deep.equal([
        'extract',
        'load',
        'part_1',
        'part_2',
        'part_3',
        'slow',
        'slow-end',
      ]);
      expect(rows.every((x) => x[2] === '1')).to.equal(true);
      // Bodies ran in the workers' child processes: neither in the scheduler nor in a worker process itself.
      const pids = new Set(rows.map((x) => Number(x[3])));
      for (const p of [s, ...workers]) expect(pids.has(p.child.pid!)).to.equal(false);
      for (const p of [...workers, s]) p.child.kill('SIGTERM');
      for (const p of [...workers, s]) expect((await p.done).code).to.equal(0);
      running.splice(0);
    });

    it('a worker killed with SIGKILL mid-try: the try fails WorkerLostError, is retried on the other, the run succeeds', async () => {
      fs.writeFileSync(sb.fx('hold'), '');
      scheduler();
      const first = worker();
      const r = sb.dag('trigger', 'cluster', '--date', '2025-05-02', '--wait', '--json');
      await until('the slow task to start', () => executions().some((x) => x[1] === 'slow'));
      const second = worker();
      await new Promise((res) => setTimeout(res, 500));
      first.child.kill('SIGKILL');
      // Its exit, not the end of its output: the try's orphaned child may hold the pipes a moment longer.
      await exited(first.child);
      await until(
        'the slow task to run again',
        () => executions().filter((x) => x[1] === 'slow').length === 2,
        30_000,
      );
      fs.rmSync(sb.fx('hold'));
      const result = await Promise.race([
        r,
        new Promise<never>((_, reject) =>
          setTimeout(
            () =>
              reject(
                new Error(
                  `trigger --wait did not end:\n${running.map((p) => p.err.join('')).join('\n---\n')}`,
                ),
              ),
            40_000,
          ),
        ),
      ]);
      expect(result.code, result.stderr).to.equal(0);
      const status = json<Status>(result);
      expect(status.state).to.equal('success');
      expect(status.tasks.find((t) => t.taskId === 'slow')?.tryNumber).to.equal(2);
      const tries = executions().map((x) => `${x[1]}#${x[2]}`);
      expect(new Set(tries).size, tries.join(', ')).to.equal(tries.length);
      const slowTries = await withEngine(sb.home, (e) => e.tries('cluster', 'manual__2025-05-02', 'slow'));
      expect(slowTries.map((t) => [t.tryNumber, t.state, t.errorName])).to.deep.equal([
        [1, 'up_for_retry', 'WorkerLostError'],
        [2, 'success', null],
      ]);
      expect(slowTries[0]?.errorMessage).to.match(
        /^worker .+ was lost while it ran the try: its process \d+ on .+ is gone$/,
      );
      second.child.kill('SIGTERM');
      expect((await second.done).code).to.equal(0);
    });

    it('a worker stopped (SIGSTOP) past its TTL loses its try; resumed, it stops that try and its report is ignored', async () => {
      fs.writeFileSync(sb.fx('hold'), '');
      scheduler();
      const first = worker();
      const r = sb.dag('trigger', 'cluster', '--date', '2025-05-03', '--wait', '--json');
      await until('the slow task to start', () => executions().some((x) => x[1] === 'slow'));
      worker();
      first.child.kill('SIGSTOP');
      await until(
        'the slow task to run again',
        () => executions().filter((x) => x[1] === 'slow').length === 2,
        30_000,
      );
      first.child.kill('SIGCONT');
      await until(
        'the resumed worker to stop its try',
        () => first.err.join('').includes('stopped cluster/manual__2025-05-03/slow#1'),
        20_000,
      );
      fs.rmSync(sb.fx('hold'));
      const result = await r;
      expect(result.code, result.stderr).to.equal(0);
      expect(json<Status>(result).tasks.find((t) => t.taskId === 'slow')?.tryNumber).to.equal(2);
      const slowTries = await withEngine(sb.home, (e) => e.tries('cluster', 'manual__2025-05-03', 'slow'));
      expect(slowTries.map((t) => [t.tryNumber, t.state, t.errorName])).to.deep.equal([
        [1, 'up_for_retry', 'WorkerLostError'],
        [2, 'success', null],
      ]);
      expect(slowTries[0]?.errorMessage).to.match(/no heartbeat for \d+ ms \(TTL 3000 ms\)$/);
      // Try 1's body never got past its wait: the worker killed it when it came back.
      expect(
        executions()
          .filter((x) => x[1] === 'slow-end')
          .map((x) => x[2]),
      ).to.deep.equal(['2']);
    });

    it("a worker's try log is shipped to the store: dag logs (and --follow) read it where the worker's disk is not", async () => {
      fs.writeFileSync(sb.fx('chatty-hold'), '');
      scheduler();
      const workerHome = path.join(sb.root, 'worker-home');
      spawn({ STREAMPRO_HOME: workerHome }, 'worker', '--concurrency', '2', '--grace', '2000');
      const triggered = sb.dag('trigger', 'chatty', '--date', '2025-07-01', '--wait', '--json');
      const tryOf = () => withEngine(sb.home, (e) => e.tries('chatty', 'manual__2025-07-01', 'talk'));
      await until('the try to run', async () => (await tryOf())[0]?.state === 'running');
      await until('a few lines to be shipped', async () => {
        const shipped = await withEngine(sb.home, (e) =>
          e.store.readTryLog({ dagId: 'chatty', runId: 'manual__2025-07-01', taskId: 'talk', tryNumber: 1 }),
        );
        return (shipped?.text.match(/line \d+/g) ?? []).length >= 3;
      });
      const following = sb.dag(
        'logs',
        'chatty',
        '--date',
        '2025-07-01',
        '--task',
        'talk',
        '--follow',
        '--raw',
      );
      await new Promise((res) => setTimeout(res, 1_500));
      fs.rmSync(sb.fx('chatty-hold'));
      const [followed, run] = await Promise.all([following, triggered]);
      expect(run.code, run.stderr).to.equal(0);
      expect(followed.code, followed.stderr).to.equal(0);
      const lines = followed.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { message: string; n?: number });
      const total = json<{ tasks: { output: unknown }[] }>(run).tasks[0]!.output as number;
      // Every line, in order, exactly once: those shipped before --follow started and those after.
      expect(lines.filter((l) => l.n !== undefined).map((l) => l.n)).to.deep.equal(
        Array.from({ length: total }, (_, i) => i + 1),
      );
      expect(lines.map((l) => l.message)).to.include.members(['printed on stdout', 'done talking']);
      const plain = await sb.dag('logs', 'chatty', '--date', '2025-07-01');
      expect(plain.code, plain.stderr).to.equal(0);
      expect(plain.stdout).to.match(/=== talk try 1 \(success\) \(shipped by the worker on .+\)/);
      expect(plain.stdout).to.include('done talking');
      // The worker kept its own copy under its home; the scheduler's home has none.
      const rel = 'logs/dag_id=chatty/run_id=manual__2025-07-01/tries.log';
      expect(fs.existsSync(path.join(workerHome, rel))).to.equal(true);
      expect(fs.existsSync(path.join(sb.home, rel))).to.equal(false);
    });

    it('a task naming a queue runs only on a worker serving it; the others on the default queue', async () => {
      scheduler();
      const plain = worker();
      const triggered = sb.dag('trigger', 'routed', '--date', '2025-08-01', '--wait', '--json');
      await until('light to succeed', () =>
        plain.err.join('').includes('routed/manual__2025-08-01/light#1 success'),
      );
      // No worker serves 'duckdb' yet: heavy waits queued.
      await new Promise((res) => setTimeout(res, 1_500));
      const heavy = async () =>
        (await withEngine(sb.home, (e) => e.store.listTaskInstances('routed', 'manual__2025-08-01'))).find(
          (t) => t.taskId === 'heavy',
        )?.state;
      expect(await heavy()).to.equal('queued');
      const duck = spawn({}, 'worker', '--queue', 'duckdb', '--concurrency', '1');
      const result = await triggered;
      expect(result.code, result.stderr).to.equal(0);
      expect(json<Status>(result).tasks.find((t) => t.taskId === 'after')?.output).to.equal(3);
      expect(duck.err.join('')).to.include('queue(s) duckdb');
      expect(duck.err.join('')).to.include('running routed/manual__2025-08-01/heavy#1');
      expect(duck.err.join('')).to.not.include('/light#');
      expect(duck.err.join('')).to.not.include('/after#');
      expect(plain.err.join('')).to.not.include('/heavy#');
    });

    it('dag worker --queue with a bad name: exit 2 and one line', async () => {
      const r = await sb.dag('worker', '--queue', 'du ck');
      expect(r.code).to.equal(2);
      expect(r.stderr.trim()).to.match(/^dag: --queue 'du ck' is not a queue name: ids may contain only/);
    });

    it('dag run on a cluster hands the run to the schedulers and follows it; --local executes here', async () => {
      const cluster = { STREAMPRO_EXECUTOR: 'workers' };
      const run = (...args: string[]) => {
        const saved = sb.env;
        sb.env = () => ({ ...saved.call(sb), ...cluster });
        const done = sb.dag('run', 'cluster', ...args);
        sb.env = saved;
        return done;
      };
      const lonely = await run('--date', '2025-10-01');
      expect(lonely.code).to.equal(2);
      expect(lonely.stderr.trim()).to.equal(
        'dag: no dag scheduler is running on this store to take the run (STREAMPRO_EXECUTOR=workers): start one, or pass --local to execute it in this process',
      );
      const s = scheduler();
      const w = worker();
      await until(
        'the scheduler to heartbeat',
        async () => (await withEngine(sb.home, (e) => e.store.listSchedulers())).length > 0,
      );
      const followed = await run('--date', '2025-10-01', '--json');
      expect(followed.code, followed.stderr).to.equal(0);
      expect(followed.stderr).to.include('queued cluster manual__2025-10-01 for the schedulers');
      const runs = json<{ runs: { dagId: string; state: string; alreadyDone: boolean }[] }>(followed).runs;
      expect(runs.map((r) => [r.dagId, r.state, r.alreadyDone])).to.deep.equal([
        ['cluster', 'success', false],
      ]);
      expect(s.err.join('')).to.include('executing cluster manual__2025-10-01');
      expect(w.err.join('')).to.include('running cluster/manual__2025-10-01/load#1');
      const again = await run('--date', '2025-10-01');
      expect(again.code, again.stderr).to.equal(0);
      expect(again.stderr).to.include('cluster 2025-10-01 already succeeded; pass --force to run it again');
      const partial = await run('--date', '2025-10-02', '--task', 'extract');
      expect(partial.code).to.equal(2);
      expect(partial.stderr.trim()).to.match(
        /^dag: --task runs part of a run in this process, .*add --local/,
      );
      const local = await run('--date', '2025-10-02', '--local', '--json');
      expect(local.code, local.stderr).to.equal(0);
      expect(w.err.join('')).to.not.include('manual__2025-10-02');
      expect(s.err.join('')).to.not.include('executing cluster manual__2025-10-02');
    });

    it('a pool of 1 across 2 schedulers and 3 workers: no two bodies overlap, each try once', async () => {
      expect((await sb.dag('pools', 'set', 'solo', '1')).code).to.equal(0);
      const schedulers = [scheduler(), scheduler()];
      const workers = [worker(), worker(), worker()];
      const dates = ['2025-06-01', '2025-06-02', '2025-06-03'];
      const results = await Promise.all(
        dates.map((d) => sb.dag('trigger', 'pooled', '--date', d, '--wait', '--json')),
      );
      for (const r of results) expect(r.code, r.stderr).to.equal(0);
      const intervals = poolIntervals(sb.fx('pool.log'));
      expect(intervals.map((i) => i.task).sort()).to.deep.equal(
        dates.flatMap((d) => [1, 2, 3, 4, 5, 6].map((i) => `solo_${i}@${d}`)).sort(),
      );
      expect(overlaps(intervals)).to.deep.equal([]);
      // The bodies ran in more than one worker's processes, and both schedulers executed runs.
      expect(new Set(intervals.map((i) => i.pid)).size).to.be.greaterThan(1);
      const owners = schedulers.filter((p) => p.err.join('').includes('executing pooled'));
      expect(owners.length, schedulers.map((p) => p.err.join('')).join('\n---\n')).to.be.greaterThan(0);
      for (const p of [...workers, ...schedulers]) p.child.kill('SIGTERM');
      for (const p of [...workers, ...schedulers]) expect((await p.done).code).to.equal(0);
      running.splice(0);
    });

    it('the scheduler owning the run is killed (SIGKILL): the other takes it over, the old try is stopped, the run succeeds', async () => {
      fs.writeFileSync(sb.fx('hold'), '');
      const lease = { STREAMPRO_LEASE_TTL_MS: '3000' };
      const schedulers = [schedulerWith(lease), schedulerWith(lease)];
      worker();
      worker();
      const r = sb.dag('trigger', 'cluster', '--date', '2025-05-04', '--wait', '--json');
      await until('the slow task to start', () => executions().some((x) => x[1] === 'slow'));
      const owner = schedulers.find((p) => p.err.join('').includes('executing cluster manual__2025-05-04'));
      expect(owner, 'a scheduler executes the run').to.not.equal(undefined);
      owner!.child.kill('SIGKILL');
      await exited(owner!.child);
      await until(
        'the slow task to run again',
        () => executions().filter((x) => x[1] === 'slow').length === 2,
        30_000,
      );
      fs.rmSync(sb.fx('hold'));
      const result = await r;
      expect(result.code, result.stderr).to.equal(0);
      expect(json<Status>(result).state).to.equal('success');
      const tries = executions().map((x) => `${x[1]}#${x[2]}`);
      expect(new Set(tries).size, tries.join(', ')).to.equal(tries.length);
      // The body of the try the dead scheduler dispatched was stopped by its worker: it never ended.
      expect(
        executions()
          .filter((x) => x[1] === 'slow-end')
          .map((x) => x[2]),
        running.map((p) => p.err.join('')).join('\n---\n'),
      ).to.deep.equal(['2']);
    });
  },
);

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}
