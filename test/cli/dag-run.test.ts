import fs from 'node:fs';
import { expect } from 'chai';
import { daily } from './fixtures/dags/daily.js';
import { flaky } from './fixtures/dags/flaky.js';
import { needsInput } from './fixtures/dags/needs_input.js';
import { quick } from './fixtures/dags/quick.js';
import { slow } from './fixtures/dags/slow.js';
import { collect, json, Sandbox, taskStates, waitForStderr, withEngine } from './helpers.js';

interface TaskJson {
  taskId: string;
  state: string;
  tryNumber: number;
  startedAt: string | null;
  endedAt: string | null;
  durationMs: number | null;
  logPath: string | null;
}
interface RunJson {
  dagId: string;
  runId: string;
  logicalDate: string;
  state: string;
  startedAt: string | null;
  endedAt: string | null;
  tasks: TaskJson[];
}
interface BackfillJson {
  succeeded: number;
  failed: number;
  skipped: number;
  results: { logicalDate: string; action: string; state: string }[];
}

const DATE = '2025-09-09';

describe('dag CLI: running DAGs (e2e)', function () {
  this.timeout(30_000);
  let sb: Sandbox;
  beforeEach(() => {
    sb = new Sandbox();
  });
  afterEach(() => sb.cleanup());

  it('runs a DAG with params, prints a summary table and the `summary` output, then runs the asset consumer', async () => {
    const r = await sb.dag('run', 'quick', '--date', DATE, '--param', 'greeting=hi', '--param', 'repeat=2');
    expect(r.code, r.stderr).to.equal(0);
    expect(fs.readFileSync(sb.fx(`out/quick-${DATE}.txt`), 'utf8')).to.equal(`hi x2 ${DATE}\n`);
    expect(r.stdout).to.match(/quick 2025-09-09 \(manual__2025-09-09\): success/);
    expect(r.stdout).to.match(/clean\.dedupe +│ success +│ 1 /);
    expect(r.stdout).to.contain(`quick loaded 3 rows for ${DATE}`);
    expect(r.stdout).to.match(/consumer 2025-09-09 \(asset_triggered__2025-09-09\): success/);
    expect(fs.existsSync(sb.fx(`out/consumer-${DATE}.txt`))).to.equal(true);
    // Not a TTY: one line per state change on stderr.
    expect(r.stderr).to.match(/quick 2025-09-09 load success \(try 1\)/);

    const status = await sb.dag('status', 'quick', '--date', DATE, '--json');
    expect(status.code).to.equal(0);
    const run = json<RunJson>(status);
    expect(Object.keys(run)).to.deep.equal([
      'dagId',
      'runId',
      'logicalDate',
      'state',
      'startedAt',
      'endedAt',
      'tasks',
    ]);
    expect(run).to.include({
      dagId: 'quick',
      runId: 'manual__2025-09-09',
      logicalDate: DATE,
      state: 'success',
    });
    expect(run.tasks.map((t) => t.taskId)).to.deep.equal([
      'extract',
      'clean.dedupe',
      'clean.validate',
      'load',
    ]);
    for (const t of run.tasks) {
      expect(t).to.include.keys(
        'taskId',
        'state',
        'tryNumber',
        'startedAt',
        'endedAt',
        'durationMs',
        'logPath',
      );
      expect(new Date(t.startedAt!).toISOString()).to.equal(t.startedAt);
      expect(fs.existsSync(t.logPath!)).to.equal(true);
    }
  });

  it('--json keeps stdout to one JSON document and --no-downstream skips asset consumers', async () => {
    const r = await sb.dag('run', 'quick', '--date', DATE, '--json', '--no-downstream');
    expect(r.code, r.stderr).to.equal(0);
    const out = json<{ runs: (RunJson & { alreadyDone: boolean })[] }>(r);
    expect(out.runs.map((x) => [x.dagId, x.state, x.alreadyDone])).to.deep.equal([
      ['quick', 'success', false],
    ]);
    expect(fs.existsSync(sb.fx(`out/consumer-${DATE}.txt`))).to.equal(false);
  });

  it('retries a failing task until it succeeds, and shows the logs of a given try', async () => {
    const r = await sb.dag('run', 'flaky', '--date', DATE);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stderr).to.match(/flaky_step up_for_retry \(try 1\): transient failure/);
    expect(await taskStates(sb.home, flaky, DATE)).to.deep.equal({
      prepare: ['success', 1],
      flaky_step: ['success', 2],
      finish: ['success', 1],
    });

    const first = await sb.dag('logs', 'flaky', '--date', DATE, '--task', 'flaky_step', '--try', '1');
    expect(first.code).to.equal(0);
    expect(first.stdout).to.match(/=== flaky_step try 1 \(up_for_retry\)/);
    expect(first.stdout).to.match(/ERROR try failed: transient failure/);
    expect(first.stdout).to.not.contain('marker found');
    const second = await sb.dag(
      'logs',
      'flaky',
      '--date',
      DATE,
      '--task',
      'flaky_step',
      '--try',
      '2',
      '--raw',
    );
    const lines = second.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.every((l) => l.tryNumber === 2 && l.taskId === 'flaky_step')).to.equal(true);
    expect(lines.map((l) => l.message)).to.include('marker found, succeeding');

    const all = await sb.dag('logs', 'flaky', '--date', DATE);
    const headers = all.stdout.split('\n').filter((l) => l.startsWith('==='));
    expect(headers.map((h) => h.split(' ').slice(1, 4).join(' '))).to.deep.equal([
      'prepare try 1',
      'flaky_step try 2',
      'finish try 1',
    ]);
  });

  it('fails a run (exit 1, log of the failed try), then resumes it after the input is fixed', async () => {
    const failed = await sb.dag('run', 'needs_input', '--date', DATE);
    expect(failed.code).to.equal(1);
    expect(failed.stdout).to.match(/read_input +│ failed .*run_id=manual__2025-09-09\/tries\.log/);
    expect(failed.stdout).to.match(/failed read_input: input file .* does not exist/);
    expect(await taskStates(sb.home, needsInput, DATE)).to.deep.equal({
      start: ['success', 1],
      read_input: ['failed', 1],
      publish: ['upstream_failed', 0],
      report: ['upstream_failed', 0],
    });

    fs.writeFileSync(sb.fx(`input-${DATE}.txt`), 'data\n');
    const resumed = await sb.dag('run', 'needs_input', '--date', DATE);
    expect(resumed.code, resumed.stderr).to.equal(0);
    expect(await taskStates(sb.home, needsInput, DATE)).to.deep.equal({
      start: ['success', 1],
      read_input: ['success', 2],
      publish: ['success', 1],
      report: ['success', 1],
    });
  });

  it('backfills 10 dates with --max-active-runs 3, then reprocesses only the failed ones', async () => {
    fs.writeFileSync(sb.fx('fail-dates.txt'), '2025-01-03 2025-01-07\n');
    const r = await sb.dag(
      'backfill',
      'daily',
      '--start',
      '2025-01-01',
      '--end',
      '2025-01-10',
      '--max-active-runs',
      '3',
      '--json',
    );
    expect(r.code, r.stderr).to.equal(1);
    const result = json<BackfillJson>(r);
    expect([result.succeeded, result.failed, result.skipped]).to.deep.equal([8, 2, 0]);
    expect(r.stderr).to.match(/\[10\/10\]/);

    const runs = await withEngine(sb.home, (e) => e.listRuns(daily.id));
    expect(runs).to.have.length(10);
    expect(maxOverlap(runs)).to.be.at.most(3);
    const failed = json<RunJson[]>(await sb.dag('runs', 'daily', '--state', 'failed', '--json'));
    expect(failed.map((x) => x.logicalDate).sort()).to.deep.equal(['2025-01-03', '2025-01-07']);

    fs.rmSync(sb.fx('fail-dates.txt'));
    const plan = await sb.dag(
      'backfill',
      'daily',
      '--start',
      '2025-01-01',
      '--end',
      '2025-01-10',
      '--reprocess',
      'failed',
      '--dry-run',
    );
    expect(plan.code).to.equal(0);
    expect(plan.stdout).to.match(/2025-01-03 +│ rerun +│ failed/);
    expect(plan.stdout).to.contain('10 dates (8 skip, 2 rerun)');
    const again = await sb.dag(
      'backfill',
      'daily',
      '--start',
      '2025-01-01',
      '--end',
      '2025-01-10',
      '--reprocess',
      'failed',
    );
    expect(again.code, again.stderr).to.equal(0);
    expect(again.stdout).to.contain('2 succeeded, 0 failed, 8 skipped');
  });

  it('clears a task and its downstream tasks (asking for --yes without a TTY), then reruns only those', async () => {
    expect((await sb.dag('run', 'quick', '--date', DATE, '--no-downstream')).code).to.equal(0);
    const refused = await sb.dag('clear', 'quick', '--date', DATE, '--task', 'clean.dedupe', '--downstream');
    expect(refused.code).to.equal(2);
    expect(refused.stdout).to.match(/will clear 2 task instance/);
    expect(refused.stderr).to.equal(
      'dag: refusing to clear without confirmation on a non-interactive terminal; pass --yes\n',
    );
    expect((await withEngine(sb.home, (e) => e.status(quick, DATE)))?.state).to.equal('success');

    const cleared = await sb.dag(
      'clear',
      'quick',
      '--date',
      DATE,
      '--task',
      'clean.dedupe',
      '--downstream',
      '--yes',
    );
    expect(cleared.code, cleared.stderr).to.equal(0);
    expect(await taskStates(sb.home, quick, DATE)).to.deep.equal({
      extract: ['success', 1],
      'clean.dedupe': ['none', 1],
      'clean.validate': ['success', 1],
      load: ['none', 1],
    });
    expect((await sb.dag('run', 'quick', '--date', DATE, '--no-downstream')).code).to.equal(0);
    expect(await taskStates(sb.home, quick, DATE)).to.deep.equal({
      extract: ['success', 1],
      'clean.dedupe': ['success', 2],
      'clean.validate': ['success', 1],
      load: ['success', 2],
    });
  });

  it('exits 130 on SIGINT, recording the running try as failed and releasing the lease; a concurrent run gets exit 1', async () => {
    const child = sb.start('run', 'slow', '--date', DATE);
    const done = collect(child);
    await waitForStderr(child, 'wait running');
    const rival = await sb.dag('run', 'slow', '--date', DATE);
    expect(rival.code).to.equal(1);
    expect(rival.stderr).to.match(/^dag: run slow\/manual__2025-09-09 is being executed by \S+/);
    expect(rival.stderr.trim().split('\n')).to.have.length(1);

    child.kill('SIGINT');
    const r = await done;
    expect(r.code, r.stderr).to.equal(130);
    // The interrupted try is recorded failed; the run stays resumable (not running) with its lease released.
    const [record] = await withEngine(sb.home, (e) => e.listRuns(slow.id));
    expect(record?.state).to.not.equal('running');
    expect(record?.lease).to.equal(null);
    const [attempt] = await withEngine(sb.home, (e) => e.tries(slow.id, record!.runId, 'wait'));
    expect(attempt).to.include({ tryNumber: 1, state: 'failed', errorName: 'TaskInterruptedError' });
    // The lease is released: clearing (which refuses while a live owner holds it) succeeds.
    expect((await sb.dag('clear', 'slow', '--date', DATE, '--yes')).code).to.equal(0);
  });

  it('a backfill stopped with SIGINT names the date it interrupted and those it never started', async () => {
    const child = sb.start(
      'backfill',
      'slow',
      '--start',
      '2025-09-01',
      '--end',
      '2025-09-04',
      '--max-active-runs',
      '1',
      '--json',
    );
    const done = collect(child);
    await waitForStderr(child, '4 to run');
    for (;;) {
      const tries = await withEngine(sb.home, (e) => e.tries(slow.id, 'backfill__2025-09-01', 'wait'));
      if (tries[0]?.state === 'running') break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    child.kill('SIGINT');
    const r = await done;
    expect(r.code, r.stderr).to.equal(130);
    const result = json<{
      results: { logicalDate: string; state: string; runId: string | null }[];
      failed: number;
      interrupted: number;
      notStarted: number;
    }>(r);
    expect(result.results.map((x) => [x.logicalDate, x.state])).to.deep.equal([
      ['2025-09-01', 'interrupted'],
      ['2025-09-02', 'not_started'],
      ['2025-09-03', 'not_started'],
      ['2025-09-04', 'not_started'],
    ]);
    expect([result.failed, result.interrupted, result.notStarted]).to.deep.equal([0, 1, 3]);
    expect(result.results[0]?.runId).to.equal('backfill__2025-09-01');
    expect(result.results[1]?.runId).to.equal(null);
  });

  it('`dag logs --follow` tails a running try until it ends', async () => {
    const child = sb.start('run', 'slow', '--date', DATE);
    const run = collect(child);
    await waitForStderr(child, 'wait running');
    const follow = collect(sb.start('logs', 'slow', '--date', DATE, '--follow'));
    // Let the follower print what is already there, then end the try.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    child.kill('SIGINT');
    expect((await run).code).to.equal(130);
    const r = await follow;
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.match(/INFO +waiting/);
    // Lines written after the follower started reached it: the try's final error line.
    expect(r.stdout).to.match(/ERROR +try failed: run interrupted/);
  });

  it('`dag test` runs one task, prints its logs and records nothing', async () => {
    const r = await sb.dag('test', 'quick', 'extract', '--date', DATE);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.match(/INFO +extracting ds=2025-09-09/);
    expect(r.stdout).to.contain('"rows": 3');
    expect(await withEngine(sb.home, (e) => e.listRuns(quick.id))).to.deep.equal([]);
  });
});

/** Most runs whose [startedAt, endedAt] intervals overlap at one instant. */
function maxOverlap(runs: readonly { startedAt: string | null; endedAt: string | null }[]): number {
  const points = runs.flatMap((r) => [
    [Date.parse(r.startedAt!), 1],
    [Date.parse(r.endedAt!), -1],
  ]);
  points.sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]!);
  let now = 0;
  let max = 0;
  for (const [, d] of points) {
    now += d!;
    max = Math.max(max, now);
  }
  return max;
}
