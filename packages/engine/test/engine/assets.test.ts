import { type Dag, type DagRegistry, defineDag, Engine, ManualClock } from '@streampro/engine';
import { expect } from 'chai';
import { makeTempDir, removeDir } from '../support/fixtures.js';

const DAY = '2025-01-01';
const EVENTS = 'lake://trusted/events';
const USERS = 'lake://trusted/users';

function registryOf(...dags: Dag[]): DagRegistry {
  return { get: (id) => dags.find((d) => d.id === id), all: () => dags };
}

describe('asset-triggered runs', () => {
  let home: string;
  let engine: Engine;
  let clock: ManualClock;
  let consumerRuns: string[];

  /** A DAG scheduled on both assets; records the logical date of each execution. */
  function consumer() {
    const dag = defineDag({ id: 'report', startDate: '2025-01-01', schedule: { assets: [EVENTS, USERS] } });
    dag.task({ id: 'build', run: (ctx) => void consumerRuns.push(ctx.ds) });
    return dag;
  }

  function producer(id: string, outlets: Record<string, readonly string[]>) {
    const dag = defineDag({ id, startDate: '2025-01-01', schedule: '@daily' });
    for (const [task, assets] of Object.entries(outlets))
      dag.task({ id: task, outlets: assets, run: () => task });
    return dag;
  }

  beforeEach(async () => {
    home = await makeTempDir();
    // Manual time, moved between runs: asset freshness is judged by timestamps.
    clock = new ManualClock(Date.UTC(2025, 0, 2));
    engine = await Engine.open({ home, clock });
    consumerRuns = [];
  });

  afterEach(async () => {
    await engine.close();
    await removeDir(home);
  });

  it('runs the consumer for the same logical date once the producer updated all its assets', async () => {
    const report = consumer();
    const ingest = producer('ingest', { events: [EVENTS], users: [USERS] });

    const result = await engine.run(ingest, { logicalDate: DAY, registry: registryOf(ingest, report) });

    expect(result.state).to.equal('success');
    expect(result.triggered.map((r) => [r.dagId, r.logicalDate, r.runType, r.state])).to.deep.equal([
      ['report', '2025-01-01T00:00:00.000Z', 'asset_triggered', 'success'],
    ]);
    expect(consumerRuns).to.deep.equal([DAY]);
    const events = await engine.store.listAssetEvents(EVENTS, '2025-01-01T00:00:00.000Z');
    expect(events.map((e) => [e.dagId, e.taskId])).to.deep.equal([['ingest', 'events']]);
  });

  it('waits until every asset of the consumer has an event for that date', async () => {
    const report = consumer();
    const events = producer('ingest_events', { load: [EVENTS] });
    const users = producer('ingest_users', { load: [USERS] });
    const registry = registryOf(events, users, report);

    const first = await engine.run(events, { logicalDate: DAY, registry });
    expect(first.triggered).to.deep.equal([]);
    expect(await engine.status(report, DAY)).to.equal(undefined);

    const otherDay = await engine.run(users, { logicalDate: '2025-01-02', registry });
    expect(otherDay.triggered).to.deep.equal([]);

    clock.advance(1000);
    const second = await engine.run(users, { logicalDate: DAY, registry });
    expect(second.triggered.map((r) => r.dagId)).to.deep.equal(['report']);
    expect(consumerRuns).to.deep.equal([DAY]);
  });

  it('triggers nothing without a registry, or when the producer fails', async () => {
    const report = consumer();
    const ingest = producer('ingest', { events: [EVENTS], users: [USERS] });
    const plain = await engine.run(ingest, { logicalDate: DAY });
    expect(plain.triggered).to.deep.equal([]);

    const broken = defineDag({ id: 'broken', startDate: '2025-01-01' });
    const ok = broken.task({ id: 'events', outlets: [EVENTS, USERS], run: () => 1 });
    broken.task({
      id: 'check',
      upstream: [ok],
      run: () => {
        throw new Error('row count mismatch');
      },
    });
    const failed = await engine.run(broken, {
      logicalDate: '2025-01-02',
      registry: registryOf(broken, report),
    });
    expect(failed.state).to.equal('failed');
    expect(failed.triggered).to.deep.equal([]);
    expect(consumerRuns).to.deep.equal([]);
  });

  it('does not re-run the consumer for an already-done producer, but does when the producer is forced', async () => {
    const report = consumer();
    const ingest = producer('ingest', { events: [EVENTS], users: [USERS] });
    const registry = registryOf(ingest, report);
    await engine.run(ingest, { logicalDate: DAY, registry });

    clock.advance(60_000);
    const again = await engine.run(ingest, { logicalDate: DAY, registry });
    expect(again.alreadyDone).to.equal(true);
    expect(again.triggered).to.deep.equal([]);

    clock.advance(60_000);
    const forced = await engine.run(ingest, { logicalDate: DAY, registry, force: true });
    expect(forced.triggered.map((r) => [r.dagId, r.state, r.tasks[0]?.tryNumber])).to.deep.equal([
      ['report', 'success', 2],
    ]);
    expect(consumerRuns).to.deep.equal([DAY, DAY]);
  });

  // BUG: freshness compares asset-event createdAt with the consumer run's endedAt at millisecond resolution
  // (`endedAt < newest` in engine/assets.ts). When the forced producer run ends in the same millisecond as the
  // consumer's previous run (always with a clock that does not move, possible with a fast real one), the new
  // events look already consumed and the consumer is not re-run. A fix needs an event sequence (e.g. the
  // asset_events rowid) recorded on the consumer run, which changes the RunStore interface: not local.
  it.skip('re-runs the consumer when the producer is forced again within the same millisecond', async () => {
    const report = consumer();
    const ingest = producer('ingest', { events: [EVENTS], users: [USERS] });
    const registry = registryOf(ingest, report);
    await engine.run(ingest, { logicalDate: DAY, registry });
    const forced = await engine.run(ingest, { logicalDate: DAY, registry, force: true });
    expect(forced.triggered.map((r) => r.dagId)).to.deep.equal(['report']);
  });

  describe('partition windows', () => {
    /** Reads events D … D+2 and every users partition up to D+2; records each execution as `date` strings. */
    function windowed() {
      const dag = defineDag({
        id: 'report',
        startDate: '2025-01-01',
        schedule: {
          assets: [EVENTS, USERS],
          partitions: { [EVENTS]: { from: 0, to: 2 }, [USERS]: { from: null, to: 2 } },
        },
      });
      dag.task({ id: 'build', run: (ctx) => void consumerRuns.push(ctx.ds) });
      return dag;
    }
    const days = (n: number) => `2025-01-0${n}`;

    it('re-runs every consumer whose window holds a new partition, in date order', async () => {
      const report = windowed();
      const ingest = producer('ingest', { events: [EVENTS], users: [USERS] });
      const registry = registryOf(ingest, report);
      const triggered: string[][] = [];
      for (const n of [1, 2, 3, 4]) {
        clock.advance(1000);
        const result = await engine.run(ingest, { logicalDate: days(n), registry });
        triggered.push(result.triggered.map((r) => r.logicalDate.slice(0, 10)));
      }
      // D's window holds D … D+2 of events, so 01-04 no longer refreshes 01-01.
      expect(triggered).to.deep.equal([
        [days(1)],
        [days(1), days(2)],
        [days(1), days(2), days(3)],
        [days(2), days(3), days(4)],
      ]);
      // Users are read up to D+2 from every earlier partition: re-processing 01-01 refreshes all four.
      consumerRuns = [];
      clock.advance(1000);
      const forced = await engine.run(ingest, { logicalDate: days(1), registry, force: true });
      expect(forced.triggered.map((r) => [r.logicalDate.slice(0, 10), r.state])).to.deep.equal([
        [days(1), 'success'],
        [days(2), 'success'],
        [days(3), 'success'],
        [days(4), 'success'],
      ]);
      expect(consumerRuns).to.deep.equal([days(1), days(2), days(3), days(4)]);
    });

    it('runs a consumer again when a partition of its window landed while it ran (another process wrote it)', async () => {
      const ingest = producer('ingest', { events: [EVENTS], users: [USERS] });
      // A second engine on the same state is another owner, as another `dag run` process would be.
      const other = await Engine.open({ home, clock });
      const report = defineDag({
        id: 'report',
        startDate: '2025-01-01',
        schedule: {
          assets: [EVENTS, USERS],
          partitions: { [EVENTS]: { from: 0, to: 2 }, [USERS]: { from: null, to: 2 } },
        },
      });
      let landed: string[] = [];
      report.task({
        id: 'build',
        run: async (ctx) => {
          consumerRuns.push(ctx.ds);
          if (consumerRuns.length > 1) return;
          // The 01-01 report is under way; 01-02 lands now. That producer's own consumer-pass finds the
          // 01-01 report owned by this run and leaves it.
          clock.advance(1000);
          const during = await other.run(ingest, { logicalDate: days(2), registry });
          landed = during.triggered.map((r) => r.logicalDate.slice(0, 10));
        },
      });
      const registry = registryOf(ingest, report);
      try {
        clock.advance(1000);
        const result = await engine.run(ingest, { logicalDate: days(1), registry });
        expect(landed).to.deep.equal([days(2)]);
        // The 01-01 report started before 01-02's events: it ran again and read them.
        expect(consumerRuns).to.deep.equal([days(1), days(2), days(1)]);
        expect(result.triggered.map((r) => [r.logicalDate.slice(0, 10), r.state])).to.deep.equal([
          [days(1), 'success'],
        ]);
        const run = await engine.store.findRunByLogicalDate('report', '2025-01-01T00:00:00.000Z');
        const newest = (await engine.store.listAssetEvents(EVENTS, '2025-01-02T00:00:00.000Z')).at(-1)!;
        expect(run!.startedAt! >= newest.createdAt).to.equal(true);
      } finally {
        await other.close();
      }
    });

    it('creates no run for a date whose own partition is missing', async () => {
      const report = windowed();
      const ingest = producer('ingest', { events: [EVENTS], users: [USERS] });
      const registry = registryOf(ingest, report);
      const result = await engine.run(ingest, { logicalDate: days(3), registry });
      // 01-01 and 01-02 would read 01-03, but their own partitions do not exist.
      expect(result.triggered.map((r) => r.logicalDate.slice(0, 10))).to.deep.equal([days(3)]);
      expect(await engine.status(report, days(1))).to.equal(undefined);
    });

    it('refuses a window that leaves out the date itself, or names an asset it is not scheduled on', () => {
      const define = (partitions: Record<string, { from: number | null; to: number }>) =>
        defineDag({ id: 'bad', startDate: '2025-01-01', schedule: { assets: [EVENTS], partitions } });
      expect(() => define({ [EVENTS]: { from: 1, to: 4 } })).to.throw(/'from' as a whole number of days ≤ 0/);
      expect(() => define({ [EVENTS]: { from: 0, to: -1 } })).to.throw(/'to' as a whole number of days ≥ 0/);
      expect(() => define({ [EVENTS]: { from: 0, to: 1.5 } })).to.throw(/'to' as a whole number/);
      expect(() => define({ [USERS]: { from: 0, to: 1 } })).to.throw(/not one of its assets/);
    });
  });
});
