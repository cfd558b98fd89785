import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  type Dag,
  defineDag,
  Engine,
  ManualClock,
  MemoryRunStore,
  type SchedulerEvent,
  SchedulerService,
} from '@streampro/engine';
import { expect } from 'chai';

const EVENTS = 'lake://trusted/events';
const USERS = 'lake://trusted/users';
const day = (d: number): string => `2025-01-${String(d).padStart(2, '0')}T00:00:00.000Z`;

describe('SchedulerService: asset-triggered runs and backfill records (manual clock)', () => {
  let home: string;
  let store: MemoryRunStore;
  let clock: ManualClock;
  const engines: Engine[] = [];
  /** `<dag> <logical date>` of each task body, in order. */
  let executed: string[];
  /** Logical dates whose task body fails. */
  let failing: Set<string>;

  beforeEach(() => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'sp-scheduler-rec-'));
    store = new MemoryRunStore();
    clock = new ManualClock(Date.parse('2025-01-20T12:00:00Z'));
    executed = [];
    failing = new Set();
  });

  afterEach(async () => {
    for (const e of engines.splice(0)) await e.close().catch(() => {});
    fs.rmSync(home, { recursive: true, force: true });
  });

  /** No time schedule, so the scheduler creates no run of its own beside the backfill's (one date per day). */
  function daily(id: string, outlets: readonly string[] = []): Dag {
    const dag = defineDag({ id, startDate: '2025-01-01', schedule: null, maxActiveRuns: 1 });
    dag.task({
      id: 't',
      outlets,
      run: (ctx) => {
        executed.push(`${id} ${ctx.logicalDate}`);
        if (failing.has(ctx.logicalDate)) throw new Error(`failing on ${ctx.ds}`);
      },
    });
    return dag;
  }

  function consumer(): Dag {
    const dag = defineDag({ id: 'report', startDate: '2025-01-01', schedule: { assets: [EVENTS, USERS] } });
    dag.task({
      id: 'build',
      run: (ctx) => {
        executed.push(`report ${ctx.logicalDate}`);
        if (failing.has(`report ${ctx.logicalDate}`)) throw new Error('report failing');
      },
    });
    return dag;
  }

  async function engine(): Promise<Engine> {
    // Each engine closes the store it is given; the shared memory store outlives them (close is a no-op).
    const e = await Engine.open({ home, store, clock });
    engines.push(e);
    return e;
  }

  async function scheduler(dags: Dag[], events: SchedulerEvent[] = []): Promise<SchedulerService> {
    return new SchedulerService({
      engine: await engine(),
      clock,
      dags: () => dags,
      onEvent: (e) => events.push(e),
    });
  }

  /** Passes until nothing changes, moving the clock a second each time (timestamps order events). */
  async function settle(...schedulers: SchedulerService[]): Promise<void> {
    for (let i = 0; i < 40; i++) {
      clock.advance(1000);
      for (const s of schedulers) await s.tick();
      for (const s of schedulers) await s.idle();
    }
  }

  const runsOf = async (dagId: string) =>
    (await store.listRuns(dagId))
      .map((r) => `${r.logicalDate.slice(0, 10)} ${r.runType} ${r.state}`)
      .reverse();

  describe('asset-triggered DAGs', () => {
    it('runs the consumer once all its assets are updated, by producers executed in another process', async () => {
      const events = daily('events', [EVENTS]);
      const users = daily('users', [USERS]);
      const report = consumer();
      // The producers run elsewhere (`dag run` without downstream): only the store connects them.
      const other = await engine();
      await other.run(events, { logicalDate: day(5) });
      const log: SchedulerEvent[] = [];
      const s = await scheduler([report], log);
      await settle(s);
      expect(await runsOf('report')).to.deep.equal([]);
      clock.advance(1000);
      await other.run(users, { logicalDate: day(5) });
      await settle(s);
      expect(await runsOf('report')).to.deep.equal(['2025-01-05 asset_triggered success']);
      expect(executed.filter((e) => e.startsWith('report'))).to.deep.equal([`report ${day(5)}`]);
      expect(log.filter((e) => e.type === 'asset-run')).to.have.length(1);
    });

    it('runs the consumer again after a newer update, never for the same one twice, across two schedulers', async () => {
      const ingest = defineDag({ id: 'ingest', startDate: '2025-01-01', schedule: '@daily' });
      ingest.task({ id: 'both', outlets: [EVENTS, USERS], run: () => executed.push('ingest') });
      const report = consumer();
      const [a, b] = [await scheduler([report]), await scheduler([report])];
      const other = await engine();
      await other.run(ingest, { logicalDate: day(3) });
      await settle(a, b);
      expect(executed.filter((e) => e === `report ${day(3)}`)).to.have.length(1);
      clock.advance(1000);
      await other.run(ingest, { logicalDate: day(3), force: true });
      await settle(a, b);
      expect(executed.filter((e) => e === `report ${day(3)}`)).to.have.length(2);
      expect(await runsOf('report')).to.deep.equal(['2025-01-03 asset_triggered success']);
    });

    it('re-runs the runs whose partition window holds a new partition, made by producers elsewhere', async () => {
      const ingest = defineDag({ id: 'ingest', startDate: '2025-01-01', schedule: '@daily' });
      ingest.task({ id: 'both', outlets: [EVENTS, USERS], run: () => undefined });
      const report = defineDag({
        id: 'report',
        startDate: '2025-01-01',
        schedule: { assets: [EVENTS, USERS], partitions: { [EVENTS]: { from: 0, to: 1 } } },
      });
      report.task({ id: 'build', run: (ctx) => void executed.push(`report ${ctx.ds}`) });
      const s = await scheduler([report]);
      const other = await engine();
      for (const n of [3, 4, 5]) {
        clock.advance(1000);
        await other.run(ingest, { logicalDate: day(n) });
        await settle(s);
      }
      // 01-03 reads events 01-03 … 01-04: made, then refreshed once by 01-04; 01-05 refreshes 01-04 only.
      expect(executed).to.deep.equal([
        'report 2025-01-03',
        'report 2025-01-03',
        'report 2025-01-04',
        'report 2025-01-04',
        'report 2025-01-05',
      ]);
      expect(await runsOf('report')).to.deep.equal([
        '2025-01-03 asset_triggered success',
        '2025-01-04 asset_triggered success',
        '2025-01-05 asset_triggered success',
      ]);
    });

    it('runs a consumer again when a partition landed while it ran, though the pass that read it came mid-run', async () => {
      const ingest = defineDag({ id: 'ingest', startDate: '2025-01-01', schedule: '@daily' });
      ingest.task({ id: 'both', outlets: [EVENTS, USERS], run: () => undefined });
      const report = defineDag({
        id: 'report',
        startDate: '2025-01-01',
        schedule: { assets: [EVENTS, USERS], partitions: { [EVENTS]: { from: 0, to: 1 } } },
      });
      const other = await engine();
      let s: SchedulerService | undefined;
      report.task({
        id: 'build',
        run: async (ctx) => {
          executed.push(`report ${ctx.ds}`);
          if (executed.filter((e) => e.startsWith('report')).length > 1) return;
          // 01-04 lands while the 01-03 report runs, and a scheduler pass reads its events right then; a
          // later event of another asset, past the passes' overlap, would move the cursor beyond them.
          clock.advance(1000);
          await other.run(ingest, { logicalDate: day(4) });
          clock.advance(1000);
          await s!.tick();
          clock.advance(120_000);
          await other.run(unrelated, { logicalDate: day(4) });
          await s!.tick();
        },
      });
      const unrelated = daily('unrelated', ['lake://trusted/other']);
      s = await scheduler([report]);
      await other.run(ingest, { logicalDate: day(3) });
      await settle(s);
      // 01-03 (first run), 01-04 (its own), then 01-03 again: its first run started before 01-04 landed.
      const reports = executed.filter((e) => e.startsWith('report')).sort();
      expect(reports).to.deep.equal(['report 2025-01-03', 'report 2025-01-03', 'report 2025-01-04']);
      expect(await runsOf('report')).to.deep.equal([
        '2025-01-03 asset_triggered success',
        '2025-01-04 asset_triggered success',
      ]);
    });

    it('a failed consumer is not retried until new data arrives; a paused consumer gets no run', async () => {
      const ingest = defineDag({ id: 'ingest', startDate: '2025-01-01', schedule: '@daily' });
      ingest.task({ id: 'both', outlets: [EVENTS, USERS], run: () => undefined });
      const report = consumer();
      failing.add(`report ${day(4)}`);
      const s = await scheduler([report]);
      const other = await engine();
      await other.run(ingest, { logicalDate: day(4) });
      await settle(s);
      expect(await runsOf('report')).to.deep.equal(['2025-01-04 asset_triggered failed']);
      expect(executed).to.deep.equal([`report ${day(4)}`]);
      failing.clear();
      clock.advance(1000);
      await other.run(ingest, { logicalDate: day(4), force: true });
      await settle(s);
      expect(await runsOf('report')).to.deep.equal(['2025-01-04 asset_triggered success']);

      await store.setDagPaused('report', true, new Date(clock.now()).toISOString());
      await other.run(ingest, { logicalDate: day(6) });
      await settle(s);
      expect(await runsOf('report')).to.deep.equal(['2025-01-04 asset_triggered success']);
    });

    it('waits for the producer run to succeed: an event from a run that then fails triggers nothing', async () => {
      const ingest = defineDag({ id: 'ingest', startDate: '2025-01-01', schedule: '@daily' });
      const both = ingest.task({ id: 'both', outlets: [EVENTS, USERS], run: () => undefined });
      ingest.task({
        id: 'check',
        upstream: [both],
        run: () => {
          throw new Error('bad data');
        },
      });
      const s = await scheduler([consumer()]);
      await (await engine()).run(ingest, { logicalDate: day(7) });
      await settle(s);
      expect(await runsOf('report')).to.deep.equal([]);
    });
  });

  describe('backfills the scheduler executes', () => {
    it('creates the runs of its dates, at most maxActiveRuns at a time, in its order, then is done', async () => {
      const dag = daily('d');
      const e = await engine();
      const { backfill } = await e.queueBackfill(dag, {
        start: day(1),
        end: day(6),
        maxActiveRuns: 2,
        backwards: true,
      });
      expect(backfill).to.include({ id: 1, state: 'running', maxActiveRuns: 2, backwards: true });
      const log: SchedulerEvent[] = [];
      const s = await scheduler([dag], log);
      let peak = 0;
      for (let i = 0; i < 20; i++) {
        clock.advance(1000);
        await s.tick();
        const active = (await store.listRuns('d')).filter(
          (r) => r.state === 'queued' || r.state === 'running',
        );
        peak = Math.max(peak, active.length);
        await s.idle();
      }
      expect(peak).to.equal(2);
      // Dates are taken newest first (backwards); two runs queued at once may start in either order.
      const taken = log.flatMap((x) => (x.type === 'backfill-date' ? [x.logicalDate] : []));
      expect(taken).to.deep.equal([6, 5, 4, 3, 2, 1].map(day));
      expect([...executed].sort()).to.deep.equal([1, 2, 3, 4, 5, 6].map((d) => `d ${day(d)}`));
      expect(await runsOf('d')).to.deep.equal(
        [1, 2, 3, 4, 5, 6].map((d) => `2025-01-0${d} backfill success`),
      );
      expect((await store.getBackfill(1))?.state).to.equal('done');
      expect(log.filter((x) => x.type === 'backfill-completed')).to.have.length(1);
    });

    it('re-processes failed dates with reprocess=failed, leaving succeeded ones alone', async () => {
      const dag = daily('d');
      const e = await engine();
      failing.add(day(2));
      await e.backfill(dag, { start: day(1), end: day(3) });
      failing.clear();
      executed = [];
      const { plan } = await e.queueBackfill(dag, { start: day(1), end: day(3), reprocess: 'failed' });
      expect(plan.entries.map((x) => x.action)).to.deep.equal(['skip', 'rerun', 'skip']);
      await settle(await scheduler([dag]));
      expect(executed).to.deep.equal([`d ${day(2)}`]);
      expect(await runsOf('d')).to.deep.equal([1, 2, 3].map((d) => `2025-01-0${d} backfill success`));
      expect((await store.getBackfill(1))?.state).to.equal('done');
    });

    it('paused: no new run starts; unpaused: it goes on; cancelled: its queued runs fail, none stranded', async () => {
      const dag = daily('d');
      const e = await engine();
      await e.queueBackfill(dag, { start: day(1), end: day(6), maxActiveRuns: 1 });
      const s = await scheduler([dag]);
      clock.advance(1000);
      await s.tick();
      await s.idle();
      expect(executed).to.have.length(1);
      await e.changeBackfill(1, 'pause');
      await settle(s);
      expect(executed).to.have.length(1);
      await e.changeBackfill(1, 'unpause');
      clock.advance(1000);
      await s.tick();
      await e.changeBackfill(1, 'cancel');
      await s.idle();
      await settle(s);
      const runs = await store.listRuns('d');
      expect(runs.filter((r) => r.state === 'queued' || r.state === 'running')).to.deep.equal([]);
      expect(runs.length).to.be.below(6);
      const bf = await store.getBackfill(1);
      expect(bf?.state).to.equal('cancelled');
      expect(bf?.completedAt).to.be.a('string');
      await e.changeBackfill(1, 'unpause').then(
        () => expect.fail('unpaused a cancelled backfill'),
        (error: Error) =>
          expect(error.message).to.equal('backfill 1 is cancelled: only a paused backfill can be unpaused'),
      );
    });

    it('two schedulers share a backfill: every date runs exactly once', async () => {
      const dag = daily('d');
      const e = await engine();
      await e.queueBackfill(dag, { start: day(1), end: day(12), maxActiveRuns: 3 });
      await settle(await scheduler([dag]), await scheduler([dag]));
      expect(executed.sort()).to.deep.equal(Array.from({ length: 12 }, (_, i) => `d ${day(i + 1)}`));
      expect((await store.getBackfill(1))?.state).to.equal('done');
    });

    it('refuses dates whose interval has not ended', async () => {
      const dag = daily('d');
      const e = await engine();
      const error = await e.queueBackfill(dag, { start: day(18), end: day(20) }).then(
        () => undefined,
        (err: Error) => err,
      );
      expect(error?.message).to.equal(
        'the interval of 2025-01-20T00:00:00.000Z has not ended (it ends 2025-01-21T00:00:00.000Z): a backfill takes only ended intervals; pick an earlier end date',
      );
      expect(await store.listBackfills()).to.deep.equal([]);
    });
  });
});
