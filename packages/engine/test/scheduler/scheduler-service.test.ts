import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  type Dag,
  type DagSpec,
  defineDag,
  Engine,
  ManualClock,
  MemoryRunStore,
  type SchedulerEvent,
  SchedulerService,
} from '@streampro/engine';
import { expect } from 'chai';

describe('SchedulerService on a manual clock', () => {
  let home: string;
  let store: MemoryRunStore;
  let clock: ManualClock;
  const engines: Engine[] = [];
  /** Logical dates each task body ran for, in order. */
  let executed: string[];

  beforeEach(() => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'sp-scheduler-'));
    store = new MemoryRunStore();
    executed = [];
  });

  afterEach(async () => {
    for (const e of engines.splice(0)) await e.close().catch(() => {});
    fs.rmSync(home, { recursive: true, force: true });
  });

  function dagOf(spec: Partial<DagSpec<Record<never, never>>>): Dag {
    const dag = defineDag({ id: 'd', startDate: '2025-01-01', schedule: '@daily', ...spec });
    dag.task({ id: 't', run: (ctx) => void executed.push(ctx.logicalDate) });
    return dag;
  }

  async function scheduler(dags: Dag[], events: SchedulerEvent[] = []): Promise<SchedulerService> {
    // Each engine closes the store it is given; the shared memory store outlives them (close is a no-op).
    const engine = await Engine.open({ home, store, clock });
    engines.push(engine);
    return new SchedulerService({ engine, clock, dags: () => dags, onEvent: (e) => events.push(e) });
  }

  /** Moves the clock to `iso` and makes one pass, waiting for the runs it started. */
  async function passAt(s: SchedulerService, iso: string): Promise<void> {
    clock.advance(Date.parse(iso) - clock.now());
    await s.tick();
    await s.idle();
  }

  const runsOf = async (dagId = 'd') =>
    (await store.listRuns(dagId)).map((r) => `${r.logicalDate} ${r.runType} ${r.state}`).reverse();

  it('an @hourly DAG over a simulated day gets exactly its 24 runs, each executed once', async () => {
    clock = new ManualClock(Date.parse('2025-01-01T00:00:00Z'));
    const s = await scheduler([dagOf({ schedule: '@hourly' })]);
    for (let t = clock.now(); t <= Date.parse('2025-01-02T00:00:00Z'); t += 10 * 60_000) {
      await passAt(s, new Date(t).toISOString());
    }
    const runs = await store.listRuns('d');
    expect(runs).to.have.length(24);
    expect(runs.every((r) => r.state === 'success' && r.runType === 'scheduled')).to.equal(true);
    expect(executed).to.have.length(24);
    expect(new Set(executed).size).to.equal(24);
    expect(executed[0]).to.equal('2025-01-01T00:00:00.000Z');
    expect(executed[23]).to.equal('2025-01-01T23:00:00.000Z');
  });

  it('catchup: every missed interval since the start date, oldest first, one at a time (maxActiveRuns 1)', async () => {
    clock = new ManualClock(Date.parse('2025-01-04T10:00:00Z'));
    const s = await scheduler([dagOf({ catchup: true })]);
    for (let i = 0; i < 5; i++) await passAt(s, '2025-01-04T10:00:00Z');
    expect(await runsOf()).to.deep.equal([
      '2025-01-01T00:00:00.000Z scheduled success',
      '2025-01-02T00:00:00.000Z scheduled success',
      '2025-01-03T00:00:00.000Z scheduled success',
    ]);
    expect(executed).to.deep.equal([
      '2025-01-01T00:00:00.000Z',
      '2025-01-02T00:00:00.000Z',
      '2025-01-03T00:00:00.000Z',
    ]);
  });

  it('no catchup: only the latest completed interval, then each new one as it ends', async () => {
    clock = new ManualClock(Date.parse('2025-01-04T10:00:00Z'));
    const s = await scheduler([dagOf({})]);
    await passAt(s, '2025-01-04T10:00:00Z');
    await passAt(s, '2025-01-04T23:00:00Z');
    expect(await runsOf()).to.deep.equal(['2025-01-03T00:00:00.000Z scheduled success']);
    await passAt(s, '2025-01-05T00:00:01Z');
    expect(await runsOf()).to.deep.equal([
      '2025-01-03T00:00:00.000Z scheduled success',
      '2025-01-04T00:00:00.000Z scheduled success',
    ]);
  });

  it('endDate stops scheduling', async () => {
    clock = new ManualClock(Date.parse('2025-01-01T00:00:00Z'));
    const s = await scheduler([dagOf({ catchup: true, endDate: '2025-01-02', maxActiveRuns: 5 })]);
    for (const day of ['02', '03', '04', '05']) await passAt(s, `2025-01-${day}T00:00:00Z`);
    expect(await runsOf()).to.deep.equal([
      '2025-01-01T00:00:00.000Z scheduled success',
      '2025-01-02T00:00:00.000Z scheduled success',
    ]);
  });

  it('a paused DAG gets no new runs and its queued runs wait; unpaused, it gets the latest interval', async () => {
    clock = new ManualClock(Date.parse('2025-01-02T00:00:00Z'));
    const dag = dagOf({});
    const s = await scheduler([dag]);
    await passAt(s, '2025-01-02T00:00:00Z');
    expect(await runsOf()).to.deep.equal(['2025-01-01T00:00:00.000Z scheduled success']);
    await store.setDagPaused('d', true, '2025-01-02T01:00:00.000Z');
    const engine = engines[0]!;
    await engine.trigger(dag, { logicalDate: '2025-01-02' });
    await passAt(s, '2025-01-05T01:00:00Z');
    expect(await runsOf()).to.deep.equal([
      '2025-01-01T00:00:00.000Z scheduled success',
      '2025-01-02T00:00:00.000Z manual queued',
    ]);
    await store.setDagPaused('d', false, '2025-01-05T02:00:00.000Z');
    // The first pass executes the queued manual run (maxActiveRuns 1), the second creates the latest interval.
    await passAt(s, '2025-01-05T02:00:00Z');
    await passAt(s, '2025-01-05T02:00:01Z');
    expect(await runsOf()).to.deep.equal([
      '2025-01-01T00:00:00.000Z scheduled success',
      '2025-01-02T00:00:00.000Z manual success',
      '2025-01-04T00:00:00.000Z scheduled success',
    ]);
  });

  it('pausedOnCreation: a DAG seen the first time is recorded paused', async () => {
    clock = new ManualClock(Date.parse('2025-01-03T00:00:00Z'));
    const s = await scheduler([dagOf({ pausedOnCreation: true })]);
    await passAt(s, '2025-01-03T00:00:00Z');
    expect(await store.listDagStates()).to.deep.equal([
      { dagId: 'd', paused: true, updatedAt: '2025-01-03T00:00:00.000Z' },
    ]);
    expect(await runsOf()).to.deep.equal([]);
  });

  for (const [season, start, now, want] of [
    [
      'spring (CET to CEST)',
      '2025-03-29',
      '2025-04-01T04:00:00Z',
      ['2025-03-29T05:00:00.000Z', '2025-03-30T04:00:00.000Z', '2025-03-31T04:00:00.000Z'],
    ],
    [
      'autumn (CEST to CET)',
      '2025-10-25',
      '2025-10-28T05:00:00Z',
      ['2025-10-25T04:00:00.000Z', '2025-10-26T05:00:00.000Z', '2025-10-27T05:00:00.000Z'],
    ],
  ] as const) {
    it(`06:00 Europe/Paris across the ${season} change runs at 06:00 local time each day`, async () => {
      clock = new ManualClock(Date.parse(now));
      const s = await scheduler([
        dagOf({
          schedule: { cron: '0 6 * * *', timezone: 'Europe/Paris' },
          startDate: start,
          catchup: true,
          maxActiveRuns: 5,
        }),
      ]);
      await passAt(s, now);
      // The runs execute concurrently (maxActiveRuns 5): their order is not the point, their instants are.
      expect([...executed].sort()).to.deep.equal([...want].sort());
    });
  }

  it('a triggered run is executed by the next pass with the params recorded by trigger', async () => {
    clock = new ManualClock(Date.parse('2025-01-01T12:00:00Z'));
    const seen: unknown[] = [];
    const dag = defineDag({
      id: 'p',
      startDate: '2025-01-01',
      params: { limit: { type: 'number', default: 1 } },
    });
    dag.task({ id: 't', run: (ctx) => void seen.push(ctx.params.limit) });
    const s = await scheduler([dag]);
    const { run, created } = await engines[0]!.trigger(dag, {
      logicalDate: '2025-01-01T12:00:00Z',
      params: { limit: '7' },
    });
    expect([run.runId, run.state, created]).to.deep.equal(['manual__2025-01-01T120000Z', 'queued', true]);
    await passAt(s, '2025-01-01T12:00:01Z');
    expect(seen).to.deep.equal([7]);
    expect((await store.getRun('p', run.runId))?.state).to.equal('success');
  });

  it('two schedulers on one store: every due run executed exactly once, each run by one of them', async () => {
    clock = new ManualClock(Date.parse('2025-01-01T00:00:00Z'));
    const dags = [dagOf({ schedule: '@hourly', catchup: true, maxActiveRuns: 4 })];
    const a: SchedulerEvent[] = [];
    const b: SchedulerEvent[] = [];
    const s1 = await scheduler(dags, a);
    const s2 = await scheduler(dags, b);
    clock.advance(Date.parse('2025-01-03T00:00:00Z') - clock.now());
    for (let i = 0; i < 20; i++) {
      await Promise.all([s1.tick(), s2.tick()]);
      await Promise.all([s1.idle(), s2.idle()]);
    }
    expect(executed).to.have.length(48);
    expect(new Set(executed).size).to.equal(48);
    const finished = (events: SchedulerEvent[]) => events.filter((e) => e.type === 'run-finished').length;
    expect(finished(a) + finished(b)).to.equal(48);
    expect(finished(a)).to.be.greaterThan(0);
    expect(finished(b)).to.be.greaterThan(0);
  });

  it('records a heartbeat row, stopped after stop()', async () => {
    clock = new ManualClock(Date.parse('2025-01-01T00:00:00Z'));
    const s = await scheduler([dagOf({})]);
    await passAt(s, '2025-01-01T00:00:05Z');
    expect(await store.listSchedulers()).to.deep.include.members([
      {
        schedulerId: s.schedulerId,
        host: os.hostname(),
        pid: process.pid,
        startedAt: '2025-01-01T00:00:00.000Z',
        heartbeatAt: '2025-01-01T00:00:05.000Z',
        lastScheduledAt: null,
        state: 'running',
      },
    ]);
    await s.stop(1000);
    expect((await store.listSchedulers())[0]?.state).to.equal('stopped');
  });
});
