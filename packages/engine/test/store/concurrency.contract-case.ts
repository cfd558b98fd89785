import { LeaseLostError, type RunStore } from '@streampro/engine';
import { expect } from 'chai';
import { rejection } from '../support/fixtures.js';
import { claim, never, newRun, T0 } from './store-fixtures.js';

const RUN = 'manual__2025-01-01';
const EXPIRY = '2025-01-01T00:00:30.000Z';

/**
 * Several callers at once, part of the RunStore contract. `connect()` gives the current fixture's way to open
 * another connection to the same state (as another process has), if the store has connections; without one,
 * every caller shares the test's store. `store` returns the current test's store.
 */
export function concurrencyContract(
  store: () => RunStore,
  connect: () => (() => Promise<RunStore>) | undefined,
): void {
  describe('concurrent callers', () => {
    const opened: RunStore[] = [];
    const another = async (): Promise<RunStore> => {
      const open = connect();
      if (!open) return store();
      const s = await open();
      opened.push(s);
      return s;
    };

    beforeEach(async () => {
      await store().ensureRun(newRun('d', '2025-01-01'), ['a']);
    });

    afterEach(async () => {
      for (const s of opened.splice(0)) await s.close();
    });

    it('8 acquireLease calls at once: exactly one acquires, the others are told who holds it', async () => {
      const callers = await Promise.all(Array.from({ length: 8 }, () => another()));
      const results = await Promise.all(
        callers.map((s, i) => s.acquireLease('d', RUN, claim(`owner-${i}`, T0, EXPIRY, 100 + i), never)),
      );
      const winners = results.flatMap((r, i) => (r.acquired ? [{ i, epoch: r.epoch }] : []));
      expect(winners, JSON.stringify(results)).to.have.length(1);
      const winner = `owner-${winners[0]!.i}`;
      expect(winners[0]!.epoch).to.equal(1);
      for (const r of results) if (!r.acquired) expect(r.holder).to.deep.include({ owner: winner, epoch: 1 });
      expect((await store().getRun('d', RUN))?.lease).to.deep.include({ owner: winner, epoch: 1 });
    });

    it("rejects the batch of a stale epoch from another connection, and keeps the new owner's", async () => {
      const paused = await another();
      const taker = await another();
      await paused.acquireLease('d', RUN, claim('one', T0, '2025-01-01T00:00:10.000Z', 1111), never);
      // `paused` sleeps past its expiry; `taker` finds the lease expired and takes the run over.
      const second = await taker.acquireLease(
        'd',
        RUN,
        claim('two', '2025-01-01T00:01:00.000Z', '2025-01-01T00:01:30.000Z', 2222),
        never,
      );
      expect(second).to.deep.include({ acquired: true, epoch: 2 });
      const change = { kind: 'task', dagId: 'd', runId: RUN, taskId: 'a' } as const;

      const error = await rejection(
        paused.apply([{ ...change, state: 'scheduled' }], { dagId: 'd', runId: RUN, owner: 'one', epoch: 1 }),
      );

      expect(error).to.be.instanceOf(LeaseLostError);
      expect(error.message).to.equal(
        `lease of run d/${RUN} was lost (epoch 1): now held by process 2222 on host-a (epoch 2)`,
      );
      await taker.apply([{ ...change, state: 'queued', tryNumber: 1 }], {
        dagId: 'd',
        runId: RUN,
        owner: 'two',
        epoch: 2,
      });
      expect((await store().listTaskInstances('d', RUN))[0]).to.deep.include({
        state: 'queued',
        tryNumber: 1,
      });
    });

    it('a takeover racing fenced batches of the old owner: none started after it lands', async () => {
      const old = await another();
      const taker = await another();
      await old.acquireLease('d', RUN, claim('one', T0, '2025-01-01T00:00:10.000Z'), never);
      const fence = { dagId: 'd', runId: RUN, owner: 'one', epoch: 1 };
      let takenOver = false;
      const outcomes: ('applied' | 'rejected' | 'applied after the takeover')[] = [];
      const writes = (async () => {
        for (let i = 1; i <= 40; i++) {
          const startedAfter = takenOver;
          const change = {
            kind: 'task',
            dagId: 'd',
            runId: RUN,
            taskId: 'a',
            state: 'none',
            tryNumber: i,
          } as const;
          try {
            await old.apply([change], fence);
            outcomes.push(startedAfter ? 'applied after the takeover' : 'applied');
          } catch (error) {
            expect(error).to.be.instanceOf(LeaseLostError);
            outcomes.push('rejected');
          }
        }
      })();
      await new Promise((resolve) => setTimeout(resolve, 2));
      const result = await taker.acquireLease(
        'd',
        RUN,
        claim('two', '2025-01-01T00:01:00.000Z', EXPIRY),
        never,
      );
      takenOver = true;
      await writes;
      expect(result.acquired).to.equal(true);
      const applied = outcomes.filter((o) => o === 'applied').length;
      // Applied batches first, then only rejections: the lease never comes back to the old epoch.
      expect(outcomes).to.deep.equal([
        ...Array(applied).fill('applied'),
        ...Array(40 - applied).fill('rejected'),
      ]);
      expect((await store().listTaskInstances('d', RUN))[0]?.tryNumber).to.equal(applied);
    });
    it('8 connections claim the one slot of a pool at once: exactly one gets it', async () => {
      await store().ensureRun(newRun('p', '2025-01-01'), ['t0', 't1', 't2', 't3', 't4', 't5', 't6', 't7']);
      await store().setPool('solo', 1, '', T0);
      const callers = await Promise.all(Array.from({ length: 8 }, () => another()));
      const granted = await Promise.all(
        callers.map((s, i) =>
          s.claimPoolSlots([{ pool: 'solo', dagId: 'p', runId: RUN, taskId: `t${i}`, tryNumber: 1 }], T0),
        ),
      );
      expect(granted.flat().filter(Boolean), JSON.stringify(granted)).to.have.length(1);
      expect((await store().listPools(T0))[0]).to.include({ occupied: 1 });
    });
  });
}
