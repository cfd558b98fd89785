import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { slow } from './fixtures/dags/slow.js';
import { cluster } from './fixtures/setup-teardown-dags/cluster.js';
import { collect, Sandbox, taskStates, waitForStderr, withEngine } from './helpers.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const DATE = '2025-01-01';

describe('dag CLI: setting task states by hand (e2e)', function () {
  this.timeout(40_000);
  let sb: Sandbox;
  beforeEach(() => {
    sb = new Sandbox();
    sb.dagsFolder = path.join(here, 'fixtures/setup-teardown-dags');
  });
  afterEach(() => sb.cleanup());

  const ranFile = (date = DATE) => sb.fx(`ran-${date}.txt`);
  const ran = (): string[] => fs.readFileSync(ranFile(), 'utf8').trim().split('\n');
  const runState = async (date = DATE) => (await withEngine(sb.home, (e) => e.status(cluster, date)))?.state;

  it('marks a failed task success; the next dag run runs what is downstream of it, and only that', async () => {
    fs.writeFileSync(sb.fx('fail-query'), '');
    expect((await sb.dag('run', 'cluster', '--date', DATE)).code).to.equal(1);
    fs.rmSync(ranFile());

    const set = await sb.dag('tasks', 'state', 'set', 'cluster', DATE, 'query', 'success');
    expect(set.code, set.stderr).to.equal(0);
    expect(set.stdout).to.equal(
      `query of cluster ${DATE} (manual__${DATE}): failed -> success; continue the run with: dag run cluster --date ${DATE}\n`,
    );
    expect(await runState()).to.equal('queued');
    expect((await taskStates(sb.home, cluster, DATE)).query).to.deep.equal(['success', 1]);

    // The query still fails if run (fail-query is there): it is not run again, its downstream is.
    const again = await sb.dag('run', 'cluster', '--date', DATE);
    expect(again.code, again.stderr).to.equal(0);
    expect(ran()).to.deep.equal(['report']);
    expect(await taskStates(sb.home, cluster, DATE)).to.deep.equal({
      create_cluster: ['success', 1],
      query: ['success', 1],
      report: ['success', 1],
      delete_cluster: ['success', 1],
    });
    expect(await runState()).to.equal('success');
  });

  it('marks a task of a successful run failed (and skipped); the next dag run tries it again', async () => {
    expect((await sb.dag('run', 'cluster', '--date', DATE)).code).to.equal(0);
    const set = await sb.dag('tasks', 'state', 'set', 'cluster', DATE, 'report', 'failed', '--json');
    expect(set.code, set.stderr).to.equal(0);
    expect(JSON.parse(set.stdout)).to.deep.equal({
      dagId: 'cluster',
      runId: `manual__${DATE}`,
      taskId: 'report',
      previousState: 'success',
      state: 'failed',
    });
    const same = await sb.dag('tasks', 'state', 'set', 'cluster', DATE, 'report', 'failed');
    expect(same.stdout).to.equal(`report of cluster ${DATE} is already failed; nothing changed\n`);
    expect(
      (await sb.dag('tasks', 'state', 'set', 'cluster', DATE, 'create_cluster', 'skipped')).code,
    ).to.equal(0);
    expect(await taskStates(sb.home, cluster, DATE)).to.deep.include({
      create_cluster: ['skipped', 1],
      report: ['failed', 1],
    });
    fs.rmSync(ranFile());
    expect((await sb.dag('run', 'cluster', '--date', DATE)).code).to.equal(0);
    expect(ran()).to.deep.equal(['report']);
    expect((await taskStates(sb.home, cluster, DATE)).report).to.deep.equal(['success', 2]);
  });

  it('refuses bad input with one line and exit 2, changing nothing', async () => {
    expect((await sb.dag('run', 'cluster', '--date', DATE)).code).to.equal(0);
    const cases: [string[], string][] = [
      [
        ['tasks', 'state', 'set', 'cluster', DATE, 'query', 'running'],
        'dag: Invalid values: Argument: state, Given: "running", Choices: "success", "failed", "skipped"; see dag tasks --help\n',
      ],
      [
        ['tasks', 'state', 'set', 'cluster', '2025-02-30', 'query', 'failed'],
        'dag: invalid date "2025-02-30": not a real calendar date\n',
      ],
      [
        ['tasks', 'state', 'set', 'cluster', '2025-01-02', 'query', 'failed'],
        "dag: DAG 'cluster' has no run for 2025-01-02\n",
      ],
      [
        ['tasks', 'state', 'set', 'cluster', DATE, 'nope', 'failed'],
        "dag: unknown task 'nope' in DAG 'cluster'; its tasks: create_cluster, query, report, delete_cluster\n",
      ],
      [
        ['backfill', 'cluster', '--start', DATE, '--end', DATE, '--mark-success', '--queue'],
        'dag: --mark-success marks the runs here, without the scheduler; drop --queue (or --mark-success)\n',
      ],
    ];
    for (const [args, stderr] of cases) {
      const r = await sb.dag(...args);
      expect(r.code, args.join(' ')).to.equal(2);
      expect(r.stderr).to.equal(stderr);
    }
    expect(await runState()).to.equal('success');
  });

  it('refuses while another process executes the run, with one line and exit 1', async () => {
    sb.dagsFolder = path.join(here, 'fixtures/dags');
    const child = sb.start('run', 'slow', '--date', DATE);
    const done = collect(child);
    await waitForStderr(child, 'wait running');
    const refused = await sb.dag('tasks', 'state', 'set', 'slow', DATE, 'wait', 'success');
    expect(refused.code).to.equal(1);
    expect(refused.stderr).to.match(
      /^dag: run slow\/manual__2025-01-01 is being executed by process \d+ on .+; wait for it to finish or stop that process first\n$/,
    );
    child.kill('SIGINT');
    expect((await done).code).to.equal(130);
    // Nothing was marked: the interrupted try left the task failed, and now the mark goes through.
    expect(await taskStates(sb.home, slow, DATE)).to.deep.equal({ wait: ['failed', 1] });
    expect((await sb.dag('tasks', 'state', 'set', 'slow', DATE, 'wait', 'success')).code).to.equal(0);
    expect(await taskStates(sb.home, slow, DATE)).to.deep.equal({ wait: ['success', 1] });
  });

  it('dag run --mark-success and dag backfill --mark-success record success without running anything', async () => {
    const run = await sb.dag('run', 'cluster', '--date', DATE, '--mark-success');
    expect(run.code, run.stderr).to.equal(0);
    expect(run.stdout).to.contain(`cluster ${DATE} (manual__${DATE}): success`);
    expect(await taskStates(sb.home, cluster, DATE)).to.deep.equal({
      create_cluster: ['success', 0],
      query: ['success', 0],
      report: ['success', 0],
      delete_cluster: ['success', 0],
    });

    const backfill = await sb.dag(
      'backfill',
      'cluster',
      '--start',
      '2025-01-02',
      '--end',
      '2025-01-03',
      '--mark-success',
    );
    expect(backfill.code, backfill.stderr).to.equal(0);
    expect(backfill.stdout).to.contain('2 succeeded, 0 failed, 0 skipped');
    for (const date of ['2025-01-02', '2025-01-03']) {
      const run = await withEngine(sb.home, (e) => e.status(cluster, date));
      expect(run?.runId).to.equal(`backfill__${date}`);
      expect(run?.state).to.equal('success');
      expect(run?.tasks.map((t) => [t.state, t.tryNumber])).to.deep.equal([
        ['success', 0],
        ['success', 0],
        ['success', 0],
        ['success', 0],
      ]);
    }
    expect(fs.readdirSync(sb.fixtures).filter((f) => f.startsWith('ran-'))).to.deep.equal([]);
  });
});
