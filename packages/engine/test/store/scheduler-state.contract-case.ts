import type { RunStore, SchedulerRecord } from '@streampro/engine';
import { expect } from 'chai';

const AT = '2025-01-01T00:00:00.000Z';
const LATER = '2025-01-01T01:00:00.000Z';

const scheduler = (id: string, fields: Partial<SchedulerRecord> = {}): SchedulerRecord => ({
  schedulerId: id,
  host: 'h',
  pid: 42,
  startedAt: AT,
  heartbeatAt: AT,
  lastScheduledAt: null,
  state: 'running',
  ...fields,
});

/** Paused DAGs and scheduler heartbeats. Part of the RunStore contract; `store` returns the test's store. */
export function schedulerStateContract(store: () => RunStore): void {
  describe('DAG states', () => {
    it('ensureDagState records the given state the first time and keeps the stored one after', async () => {
      expect(await store().ensureDagState('d', true, AT)).to.deep.equal({
        dagId: 'd',
        paused: true,
        updatedAt: AT,
      });
      expect(await store().ensureDagState('d', false, LATER)).to.deep.equal({
        dagId: 'd',
        paused: true,
        updatedAt: AT,
      });
    });

    it('setDagPaused changes the state, creating it when missing; listDagStates lists them by id', async () => {
      expect(await store().setDagPaused('b', true, AT)).to.deep.equal({
        dagId: 'b',
        paused: true,
        updatedAt: AT,
      });
      await store().ensureDagState('a', false, AT);
      expect(await store().setDagPaused('b', false, LATER)).to.deep.equal({
        dagId: 'b',
        paused: false,
        updatedAt: LATER,
      });
      expect(await store().listDagStates()).to.deep.equal([
        { dagId: 'a', paused: false, updatedAt: AT },
        { dagId: 'b', paused: false, updatedAt: LATER },
      ]);
    });

    it('listDagStates is empty on a new store', async () => {
      expect(await store().listDagStates()).to.deep.equal([]);
    });
  });

  describe('scheduler heartbeats', () => {
    it('heartbeatScheduler creates then replaces the row of a scheduler; listSchedulers newest start first', async () => {
      await store().heartbeatScheduler(scheduler('s1'));
      await store().heartbeatScheduler(scheduler('s2', { startedAt: LATER, heartbeatAt: LATER }));
      await store().heartbeatScheduler(
        scheduler('s1', { heartbeatAt: LATER, lastScheduledAt: LATER, state: 'stopped' }),
      );
      expect(await store().listSchedulers()).to.deep.equal([
        scheduler('s2', { startedAt: LATER, heartbeatAt: LATER }),
        scheduler('s1', { heartbeatAt: LATER, lastScheduledAt: LATER, state: 'stopped' }),
      ]);
    });

    it('listSchedulers is empty on a new store', async () => {
      expect(await store().listSchedulers()).to.deep.equal([]);
    });
  });
}
