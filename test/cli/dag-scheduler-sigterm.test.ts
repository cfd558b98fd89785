import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { running } from '../reliability/support/harness.js';
import { collect, json, Sandbox, until, waitForStderr, withEngine } from './helpers.js';
import {
  Children,
  describeState,
  exitWithin,
  readExecutions,
  schedulerEvents,
  terminate,
} from './scheduler-processes.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const FIRST = '2025-03-01';
const SECOND = '2025-03-02';

interface RunsJson {
  logicalDate: string;
  runId: string;
  runType: string;
  state: string;
}
interface StatusJson {
  state: string;
  tasks: { taskId: string; state: string; tryNumber: number; error: string | null }[];
}

describe('dag scheduler stopped by SIGTERM mid-run (e2e, real processes)', function () {
  this.timeout(60_000);
  let sb: Sandbox;
  const children = new Children();
  beforeEach(() => {
    sb = new Sandbox();
  });
  afterEach(async () => {
    await children.reap();
    await sb.cleanup();
  });
  const start = (...args: string[]) => children.add(sb.start(...args));

  const executions = () => readExecutions(sb.fx('executions.log'));
  const lines = () => executions().map((x) => [x.date, x.tryNumber, x.schedulerPid, x.event]);
  const runs = async (dagId: string): Promise<[string, string, string][]> =>
    json<RunsJson[]>(await sb.dag('runs', dagId, '--json'))
      .map((r): [string, string, string] => [r.logicalDate, r.runType, r.state])
      .sort();
  const tries = (dagId: string, runId: string) =>
    withEngine(sb.home, async (e) =>
      (await e.tries(dagId, runId)).map((t) => [t.tryNumber, t.state, t.errorName, t.pid]),
    );
  /** Polls the store until `n` runs of `dagId` succeeded. */
  const succeeded = (dagId: string, n: number) =>
    withEngine(sb.home, (e) =>
      until(
        `${n} successful runs of ${dagId}`,
        async () => (await e.listRuns(dagId, { state: 'success' })).length >= n,
        30_000,
        100,
      ),
    );

  it('a try that ends within the grace finishes as success; no run is created after SIGTERM; exit 0 before the grace is over', async () => {
    sb.dagsFolder = path.join(here, 'fixtures/scheduler-sigterm-dags/held');
    const child = start('scheduler', '--interval', '200', '--grace', '10000');
    const done = collect(child);
    await until('the first body to start', () => executions().length === 1, 20_000);
    const stopping = waitForStderr(
      child,
      'dag scheduler: stopping: 1 run(s) executing get 10000 ms to finish',
    );
    const termAt = Date.now();
    child.kill('SIGTERM');
    await stopping;
    // The try outlives the SIGTERM, then ends well within the grace.
    await sleep(500);
    fs.writeFileSync(sb.fx('release'), '');
    const exit = await exitWithin(child, done, 20_000);
    const elapsedMs = Date.now() - termAt;

    expect(exit.exitedInTime, exit.result.stderr).to.equal(true);
    expect(exit.result.code, exit.result.stderr).to.equal(0);
    // A deadline, not a benchmark: it exits because the run ended (~0.5 s), not because the grace ran out.
    expect(elapsedMs, 'ms from SIGTERM to exit').to.be.below(10_000);
    expect(exit.result.stderr).to.contain('dag scheduler: stopped; 0 unfinished run(s) handed back');
    // The second date became due when the first run ended, after SIGTERM: it was not created.
    expect(await runs('held_daily')).to.deep.equal([[FIRST, 'scheduled', 'success']]);
    const status = json<StatusJson>(await sb.dag('status', 'held_daily', '--date', FIRST, '--json'));
    expect(status.tasks.map((t) => [t.taskId, t.state, t.tryNumber])).to.deep.equal([['work', 'success', 1]]);
    expect(lines()).to.deep.equal([
      [FIRST, 1, child.pid, 'start'],
      [FIRST, 1, child.pid, 'end'],
    ]);
    const events = schedulerEvents(sb.home).map((e) => e.type);
    expect(events.filter((t) => t === 'run-created')).to.have.length(1);
    expect(events.slice(events.indexOf('stopping'))).to.deep.equal(['stopping', 'run-finished', 'stopped']);
    console.log(
      `      SIGTERM to exit: ${elapsedMs} ms (grace 10000 ms, try released 500 ms after stopping)`,
    );
  });

  it('a try that outlasts the grace is interrupted: exit 0, run handed back queued, try 1 failed; the next scheduler finishes it as try 2', async () => {
    sb.dagsFolder = path.join(here, 'fixtures/scheduler-sigterm-dags/held');
    const first = start('scheduler', '--interval', '200', '--grace', '500');
    const firstDone = collect(first);
    await until('the first body to start', () => executions().length === 1, 20_000);
    const exit = await terminate(first, firstDone, 15_000);

    expect(exit.exitedInTime, exit.result.stderr).to.equal(true);
    expect(exit.result.code, exit.result.stderr).to.equal(0);
    expect(exit.elapsedMs, 'ms from SIGTERM to exit: the grace first').to.be.at.least(500);
    // The body honours its signal: it stops at once, the process exits soon after the grace.
    expect(exit.elapsedMs, 'ms from SIGTERM to exit').to.be.below(500 + 5000);
    expect(exit.result.stderr).to.contain('dag scheduler: stopping: 1 run(s) executing get 500 ms to finish');
    expect(exit.result.stderr).to.contain('dag scheduler: stopped; 1 unfinished run(s) handed back');
    const [worker] = executions().map((x) => x.workerPid);
    expect(running(worker!), `worker ${worker} of the interrupted try still runs`).to.equal(false);

    expect(await runs('held_daily')).to.deep.equal([[FIRST, 'scheduled', 'queued']]);
    const status = json<StatusJson>(await sb.dag('status', 'held_daily', '--date', FIRST, '--json'));
    expect(status.state).to.equal('queued');
    expect(status.tasks.map((t) => [t.taskId, t.state, t.tryNumber])).to.deep.equal([['work', 'failed', 1]]);
    expect(status.tasks[0]!.error).to.match(/interrupted/);
    expect(await tries('held_daily', `scheduled__${FIRST}`)).to.deep.equal([
      [1, 'failed', 'TaskInterruptedError', worker],
    ]);

    // The next scheduler takes the handed-back run as try 2, then creates and runs the second date.
    fs.writeFileSync(sb.fx('release'), '');
    const second = start('scheduler', '--interval', '200', '--grace', '5000');
    const secondDone = collect(second);
    const allDone = await succeeded('held_daily', 2).then(
      () => true,
      (error: Error) => error,
    );
    const secondExit = await terminate(second, secondDone, 10_000);
    expect(
      allDone,
      `second scheduler: ${secondExit.result.stderr}${await describeState(sb.home, 'held_daily')}`,
    ).to.equal(true);
    expect(secondExit.exitedInTime && secondExit.result.code, secondExit.result.stderr).to.equal(0);

    expect(lines()).to.deep.equal([
      [FIRST, 1, first.pid, 'start'],
      [FIRST, 2, second.pid, 'start'],
      [FIRST, 2, second.pid, 'end'],
      [SECOND, 1, second.pid, 'start'],
      [SECOND, 1, second.pid, 'end'],
    ]);
    expect(await runs('held_daily')).to.deep.equal([
      [FIRST, 'scheduled', 'success'],
      [SECOND, 'scheduled', 'success'],
    ]);
    const firstTries = await tries('held_daily', `scheduled__${FIRST}`);
    expect(firstTries.map((t) => t.slice(0, 3))).to.deep.equal([
      [1, 'failed', 'TaskInterruptedError'],
      [2, 'success', null],
    ]);
    console.log(`      SIGTERM to exit: ${exit.elapsedMs} ms (grace 500 ms)`);
  });

  it('a body that ignores its signal is killed after the grace: exit 0, its try failed and never ends; the next scheduler runs try 2', async () => {
    sb.dagsFolder = path.join(here, 'fixtures/scheduler-sigterm-dags/stubborn');
    const first = start('scheduler', '--interval', '200', '--grace', '500');
    const firstDone = collect(first);
    await until('the first body to start', () => executions().length === 1, 20_000);
    const exit = await terminate(first, firstDone, 20_000);

    expect(exit.exitedInTime, exit.result.stderr).to.equal(true);
    expect(exit.result.code, exit.result.stderr).to.equal(0);
    expect(exit.result.stderr).to.contain('dag scheduler: stopped; 1 unfinished run(s) handed back');
    // After the grace its worker gets the pool's kill grace (STREAMPRO_KILL_GRACE_MS, 5000) before SIGKILL.
    expect(exit.elapsedMs, 'ms from SIGTERM to exit').to.be.at.least(500);
    expect(exit.elapsedMs, 'ms from SIGTERM to exit').to.be.below(500 + 5000 + 5000);
    const [worker] = executions().map((x) => x.workerPid);
    expect(running(worker!), `worker ${worker} of the interrupted try still runs`).to.equal(false);
    expect(await runs('stubborn_daily')).to.deep.equal([[FIRST, 'scheduled', 'queued']]);
    expect(await tries('stubborn_daily', `scheduled__${FIRST}`)).to.deep.equal([
      [1, 'failed', 'TaskInterruptedError', worker],
    ]);

    fs.writeFileSync(sb.fx('release'), '');
    const second = start('scheduler', '--interval', '200', '--grace', '5000');
    const secondDone = collect(second);
    const allDone = await succeeded('stubborn_daily', 1).then(
      () => true,
      (error: Error) => error,
    );
    const secondExit = await terminate(second, secondDone, 10_000);
    expect(
      allDone,
      `second scheduler: ${secondExit.result.stderr}${await describeState(sb.home, 'stubborn_daily')}`,
    ).to.equal(true);
    expect(secondExit.exitedInTime && secondExit.result.code, secondExit.result.stderr).to.equal(0);
    // Try 1's body was killed: it never saw the release file, so it never recorded an end.
    expect(lines()).to.deep.equal([
      [FIRST, 1, first.pid, 'start'],
      [FIRST, 2, second.pid, 'start'],
      [FIRST, 2, second.pid, 'end'],
    ]);
    expect((await tries('stubborn_daily', `scheduled__${FIRST}`)).map((t) => t.slice(0, 2))).to.deep.equal([
      [1, 'failed'],
      [2, 'success'],
    ]);
    console.log(`      SIGTERM to exit: ${exit.elapsedMs} ms (grace 500 ms + the worker's kill grace)`);
  });

  it('a body that ignores its signal: a scheduler running beside it starts try 2 only once try 1 has stopped', async () => {
    sb.dagsFolder = path.join(here, 'fixtures/scheduler-sigterm-dags/stubborn');
    const first = start('scheduler', '--interval', '200', '--grace', '500');
    const firstDone = collect(first);
    await until('the first body to start', () => executions().length === 1, 20_000);
    // A second scheduler is up (a rolling restart) when the first one is told to stop.
    const second = start('scheduler', '--interval', '200', '--grace', '5000');
    const secondDone = collect(second);
    await waitForStderr(second, 'dag scheduler: started as', 20_000);
    const firstExit = await terminate(first, firstDone, 20_000);
    const started = await until('try 2 to start', () => executions().length >= 2, 20_000).then(
      () => true,
      (error: Error) => error,
    );
    fs.writeFileSync(sb.fx('release'), '');
    const allDone = await succeeded('stubborn_daily', 1).then(
      () => true,
      (error: Error) => error,
    );
    const secondExit = await terminate(second, secondDone, 10_000);
    expect(firstExit.exitedInTime && firstExit.result.code, firstExit.result.stderr).to.equal(0);
    expect(
      started,
      `second scheduler: ${secondExit.result.stderr}${await describeState(sb.home, 'stubborn_daily')}`,
    ).to.equal(true);
    expect(
      allDone,
      `second scheduler: ${secondExit.result.stderr}${await describeState(sb.home, 'stubborn_daily')}`,
    ).to.equal(true);
    expect(secondExit.exitedInTime && secondExit.result.code, secondExit.result.stderr).to.equal(0);
    expect(lines()).to.deep.equal([
      [FIRST, 1, first.pid, 'start'],
      [FIRST, 2, second.pid, 'start'],
      [FIRST, 2, second.pid, 'end'],
    ]);

    // The bodies' own heartbeats: try 1's last one must come before try 2's first.
    const beats = fs
      .readFileSync(sb.fx('beats.log'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => l.split(' ').map((x, i) => (i === 0 ? x : Number(x))) as [string, number, number]);
    const [of1, of2] = [1, 2].map((n) => beats.filter((b) => b[1] === n).map((b) => b[2]));
    expect([of1!.length > 0, of2!.length > 0], 'both tries beat').to.deep.equal([true, true]);
    const lastOf1 = Math.max(...of1!);
    const firstOf2 = Math.min(...of2!);
    expect(
      lastOf1 - firstOf2,
      `try 2 started ${lastOf1 - firstOf2} ms before try 1's body stopped: the first scheduler handed the run ` +
        "back (released its lease) right after its grace, while try 1's worker still ran the body (killed " +
        "only after the pool's kill grace, STREAMPRO_KILL_GRACE_MS), so the second scheduler ran both tries " +
        'of one task instance at once',
    ).to.be.below(0);
  });
});
