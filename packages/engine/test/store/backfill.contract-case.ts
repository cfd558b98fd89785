import type { NewBackfill, RunStore } from '@streampro/engine';
import { expect } from 'chai';

const AT = '2025-02-01T00:00:00.000Z';
const LATER = '2025-02-01T01:00:00.000Z';
const day = (d: number): string => `2025-01-0${d}T00:00:00.000Z`;

const backfill = (dagId: string): NewBackfill => ({
  dagId,
  startDate: day(1),
  endDate: day(3),
  reprocess: 'failed',
  backwards: true,
  maxActiveRuns: 2,
  params: { region: 'eu', limit: 3 },
  createdAt: AT,
});

/** Backfill records and their dates. Part of the RunStore contract; `store` returns the test's store. */
export function backfillContract(store: () => RunStore): void {
  describe('backfills', () => {
    it('createBackfill records the backfill running and its dates in the given order', async () => {
      const created = await store().createBackfill(backfill('d'), [
        { logicalDate: day(3), action: 'run', runId: null },
        { logicalDate: day(2), action: 'rerun', runId: 'scheduled__2025-01-02' },
        { logicalDate: day(1), action: 'skip', runId: 'manual__2025-01-01' },
      ]);
      expect(created).to.deep.equal({
        ...backfill('d'),
        id: 1,
        state: 'running',
        updatedAt: AT,
        completedAt: null,
      });
      expect(await store().getBackfill(1)).to.deep.equal(created);
      expect(await store().getBackfill(2)).to.equal(undefined);
      expect(await store().listBackfillDates(1)).to.deep.equal([
        { backfillId: 1, logicalDate: day(3), ordinal: 0, action: 'run', runId: null, claimedAt: null },
        {
          backfillId: 1,
          logicalDate: day(2),
          ordinal: 1,
          action: 'rerun',
          runId: 'scheduled__2025-01-02',
          claimedAt: null,
        },
        {
          backfillId: 1,
          logicalDate: day(1),
          ordinal: 2,
          action: 'skip',
          runId: 'manual__2025-01-01',
          claimedAt: null,
        },
      ]);
    });

    it('listBackfills lists newest first, of one DAG or all; ids count up', async () => {
      await store().createBackfill(backfill('a'), []);
      await store().createBackfill(backfill('b'), [{ logicalDate: day(1), action: 'run', runId: null }]);
      await store().createBackfill(backfill('a'), []);
      expect((await store().listBackfills()).map((b) => [b.id, b.dagId])).to.deep.equal([
        [3, 'a'],
        [2, 'b'],
        [1, 'a'],
      ]);
      expect((await store().listBackfills('a')).map((b) => b.id)).to.deep.equal([3, 1]);
      expect(await store().listBackfills('none')).to.deep.equal([]);
      expect(await store().listBackfillDates(1)).to.deep.equal([]);
    });

    it('setBackfillState changes the state only from the given ones; completedAt set once given', async () => {
      const { id } = await store().createBackfill(backfill('d'), []);
      expect(await store().setBackfillState(id, 'paused', LATER, ['done'])).to.equal(undefined);
      const paused = await store().setBackfillState(id, 'paused', LATER, ['running']);
      expect(paused).to.include({ state: 'paused', updatedAt: LATER, completedAt: null });
      const done = await store().setBackfillState(id, 'done', LATER, ['running', 'paused'], LATER);
      expect(done).to.include({ state: 'done', completedAt: LATER });
      expect(await store().setBackfillState(id, 'running', LATER, [])).to.equal(undefined);
      expect(await store().setBackfillState(99, 'running', LATER, ['running'])).to.equal(undefined);
      expect(await store().getBackfill(id)).to.include({ state: 'done', completedAt: LATER });
    });

    it('claimBackfillDate takes a waiting date once, recording the run', async () => {
      const { id } = await store().createBackfill(backfill('d'), [
        { logicalDate: day(1), action: 'run', runId: null },
      ]);
      const claims = await Promise.all([
        store().claimBackfillDate(id, day(1), 'backfill__2025-01-01', LATER),
        store().claimBackfillDate(id, day(1), 'backfill__2025-01-01', LATER),
      ]);
      expect(claims.sort()).to.deep.equal([false, true]);
      expect(await store().claimBackfillDate(id, day(2), 'backfill__2025-01-02', LATER)).to.equal(false);
      expect(await store().listBackfillDates(id)).to.deep.equal([
        {
          backfillId: id,
          logicalDate: day(1),
          ordinal: 0,
          action: 'run',
          runId: 'backfill__2025-01-01',
          claimedAt: LATER,
        },
      ]);
    });
  });
}
