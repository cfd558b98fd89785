import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { requirePostgres, type TestSchema, testSchema } from '../../packages/engine/test/support/postgres.js';
import { BIN, DATE, PipelineSandbox, REPO, type Result } from './support/sandbox.js';

const REPORT = `analytics/report_date=${DATE}/report.json`;

/** `dag status --json` of a run, with the fields that differ between any two runs (times, paths) left out. */
function comparable(status: Result, root: string): unknown {
  const run = JSON.parse(status.stdout.replaceAll(root, '<sandbox>')) as {
    state: string;
    tasks: { taskId: string; state: string; tryNumber: number; error: string | null; output: unknown }[];
  };
  return {
    state: run.state,
    tasks: run.tasks.map((t) => ({
      taskId: t.taskId,
      state: t.state,
      tryNumber: t.tryNumber,
      error: t.error,
      // As text: the stored JSON must come back as written, key order included.
      output: JSON.stringify(t.output),
    })),
  };
}

// The same run of the pipeline with its state in SQLite and in PostgreSQL: nothing may differ but the store.
describe('streampro e2e: the pipeline with its state on PostgreSQL', function () {
  this.timeout(120_000);
  let schema: TestSchema;
  let sqlite: PipelineSandbox;
  let postgres: PipelineSandbox;
  let runs: { sqlite: Result; postgres: Result };

  before(async function () {
    await requirePostgres(this);
    schema = testSchema();
    sqlite = new PipelineSandbox();
    postgres = new PipelineSandbox({ STREAMPRO_DATABASE_URL: schema.url });
    const args = ['run', 'streampro', '--date', DATE];
    runs = { sqlite: await sqlite.dag(args), postgres: await postgres.dag(args) };
  });
  after(async () => {
    sqlite?.cleanup();
    postgres?.cleanup();
    await schema?.drop();
  });

  it('gives the same task states, outputs and report as on SQLite', async () => {
    expect(runs.sqlite.code, runs.sqlite.stderr).to.equal(0);
    expect(runs.postgres.code, runs.postgres.stderr).to.equal(0);
    for (const dagId of ['streampro', 'analytics']) {
      const args = ['status', dagId, '--date', DATE, '--json'];
      const [a, b] = [await sqlite.dag(args), await postgres.dag(args)];
      expect([a.code, b.code], `${a.stderr}${b.stderr}`).to.deep.equal([0, 0]);
      expect(comparable(b, postgres.root), dagId).to.deep.equal(comparable(a, sqlite.root));
    }
    const report = (sb: PipelineSandbox) => fs.readFileSync(sb.lakePath(REPORT), 'utf8');
    expect(report(postgres)).to.equal(report(sqlite));
    // The three answers printed at the end of the run are the same too.
    const answers = (r: Result) => r.stdout.split('\n').filter((line) => /^Q[123] /.test(line));
    expect(answers(runs.postgres)).to.have.length(3);
    expect(answers(runs.postgres)).to.deep.equal(answers(runs.sqlite));
  });

  it('on 2 schedulers and 3 `dag worker` processes (STREAMPRO_EXECUTOR=workers): the same task states, outputs and report', async () => {
    const clusterSchema = testSchema();
    const cluster = new PipelineSandbox({ STREAMPRO_DATABASE_URL: clusterSchema.url });
    const onCluster = { STREAMPRO_EXECUTOR: 'workers' };
    const start = (args: readonly string[]) =>
      spawn(process.execPath, [BIN, ...args], {
        cwd: REPO,
        env: cluster.env(onCluster),
        stdio: ['ignore', 'ignore', 'pipe'],
      });
    const workers = [1, 2, 3].map(() => start(['worker', '--concurrency', '2']));
    const schedulers = [1, 2].map(() => start(['scheduler', '--interval', '500']));
    const processes = [...workers, ...schedulers];
    const stderr = processes.map(() => [] as string[]);
    processes.forEach((p, i) => {
      p.stderr?.on('data', (d: Buffer) => stderr[i]!.push(d.toString()));
    });
    try {
      // `dag run` hands the run to the schedulers and follows it, and then the analytics run its assets trigger.
      let run: Result;
      for (;;) {
        run = await cluster.dag(['run', 'streampro', '--date', DATE], onCluster);
        // The schedulers may not have sent their first heartbeat yet.
        if (!run.stderr.includes('no dag scheduler is running')) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      expect(run.code, run.stderr).to.equal(0);
      expect(run.stdout).to.match(/^analytics 2025-09-09 /m);
      for (const dagId of ['streampro', 'analytics']) {
        const args = ['status', dagId, '--date', DATE, '--json'];
        const [a, b] = [await sqlite.dag(args), await cluster.dag(args)];
        expect(comparable(b, cluster.root), dagId).to.deep.equal(comparable(a, sqlite.root));
      }
      expect(fs.readFileSync(cluster.lakePath(REPORT), 'utf8')).to.equal(
        fs.readFileSync(sqlite.lakePath(REPORT), 'utf8'),
      );
      // Every try ran on a worker: each worker's log names the tries it ran, and together they are all of them.
      const ran = stderr
        .slice(0, workers.length)
        .flatMap((lines) => lines.join('').match(/running \S+/g) ?? []);
      const tasks = comparable(
        await cluster.dag(['status', 'streampro', '--date', DATE, '--json']),
        cluster.root,
      ) as {
        tasks: unknown[];
      };
      // (The schedulers also create today's scheduled run, which fails for want of landing files: not counted.)
      const streampro = ran.filter((r) => r.startsWith(`running streampro/manual__${DATE}/`));
      expect(streampro.length).to.equal(tasks.tasks.length);
      expect(new Set(streampro).size).to.equal(streampro.length);
    } finally {
      for (const p of processes) p.kill('SIGTERM');
      await Promise.all(
        processes.map((p) => new Promise((r) => (p.exitCode === null ? p.once('exit', r) : r(null)))),
      );
      cluster.cleanup();
      await clusterSchema.drop();
    }
  });

  it('creates no state.db, and `dag status`, `dag runs`, `dag logs` read the state back from the server', async () => {
    expect(fs.existsSync(path.join(postgres.home, 'state.db'))).to.equal(false);
    expect(fs.existsSync(path.join(sqlite.home, 'state.db'))).to.equal(true);

    const status = await postgres.dag(['status', 'streampro', '--date', DATE]);
    expect(status.code, status.stderr).to.equal(0);
    expect(status.stdout).to.match(/^streampro 2025-09-09 \(manual__2025-09-09\): success/);
    expect(status.stdout).to.match(/quality +│ success +│ 1 /);

    const list = await postgres.dag(['runs', 'streampro', '--json']);
    expect(list.code, list.stderr).to.equal(0);
    expect(
      (JSON.parse(list.stdout) as { runId: string; state: string }[]).map((r) => [r.runId, r.state]),
    ).to.deep.equal([['manual__2025-09-09', 'success']]);

    const logs = await postgres.dag(['logs', 'streampro', '--date', DATE, '--task', 'quality']);
    expect(logs.code, logs.stderr).to.equal(0);
    expect(logs.stdout).to.match(/^=== quality try 1 \(success\) /);
    expect(logs.stdout).to.contain('try succeeded');

    // Running the date again finds the run on the server: already done, nothing executed.
    const again = await postgres.dag(['run', 'streampro', '--date', DATE]);
    expect(again.code, again.stderr).to.equal(0);
    expect(again.stderr).to.contain('already succeeded');
  });
});
