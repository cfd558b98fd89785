import type { RunStore, StateChange } from '@streampro/engine';
import { expect } from 'chai';
import { rejection } from '../support/fixtures.js';
import { newRun } from './store-fixtures.js';

const AT = '2025-02-01T00:00:00.000Z';
const SOON = '2025-02-01T00:00:05.000Z';
const LATE = '2025-02-01T00:01:00.000Z';
const RUN = 'manual__2025-01-01';

const claimOf = (taskId: string, tryNumber = 1, pool = 'duckdb', runId = RUN) => ({
  pool,
  dagId: 'd',
  runId,
  taskId,
  tryNumber,
});

const task = (
  taskId: string,
  state: 'queued' | 'running' | 'success' | 'up_for_retry',
  tryNumber = 1,
): StateChange => ({
  kind: 'task',
  dagId: 'd',
  runId: RUN,
  taskId,
  state,
  tryNumber,
});

/** Pools and their slot claims. Part of the RunStore contract; `store` returns the test's store. */
export function poolsContract(store: () => RunStore): void {
  describe('pools', () => {
    beforeEach(async () => {
      await store().ensureRun(newRun('d', '2025-01-01'), ['a', 'b', 'c']);
    });

    it('setPool creates and updates; listPools lists by name with what occupies them; deletePool', async () => {
      expect(await store().setPool('duckdb', 1, 'one DuckDB at a time', AT)).to.deep.equal({
        name: 'duckdb',
        slots: 1,
        description: 'one DuckDB at a time',
        updatedAt: AT,
      });
      await store().setPool('api', 4, '', AT);
      await store().setPool('duckdb', 2, 'two now', SOON);
      expect(await store().listPools(SOON)).to.deep.equal([
        { name: 'api', slots: 4, description: '', updatedAt: AT, occupied: 0, queued: 0, running: 0 },
        {
          name: 'duckdb',
          slots: 2,
          description: 'two now',
          updatedAt: SOON,
          occupied: 0,
          queued: 0,
          running: 0,
        },
      ]);
      expect(await store().deletePool('api')).to.equal(true);
      expect(await store().deletePool('api')).to.equal(false);
      expect((await store().listPools(SOON)).map((p) => p.name)).to.deep.equal(['duckdb']);
    });

    it('refuses a bad name or slot count with a message naming it', async () => {
      const error = await rejection(store().setPool('duck db', 1, '', AT));
      expect(error).to.be.instanceOf(RangeError);
      expect(error.message).to.equal("pool name 'duck db' must be 1-250 letters, digits, '_', '.' or '-'");
      const slots = await rejection(store().setPool('duckdb', 1.5, '', AT));
      expect(slots.message).to.equal("pool 'duckdb' needs a whole number of slots >= 0, got 1.5");
    });

    it('grants claims of a pool without a row, and stores nothing for them', async () => {
      expect(
        await store().claimPoolSlots([claimOf('a', 1, 'nowhere'), claimOf('b', 1, 'nowhere')], AT),
      ).to.deep.equal([true, true]);
      await store().setPool('nowhere', 0, '', AT);
      expect((await store().listPools(AT))[0]).to.include({ occupied: 0 });
    });

    it('a pool of 1: the second claim is refused while the first is pending, queued or running', async () => {
      await store().setPool('duckdb', 1, '', AT);
      expect(await store().claimPoolSlots([claimOf('a'), claimOf('b')], AT)).to.deep.equal([true, false]);
      expect((await store().listPools(AT))[0]).to.include({ occupied: 1, queued: 0, running: 0 });
      await store().apply([task('a', 'queued')]);
      expect(await store().claimPoolSlots([claimOf('b')], SOON)).to.deep.equal([false]);
      expect((await store().listPools(SOON))[0]).to.include({ occupied: 1, queued: 1, running: 0 });
      await store().apply([task('a', 'running')]);
      expect(await store().claimPoolSlots([claimOf('b')], LATE)).to.deep.equal([false]);
      expect((await store().listPools(LATE))[0]).to.include({ occupied: 1, queued: 0, running: 1 });
      await store().apply([task('a', 'success')]);
      expect((await store().listPools(LATE))[0]).to.include({ occupied: 0 });
      expect(await store().claimPoolSlots([claimOf('b')], LATE)).to.deep.equal([true]);
    });

    it('a pending claim whose try never got queued frees its slot after 30 s', async () => {
      await store().setPool('duckdb', 1, '', AT);
      expect(await store().claimPoolSlots([claimOf('a')], AT)).to.deep.equal([true]);
      expect(await store().claimPoolSlots([claimOf('b')], SOON)).to.deep.equal([false]);
      expect(await store().claimPoolSlots([claimOf('b')], LATE)).to.deep.equal([true]);
    });

    it('a claim of the same task instance replaces its own: a retry does not wait for its previous try', async () => {
      await store().setPool('duckdb', 1, '', AT);
      expect(await store().claimPoolSlots([claimOf('a')], AT)).to.deep.equal([true]);
      await store().apply([task('a', 'queued'), task('a', 'running'), task('a', 'up_for_retry')]);
      expect(await store().claimPoolSlots([claimOf('a', 2)], SOON)).to.deep.equal([true]);
      expect(await store().claimPoolSlots([claimOf('b')], SOON)).to.deep.equal([false]);
    });

    it('a try queued again under a stale claim number does not hold the slot', async () => {
      await store().setPool('duckdb', 1, '', AT);
      expect(await store().claimPoolSlots([claimOf('a')], AT)).to.deep.equal([true]);
      // Cleared and run again without a claim (e.g. before the pool existed): the old claim no longer counts.
      await store().apply([task('a', 'queued', 3)]);
      expect(await store().claimPoolSlots([claimOf('b')], SOON)).to.deep.equal([true]);
    });

    it('slots are counted per pool, and lowering them refuses new claims only', async () => {
      await store().setPool('duckdb', 2, '', AT);
      await store().setPool('api', 1, '', AT);
      expect(
        await store().claimPoolSlots([claimOf('a'), claimOf('b', 1, 'api'), claimOf('c')], AT),
      ).to.deep.equal([true, true, true]);
      await store().setPool('duckdb', 1, '', AT);
      expect((await store().listPools(AT)).map((p) => [p.name, p.occupied])).to.deep.equal([
        ['api', 1],
        ['duckdb', 2],
      ]);
    });
  });
}
