import { defineDag, Engine, InvalidInputError, NonRetryableError } from '@streampro/engine';
import { expect } from 'chai';
import { makeTempDir, rejection, removeDir, taskStates } from '../support/fixtures.js';

describe('dependsOnPast and waitForDownstream', () => {
  let home: string;
  let engine: Engine;
  beforeEach(async () => {
    home = await makeTempDir();
    engine = await Engine.open({ home });
  });
  afterEach(async () => {
    await engine.close();
    await removeDir(home);
  });

  /** `load` depends on its own previous run; `report` follows it. `failOn` makes load fail on that date. */
  function daily(failOn?: string, waitForDownstream = false) {
    const dag = defineDag({ id: 'past', schedule: '@daily', startDate: '2025-01-01' });
    const load = dag.task({
      id: 'load',
      dependsOnPast: true,
      waitForDownstream,
      run: (ctx) => {
        if (ctx.ds === failOn) throw new NonRetryableError('bad day');
        return ctx.ds;
      },
    });
    dag.task({ id: 'report', upstream: [load], run: (ctx) => ctx.upstream(load) });
    return dag;
  }

  it('the first run is free; a later one runs when the previous load succeeded', async () => {
    const dag = daily();
    expect(taskStates(await engine.run(dag, { logicalDate: '2025-01-01' }))).to.deep.equal({
      load: 'success',
      report: 'success',
    });
    expect(taskStates(await engine.run(dag, { logicalDate: '2025-01-02' }))).to.deep.equal({
      load: 'success',
      report: 'success',
    });
  });

  it('a failed load in the previous run makes it upstream_failed here, with the reason', async () => {
    const dag = daily('2025-01-01');
    expect((await engine.run(dag, { logicalDate: '2025-01-01' })).state).to.equal('failed');
    const events: string[] = [];
    const second = await engine.run(dag, {
      logicalDate: '2025-01-02',
      onEvent: (e) => {
        if (e.type === 'task-state' && e.error) events.push(`${e.taskId}: ${e.error}`);
      },
    });
    expect(taskStates(second)).to.deep.equal({ load: 'upstream_failed', report: 'upstream_failed' });
    expect(events).to.include('load: depends on past: load is failed in the previous run manual__2025-01-01');
  });

  it('a load whose previous run is still going waits for it (two runs at once: they execute in order)', async () => {
    const order: string[] = [];
    const dag = defineDag({ id: 'ordered', schedule: '@daily', startDate: '2025-01-01', maxActiveRuns: 2 });
    dag.task({
      id: 'load',
      dependsOnPast: true,
      run: async (ctx) => {
        order.push(`start ${ctx.ds}`);
        await new Promise((r) => setTimeout(r, ctx.ds === '2025-01-01' ? 400 : 10));
        order.push(`end ${ctx.ds}`);
      },
    });
    // The first date's run is created first, so it is the earlier run the second waits for.
    await engine.trigger(dag, { logicalDate: '2025-01-01' });
    const results = await Promise.all([
      engine.run(dag, { logicalDate: '2025-01-01' }),
      new Promise((r) => setTimeout(r, 50)).then(() => engine.run(dag, { logicalDate: '2025-01-02' })),
    ]);
    expect(results.map((r) => r.state)).to.deep.equal(['success', 'success']);
    expect(order).to.deep.equal(['start 2025-01-01', 'end 2025-01-01', 'start 2025-01-02', 'end 2025-01-02']);
  });

  it('waitForDownstream also needs the previous run of its downstream tasks', async () => {
    const dag = defineDag({ id: 'wfd', schedule: '@daily', startDate: '2025-01-01' });
    const load = dag.task({ id: 'load', waitForDownstream: true, run: () => 1 });
    dag.task({
      id: 'publish',
      upstream: [load],
      run: (ctx) => {
        if (ctx.ds === '2025-01-01') throw new NonRetryableError('publish failed');
        return 2;
      },
    });
    await engine.run(dag, { logicalDate: '2025-01-01' });
    expect(taskStates(await engine.run(dag, { logicalDate: '2025-01-02' }))).to.deep.equal({
      load: 'upstream_failed',
      publish: 'upstream_failed',
    });
  });

  it('a backwards backfill of such a DAG is refused, as Airflow does', async () => {
    const error = await rejection(
      engine.planBackfill(daily(), { start: '2025-01-01', end: '2025-01-03', backwards: true }),
    );
    expect(error).to.be.instanceOf(InvalidInputError);
    expect(error.message).to.equal(
      'a backwards backfill cannot run past: its tasks load depend on the previous run (dependsOnPast); drop --backwards',
    );
  });
});
