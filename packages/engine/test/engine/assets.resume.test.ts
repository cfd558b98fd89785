import { type Dag, type DagRegistry, defineDag, Engine, ManualClock } from '@streampro/engine';
import { expect } from 'chai';
import { type Deferred, deferred, makeTempDir, removeDir } from '../support/fixtures.js';

const EVENTS = 'lake://trusted/events';

function registryOf(...dags: Dag[]): DagRegistry {
  return { get: (id) => dags.find((d) => d.id === id), all: () => dags };
}

/**
 * A producer that updates EVENTS and a consumer scheduled on it. The consumer's first execution for
 * `blockOn` waits until its signal aborts (the kill of a backfill, simulated in-process); later ones succeed.
 */
function pair(blockOn: string, started: Deferred<void>) {
  const executions: string[] = [];
  let blocked = false;
  const producer = defineDag({ id: 'ingest', startDate: '2025-01-01', schedule: '@daily' });
  producer.task({ id: 'load', outlets: [EVENTS], run: (ctx) => ctx.ds });
  const consumer = defineDag({ id: 'report', startDate: '2025-01-01', schedule: { assets: [EVENTS] } });
  consumer.task({
    id: 'build',
    run: (ctx) => {
      executions.push(ctx.ds);
      if (ctx.ds !== blockOn || blocked) return 'built';
      blocked = true;
      return new Promise<string>((_, reject) => {
        ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason));
        started.resolve();
      });
    },
  });
  return { producer, consumer, executions, registry: registryOf(producer, consumer) };
}

describe('asset-triggered runs left unfinished are resumed by running the producer again', () => {
  let home: string;
  let engine: Engine;
  let clock: ManualClock;

  beforeEach(async () => {
    home = await makeTempDir();
    clock = new ManualClock(Date.UTC(2025, 0, 3));
    engine = await Engine.open({ home, clock });
  });

  afterEach(async () => {
    await engine.close();
    await removeDir(home);
  });

  it('engine.run: an already-succeeded producer still resumes its interrupted consumer run', async () => {
    const started = deferred();
    const { producer, consumer, executions, registry } = pair('2025-01-01', started);
    const stop = new AbortController();
    void started.promise.then(() => stop.abort(new Error('killed')));

    const first = await engine.run(producer, { logicalDate: '2025-01-01', registry, signal: stop.signal });
    expect(first.state).to.equal('success');
    const left = await engine.status(consumer, '2025-01-01');
    expect(left?.state).to.equal('queued');
    expect(left?.tasks.map((t) => t.state)).to.not.include('success');

    clock.advance(60_000);
    const again = await engine.run(producer, { logicalDate: '2025-01-01', registry });
    expect(again.alreadyDone).to.equal(true);
    expect(again.triggered.map((r) => [r.dagId, r.state, r.alreadyDone])).to.deep.equal([
      ['report', 'success', false],
    ]);
    expect((await engine.status(consumer, '2025-01-01'))?.state).to.equal('success');
    expect(executions).to.deep.equal(['2025-01-01', '2025-01-01']);

    // Done now: a third run triggers nothing.
    clock.advance(60_000);
    expect((await engine.run(producer, { logicalDate: '2025-01-01', registry })).triggered).to.deep.equal([]);
  });

  it('engine.run: a consumer run left `running` by a killed process is resumed too', async () => {
    const { producer, consumer, executions, registry } = pair('none', deferred());
    await engine.run(producer, { logicalDate: '2025-01-01', registry });
    const run = await engine.store.findRunByLogicalDate('report', '2025-01-01T00:00:00.000Z');
    // What a SIGKILL leaves: the run marked running (its lease expires or its pid is gone).
    await engine.store.apply([{ kind: 'run', dagId: 'report', runId: run!.runId, state: 'running' }]);
    await engine.store.apply([
      { kind: 'task', dagId: 'report', runId: run!.runId, taskId: 'build', state: 'none' },
    ]);

    clock.advance(60_000);
    const again = await engine.run(producer, { logicalDate: '2025-01-01', registry });
    expect(again.triggered.map((r) => [r.dagId, r.state])).to.deep.equal([['report', 'success']]);
    expect((await engine.status(consumer, '2025-01-01'))?.state).to.equal('success');
    expect(executions).to.deep.equal(['2025-01-01', '2025-01-01']);
  });

  it('engine.run: an unfinished consumer run is resumed even before every asset of it has an event', async () => {
    const { producer, registry } = pair('none', deferred());
    const partial = defineDag({
      id: 'partial',
      startDate: '2025-01-01',
      schedule: { assets: [EVENTS, 'lake://trusted/users'] },
    });
    let built = 0;
    partial.task({ id: 'build', run: () => ++built });
    const all = registryOf(...registry.all(), partial);
    // Started by hand and interrupted before its task ran.
    await engine.store.ensureRun(
      {
        dagId: 'partial',
        runId: 'manual__2025-01-01',
        logicalDate: '2025-01-01T00:00:00.000Z',
        runType: 'manual',
        params: {},
        createdAt: new Date(clock.now()).toISOString(),
      },
      ['build'],
    );

    const result = await engine.run(producer, { logicalDate: '2025-01-01', registry: all });
    expect(result.triggered.map((r) => [r.dagId, r.state])).to.deep.equal([
      ['report', 'success'],
      ['partial', 'success'],
    ]);
    expect(built).to.equal(1);
  });

  it('engine.backfill: a date already succeeded still resumes its unfinished triggered run', async () => {
    const started = deferred();
    const { producer, consumer, executions, registry } = pair('2025-01-02', started);
    const stop = new AbortController();
    void started.promise.then(() => stop.abort(new Error('killed')));
    const range = { start: '2025-01-01', end: '2025-01-02', maxActiveRuns: 1, registry };

    await engine.backfill(producer, { ...range, signal: stop.signal });
    expect((await engine.status(producer, '2025-01-02'))?.state).to.equal('success');
    expect((await engine.status(consumer, '2025-01-02'))?.state).to.equal('queued');

    clock.advance(60_000);
    const again = await engine.backfill(producer, range);
    expect(again.results.map((r) => [r.logicalDate.slice(0, 10), r.action, r.state, r.error])).to.deep.equal([
      ['2025-01-01', 'skip', 'skipped', 'already succeeded'],
      ['2025-01-02', 'skip', 'skipped', 'already succeeded; triggered runs resumed: report success'],
    ]);
    expect((await engine.status(consumer, '2025-01-02'))?.state).to.equal('success');
    expect(executions).to.deep.equal(['2025-01-01', '2025-01-02', '2025-01-02']);
  });
});
