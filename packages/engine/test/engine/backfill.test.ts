import { defineDag, Engine, InvalidInputError, type Reprocess } from '@streampro/engine';
import { expect } from 'chai';
import { ConcurrencyProbe, makeTempDir, rejection, removeDir } from '../support/fixtures.js';

const iso = (day: string) => `${day}T00:00:00.000Z`;
const days = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => `2025-01-${String(from + i).padStart(2, '0')}`);

describe('backfill', () => {
  let home: string;
  let engine: Engine;
  let calls: Record<string, number>;
  let failing: Set<string>;
  let probe: ConcurrencyProbe;

  /** A @daily DAG of one task that fails on the dates in `failing`. */
  function daily() {
    const dag = defineDag({ id: 'daily', startDate: '2025-01-01', schedule: '@daily' });
    dag.task({
      id: 'load',
      run: (ctx) =>
        probe.around(() => {
          calls[ctx.ds] = (calls[ctx.ds] ?? 0) + 1;
          if (failing.has(ctx.ds)) throw new Error(`no file for ${ctx.ds}`);
          return ctx.ds;
        }),
    });
    return dag;
  }

  beforeEach(async () => {
    home = await makeTempDir();
    engine = await Engine.open({ home });
    calls = {};
    failing = new Set();
    probe = new ConcurrencyProbe();
  });

  afterEach(async () => {
    await engine.close();
    await removeDir(home);
  });

  describe('plan', () => {
    /** 01-02 succeeded, 01-03 failed, 01-04 exists but never ran. */
    async function seed() {
      const dag = daily();
      await engine.run(dag, { logicalDate: '2025-01-02' });
      failing.add('2025-01-03');
      await engine.run(dag, { logicalDate: '2025-01-03' });
      await engine.store.ensureRun(
        {
          dagId: 'daily',
          runId: 'manual__2025-01-04',
          logicalDate: iso('2025-01-04'),
          runType: 'manual',
          params: {},
          createdAt: iso('2025-01-04'),
        },
        ['load'],
      );
      return dag;
    }

    it('plans every scheduled date with an action and a reason', async () => {
      const dag = await seed();
      const plan = await engine.planBackfill(dag, { start: '2025-01-01', end: '2025-01-10' });
      expect(plan.dagId).to.equal('daily');
      expect(plan.entries.map((e) => e.logicalDate)).to.deep.equal(days(1, 10).map(iso));
      expect(plan.entries.slice(0, 5)).to.deep.equal([
        { logicalDate: iso('2025-01-01'), action: 'run', reason: 'no run yet', existingState: null },
        {
          logicalDate: iso('2025-01-02'),
          action: 'skip',
          reason: 'already succeeded',
          existingState: 'success',
        },
        {
          logicalDate: iso('2025-01-03'),
          action: 'skip',
          reason: 'failed run kept (reprocess=none)',
          existingState: 'failed',
        },
        {
          logicalDate: iso('2025-01-04'),
          action: 'resume',
          reason: 'unfinished run (interrupted or in progress)',
          existingState: 'queued',
        },
        { logicalDate: iso('2025-01-05'), action: 'run', reason: 'no run yet', existingState: null },
      ]);
    });

    it('plans reruns of failed runs with reprocess=failed, and of every run with reprocess=all', async () => {
      const dag = await seed();
      const actions = async (reprocess: Reprocess) =>
        (await engine.planBackfill(dag, { start: '2025-01-02', end: '2025-01-04', reprocess })).entries.map(
          (e) => [e.action, e.reason],
        );
      expect(await actions('failed')).to.deep.equal([
        ['skip', 'already succeeded'],
        ['rerun', 'failed run retried (reprocess=failed)'],
        ['resume', 'unfinished run (interrupted or in progress)'],
      ]);
      expect(await actions('all')).to.deep.equal([
        ['rerun', 'succeeded run re-executed (reprocess=all)'],
        ['rerun', 'failed run retried (reprocess=all)'],
        ['resume', 'unfinished run (interrupted or in progress)'],
      ]);
    });

    it('orders the plan newest first when backwards', async () => {
      const plan = await engine.planBackfill(daily(), {
        start: '2025-01-01',
        end: '2025-01-10',
        backwards: true,
      });
      expect(plan.entries.map((e) => e.logicalDate)).to.deep.equal(days(1, 10).reverse().map(iso));
    });

    it('starts no earlier than the DAG start date', async () => {
      const plan = await engine.planBackfill(daily(), { start: '2024-12-25', end: '2025-01-02' });
      expect(plan.entries.map((e) => e.logicalDate)).to.deep.equal([iso('2025-01-01'), iso('2025-01-02')]);
    });

    it('rejects an end before the start, and an unknown reprocess mode', async () => {
      const error = await rejection(engine.planBackfill(daily(), { start: '2025-01-10', end: '2025-01-01' }));
      expect(error).to.be.instanceOf(InvalidInputError);
      expect(error.message).to.equal('end date 2025-01-01 is before start date 2025-01-10; swap them');
      const viaBackfill = await rejection(
        engine.backfill(daily(), { start: '2025-01-10', end: '2025-01-01' }),
      );
      expect(viaBackfill).to.be.instanceOf(InvalidInputError);

      const mode = await rejection(
        engine.planBackfill(daily(), {
          start: '2025-01-01',
          end: '2025-01-02',
          // A value from an untyped caller (the CLI parses it from argv).
          reprocess: 'some' as Reprocess,
        }),
      );
      expect(mode).to.be.instanceOf(InvalidInputError);
      expect(mode.message).to.equal('reprocess must be none, failed or all, got "some"');
    });

    it('plans 10,000 dates', async () => {
      const dag = defineDag({ id: 'long', startDate: '1990-01-01', schedule: '@daily' });
      dag.task({ id: 't', run: () => 1 });
      const plan = await engine.planBackfill(dag, { start: '1990-01-01', end: '2017-05-18' });
      expect(plan.entries).to.have.length(10_000);
      expect(plan.entries.every((e) => e.action === 'run')).to.equal(true);
      expect(plan.entries.at(-1)?.logicalDate).to.equal('2017-05-18T00:00:00.000Z');
    });
  });

  describe('execute', () => {
    it('runs every date with at most maxActiveRuns runs at once', async () => {
      const dag = daily();
      let active = 0;
      let maxActive = 0;
      const done: string[] = [];
      const result = await engine.backfill(dag, {
        start: '2025-01-01',
        end: '2025-01-10',
        maxActiveRuns: 3,
        onEvent: (e) => {
          if (e.type !== 'run-state') return;
          if (e.state === 'running') active++;
          else active--;
          maxActive = Math.max(maxActive, active);
        },
        onRunDone: (r) => done.push(r.logicalDate),
      });
      expect(result).to.deep.include({ dagId: 'daily', succeeded: 10, failed: 0, skipped: 0 });
      expect(result.results.map((r) => [r.logicalDate, r.action, r.state])).to.deep.equal(
        days(1, 10).map((d) => [iso(d), 'run', 'success']),
      );
      expect(maxActive).to.equal(3);
      expect(probe.max).to.be.within(1, 3); // task bodies overlap only when timing allows: a bound, not an exact count
      expect(done.sort()).to.deep.equal(days(1, 10).map(iso));
      const runs = await engine.listRuns('daily');
      expect(runs).to.have.length(10);
      expect(runs.every((r) => r.runType === 'backfill' && r.state === 'success')).to.equal(true);
    });

    it('reprocess none keeps failed runs, failed resumes them, all re-executes everything', async () => {
      const dag = daily();
      failing.add('2025-01-02');
      const first = await engine.backfill(dag, { start: '2025-01-01', end: '2025-01-03' });
      expect(first).to.deep.include({ succeeded: 2, failed: 1, skipped: 0 });
      expect(first.results[1]).to.deep.include({ state: 'failed', error: 'load: no file for 2025-01-02' });

      failing.clear();
      const none = await engine.backfill(dag, { start: '2025-01-01', end: '2025-01-03' });
      expect(none).to.deep.include({ succeeded: 0, failed: 0, skipped: 3 });
      expect(calls).to.deep.equal({ '2025-01-01': 1, '2025-01-02': 1, '2025-01-03': 1 });

      const failed = await engine.backfill(dag, {
        start: '2025-01-01',
        end: '2025-01-03',
        reprocess: 'failed',
      });
      expect(failed.results.map((r) => [r.action, r.state])).to.deep.equal([
        ['skip', 'skipped'],
        ['rerun', 'success'],
        ['skip', 'skipped'],
      ]);
      expect(calls).to.deep.equal({ '2025-01-01': 1, '2025-01-02': 2, '2025-01-03': 1 });

      const all = await engine.backfill(dag, { start: '2025-01-01', end: '2025-01-03', reprocess: 'all' });
      expect(all).to.deep.include({ succeeded: 3, failed: 0, skipped: 0 });
      expect(calls).to.deep.equal({ '2025-01-01': 2, '2025-01-02': 3, '2025-01-03': 2 });
    });

    it('rejects a maxActiveRuns that is not a positive integer', async () => {
      const error = await rejection(
        engine.backfill(daily(), { start: '2025-01-01', end: '2025-01-02', maxActiveRuns: 0 }),
      );
      expect(error).to.be.instanceOf(InvalidInputError);
      expect(error.message).to.equal('max active runs must be a positive integer, got 0');
    });
  });
});
