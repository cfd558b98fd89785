import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { collect, json, Sandbox, until, waitForStderr, withEngine } from './helpers.js';
import { Children, loggedBy, readExecutions, schedulerEvents, terminate } from './scheduler-processes.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const DAG = 'fifty_daily';
/** The 50 logical dates of the fixture: 2025-01-01 .. 2025-02-19. */
const DATES = Array.from({ length: 50 }, (_, i) =>
  new Date(Date.UTC(2025, 0, 1) + i * 86_400_000).toISOString().slice(0, 10),
);

describe('two dag schedulers on one state (e2e, real processes)', function () {
  this.timeout(150_000);
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

  it('share 50 due runs: each created once, executed once (try 1), all success; both exit 0 on SIGTERM', async () => {
    sb.dagsFolder = path.join(here, 'fixtures/scheduler-two-dags');
    // Same home, so the same SQLite file (or, with STREAMPRO_TEST_STORE=postgres, the same schema).
    const a = start('scheduler', '--interval', '200', '--grace', '2000');
    const b = start('scheduler', '--interval', '200', '--grace', '2000');
    const [aDone, bDone] = [collect(a), collect(b)];
    const started = Date.now();
    // One scheduler alone runs the 50 in about 5 s; two get up to 90 s on a loaded machine, as long as runs
    // keep finishing (a stall of 30 s with none finishing fails at once).
    const deadline = started + 90_000;
    const stalledAfterMs = 30_000;
    let succeeded = 0;
    let allDone = false;
    const firstBody = await until('a first body', () => executions().length > 0, 20_000).then(
      () => true,
      () => false,
    );
    // The store is opened once the schedulers have created it.
    if (firstBody) {
      await withEngine(sb.home, async (e) => {
        let progressAt = Date.now();
        while (Date.now() < deadline && Date.now() - progressAt < stalledAfterMs) {
          const n = (await e.listRuns(DAG, { state: 'success' })).length;
          if (n > succeeded) [succeeded, progressAt] = [n, Date.now()];
          allDone = n >= DATES.length && executions().length >= DATES.length;
          if (allDone) break;
          await sleep(200);
        }
      });
    }
    const afterMs = Date.now() - started;
    // A few more passes of both: nothing else is due, nothing runs again.
    if (allDone) await sleep(1000);
    const [ea, eb] = await Promise.all([terminate(a, aDone, 6000), terminate(b, bDone, 6000)]);
    // Counted in the raw text: a scheduler killed mid-line leaves a torn last line.
    const held = fs
      .readFileSync(path.join(sb.home, 'logs', 'scheduler.log'), 'utf8')
      .split('\n')
      .filter((l) => l.includes('"type":"run-held"')).length;

    // Every date's body ran exactly once, as try 1, in a worker of one of the two schedulers.
    const done = executions();
    const pairs = done.map((x) => `${x.date} ${x.tryNumber}`);
    expect(
      pairs.filter((p, i) => pairs.indexOf(p) !== i),
      'a (date, try) body ran twice',
    ).to.deep.equal([]);
    const dates = done.map((x) => x.date);
    expect(
      dates.filter((d, i) => dates.indexOf(d) !== i),
      `a date's body ran again (as a later try): ${pairs.join(', ')}`,
    ).to.deep.equal([]);
    expect(
      succeeded,
      `only ${succeeded} of 50 runs succeeded in ${afterMs} ms (at most 90 s, or 30 s with none finishing; ` +
        `${done.length} bodies ran), with ${held} ` +
        'run-held events logged: a scheduler that tries a run the other holds starts its next pass at once, a ' +
        'busy loop (see the next test) that with SQLite starves its event loop: tries go unrecorded, leases ' +
        'unrenewed (taken over after their TTL, bodies run again), SIGTERM unanswered',
    ).to.equal(DATES.length);
    expect(ea.exitedInTime, `scheduler A did not exit within 6 s of SIGTERM: ${ea.result.stderr}`).to.equal(
      true,
    );
    expect(eb.exitedInTime, `scheduler B did not exit within 6 s of SIGTERM: ${eb.result.stderr}`).to.equal(
      true,
    );
    expect(ea.result.code, ea.result.stderr).to.equal(0);
    expect(eb.result.code, eb.result.stderr).to.equal(0);
    expect(ea.result.stderr).to.contain('dag scheduler: stopped; 0 unfinished run(s) handed back');
    expect(eb.result.stderr).to.contain('dag scheduler: stopped; 0 unfinished run(s) handed back');

    expect(pairs.sort()).to.deep.equal(DATES.map((d) => `${d} 1`));
    expect(done.filter((x) => x.schedulerPid !== a.pid && x.schedulerPid !== b.pid)).to.deep.equal([]);

    const runs = json<{ logicalDate: string; runId: string; runType: string; state: string }[]>(
      await sb.dag('runs', DAG, '--json', '--limit', '100'),
    );
    expect(runs.map((r) => r.logicalDate).sort()).to.deep.equal(DATES);
    expect(new Set(runs.map((r) => r.runId)).size).to.equal(DATES.length);
    expect(runs.filter((r) => r.runType !== 'scheduled' || r.state !== 'success')).to.deep.equal([]);

    // The store agrees: one try per run, success, recorded by the worker whose body ran it.
    const workerOf = new Map(done.map((x) => [x.date, x.workerPid]));
    const tries = await withEngine(sb.home, (e) =>
      Promise.all(runs.map(async (r) => ({ date: r.logicalDate, tries: await e.tries(DAG, r.runId) }))),
    );
    for (const { date, tries: list } of tries) {
      expect(
        list.map((t) => [t.taskId, t.tryNumber, t.state, t.pid]),
        date,
      ).to.deep.equal([['work', 1, 'success', workerOf.get(date)]]);
    }

    // Their shared log: each run created once and started once, by one scheduler or the other.
    const events = schedulerEvents(sb.home);
    const created = events.filter((e) => e.type === 'run-created').map((e) => e.logicalDate!.slice(0, 10));
    expect(created.sort(), 'runs created (once each)').to.deep.equal(DATES);
    const runStarts = events.filter((e) => e.type === 'run-started').map((e) => e.runId!);
    expect(runStarts.sort(), 'runs started (once each)').to.deep.equal(runs.map((r) => r.runId).sort());

    const status = json<{ schedulers: { pid: number; state: string }[] }>(
      await sb.dag('scheduler', 'status', '--json'),
    );
    expect(status.schedulers.map((s) => [s.pid, s.state]).sort()).to.deep.equal(
      [
        [a.pid, 'stopped'],
        [b.pid, 'stopped'],
      ].sort(),
    );

    // Which scheduler got which runs is up to their timing: reported, not asserted.
    const byA = done.filter((x) => x.schedulerPid === a.pid).length;
    const createdA = events.filter((e) => e.type === 'run-created').filter(loggedBy(a.pid)).length;
    console.log(
      `      runs executed: A ${byA}, B ${done.length - byA}; created: A ${createdA}, B ${50 - createdA}; ` +
        `${afterMs} ms; run-held events: ${held}`,
    );
  });

  it('a scheduler that finds the only run held by another waits for its next pass (no busy loop), exits 0 on SIGTERM', async () => {
    sb.dagsFolder = path.join(here, 'fixtures/scheduler-sigterm-dags/held');
    const a = start('scheduler', '--interval', '200', '--grace', '5000');
    const aDone = collect(a);
    await until('the first body to start', () => executions().length === 1, 20_000);
    const b = start('scheduler', '--interval', '200', '--grace', '1000');
    const bDone = collect(b);
    await waitForStderr(b, 'dag scheduler: started as', 20_000);
    const bStarted = Date.now();
    await sleep(2000);
    // Counted in the raw text: B may be writing its next line.
    const log = fs.readFileSync(path.join(sb.home, 'logs', 'scheduler.log'), 'utf8');
    const heldByB = log
      .split('\n')
      .filter((l) => l.includes('"type":"run-held"') && l.includes(`:${b.pid}:`)).length;
    const watchedMs = Date.now() - bStarted;
    const eb = await terminate(b, bDone, 6000);
    fs.writeFileSync(sb.fx('release'), '');
    const ea = await terminate(a, aDone, 10_000);

    // One attempt per pass at most: B passes every 200 ms (and at once after a run of its own ends).
    const passes = Math.ceil(watchedMs / 200) + 1;
    expect(
      heldByB,
      `scheduler B tried the run A holds ${heldByB} times in ${watchedMs} ms (${passes} passes at --interval ` +
        '200): it starts a new pass as soon as an attempt on a held run ends, a busy loop',
    ).to.be.at.most(3 * passes);
    expect(
      eb.exitedInTime,
      `scheduler B did not exit within 6 s of SIGTERM (grace 1000 ms): ${eb.result.stderr}`,
    ).to.equal(true);
    expect(eb.result.code, eb.result.stderr).to.equal(0);
    expect(ea.exitedInTime && ea.result.code, ea.result.stderr).to.equal(0);
    const starts = executions().filter((x) => x.event === 'start');
    expect(starts.map((x) => [x.date, x.tryNumber, x.schedulerPid])[0]).to.deep.equal([
      '2025-03-01',
      1,
      a.pid,
    ]);
    const pairs = starts.map((x) => `${x.date} ${x.tryNumber}`);
    expect(
      pairs.filter((p, i) => pairs.indexOf(p) !== i),
      'a (date, try) body ran twice',
    ).to.deep.equal([]);
    console.log(
      `      B tried the held run ${heldByB} times in ${watchedMs} ms; SIGTERM to exit ${eb.elapsedMs} ms`,
    );
  });
});
