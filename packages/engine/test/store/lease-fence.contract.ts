import {
  type Fence,
  type LeaseInfo,
  LeaseLostError,
  type RunStore,
  type StateChange,
} from '@streampro/engine';
import { expect } from 'chai';
import { rejection } from '../support/fixtures.js';
import { claim, never, newRun, T0, tryRecord } from './store-fixtures.js';

const RUN = 'manual__2025-01-01';
const LATER = '2025-01-01T00:00:10.000Z';
const EXPIRY = '2025-01-01T00:00:30.000Z';
const LATEST = '2025-01-01T00:01:00.000Z';

const fence = (owner: string, epoch: number): Fence => ({ dagId: 'd', runId: RUN, owner, epoch });

/** A batch touching every kind of row: after a rejected apply, none of it may be found. */
const BATCH: readonly StateChange[] = [
  { kind: 'run', dagId: 'd', runId: RUN, state: 'running', startedAt: LATER },
  { kind: 'task', dagId: 'd', runId: RUN, taskId: 'a', state: 'scheduled' },
  { kind: 'add-task', dagId: 'd', runId: RUN, taskId: 'added' },
  { kind: 'try-start', record: tryRecord('a', 1) },
  {
    kind: 'asset-event',
    event: {
      asset: 'lake://trusted/x',
      logicalDate: T0,
      dagId: 'd',
      runId: RUN,
      taskId: 'a',
      createdAt: LATER,
    },
  },
];

/**
 * Lease epochs and fenced writes, part of the RunStore contract. `store` returns the current test's store,
 * created (empty) by the enclosing suite.
 */
export function leaseFenceContract(store: () => RunStore): void {
  describe('lease epochs and fences', () => {
    beforeEach(async () => {
      await store().ensureRun(newRun('d', '2025-01-01'), ['a', 'b']);
    });

    async function expectNothingOfBatch(): Promise<void> {
      const s = store();
      expect(await s.getRun('d', RUN)).to.deep.include({ state: 'queued', startedAt: null });
      expect((await s.listTaskInstances('d', RUN)).map((t) => [t.taskId, t.state])).to.deep.equal([
        ['a', 'none'],
        ['b', 'none'],
      ]);
      expect(await s.listTries('d', RUN)).to.deep.equal([]);
      expect(await s.listAssetEvents('lake://trusted/x', T0)).to.deep.equal([]);
    }

    async function expectBatchApplied(): Promise<void> {
      const s = store();
      expect(await s.getRun('d', RUN)).to.deep.include({ state: 'running', startedAt: LATER });
      expect((await s.listTaskInstances('d', RUN)).map((t) => [t.taskId, t.state])).to.deep.equal([
        ['a', 'scheduled'],
        ['b', 'none'],
        ['added', 'none'],
      ]);
      expect(await s.listTries('d', RUN)).to.deep.equal([tryRecord('a', 1)]);
      expect(await s.listAssetEvents('lake://trusted/x', T0)).to.have.length(1);
    }

    it('gives every acquisition the next epoch: re-acquisition, takeovers, and after a release', async () => {
      const s = store();
      const epochs: number[] = [];
      const acquire = async (
        owner: string,
        now: string,
        expiresAt: string,
        gone: (h: LeaseInfo) => boolean = never,
      ) => {
        const result = await s.acquireLease(
          'd',
          RUN,
          claim(owner, now, expiresAt, owner === 'two' ? 2 : 1),
          gone,
        );
        expect(result.acquired, `${owner} acquires`).to.equal(true);
        if (!result.acquired) return;
        epochs.push(result.epoch);
        expect((await s.getRun('d', RUN))?.lease).to.deep.include({ owner, epoch: result.epoch });
      };
      await acquire('one', T0, LATER);
      await acquire('one', T0, LATER); // the same owner again
      await acquire('two', LATER, EXPIRY); // takeover of an expired lease
      await acquire('one', LATER, EXPIRY, (holder) => holder.pid === 2); // takeover of a gone holder
      await s.releaseLease(fence('one', 4));
      expect((await s.getRun('d', RUN))?.lease).to.equal(null);
      await acquire('two', LATER, EXPIRY); // after a release: the epoch does not start again
      expect(epochs).to.deep.equal([1, 2, 3, 4, 5]);
    });

    it('reports the epoch of the lease it took over from', async () => {
      await store().acquireLease('d', RUN, claim('one', T0, LATER), never);
      const result = await store().acquireLease('d', RUN, claim('two', LATER, EXPIRY), never);
      expect(result).to.deep.include({ acquired: true, epoch: 2 });
      expect(result).to.have.nested.property('tookOverFrom.epoch', 1);
    });

    it('keeps the epochs of each run apart', async () => {
      await store().ensureRun(newRun('d', '2025-01-02'), ['a']);
      await store().acquireLease('d', RUN, claim('one', T0, EXPIRY), never);
      await store().acquireLease('d', RUN, claim('one', T0, EXPIRY), never);
      const other = await store().acquireLease('d', 'manual__2025-01-02', claim('one', T0, EXPIRY), never);
      expect(other).to.deep.include({ acquired: true, epoch: 1 });
    });

    it('applies a batch fenced with the current owner and epoch', async () => {
      await store().acquireLease('d', RUN, claim('one', T0, EXPIRY), never);
      await store().apply(BATCH, fence('one', 1));
      await expectBatchApplied();
    });

    it('still admits the writes and renewal of an expired lease nobody took over', async () => {
      await store().acquireLease('d', RUN, claim('one', T0, LATER), never);
      // The store has no clock: a lease ends when someone acquires it, not when its expiry passes.
      await store().apply(BATCH, fence('one', 1));
      await expectBatchApplied();
      expect(await store().renewLease(fence('one', 1), LATEST, LATEST)).to.equal(true);
    });

    it('rejects a batch fenced with the epoch of a lease taken over, names the new holder, writes nothing', async () => {
      await store().acquireLease('d', RUN, claim('one', T0, LATER, 1111), never);
      await store().acquireLease('d', RUN, claim('two', LATER, EXPIRY, 2222), never);
      const holder: LeaseInfo = {
        owner: 'two',
        host: 'host-a',
        pid: 2222,
        heartbeatAt: LATER,
        expiresAt: EXPIRY,
        epoch: 2,
      };

      const error = await rejection(store().apply(BATCH, fence('one', 1)));

      expect(error).to.be.instanceOf(LeaseLostError);
      expect(error.name).to.equal('LeaseLostError');
      expect(error).to.deep.include({ dagId: 'd', runId: RUN, epoch: 1, holder });
      expect(error.message).to.equal(
        `lease of run d/${RUN} was lost (epoch 1): now held by process 2222 on host-a (epoch 2)`,
      );
      await expectNothingOfBatch();
      expect((await store().getRun('d', RUN))?.lease).to.deep.equal(holder);
    });

    it('rejects the epoch before a re-acquisition by the same owner', async () => {
      await store().acquireLease('d', RUN, claim('one', T0, EXPIRY), never);
      await store().acquireLease('d', RUN, claim('one', LATER, EXPIRY), never);
      const error = await rejection(store().apply(BATCH, fence('one', 1)));
      expect(error).to.be.instanceOf(LeaseLostError);
      expect(error).to.have.nested.property('holder.epoch', 2);
      expect(error).to.have.nested.property('holder.owner', 'one');
      await expectNothingOfBatch();
      await store().apply(BATCH, fence('one', 2));
      await expectBatchApplied();
    });

    it('rejects a batch of another owner fenced with the current epoch', async () => {
      await store().acquireLease('d', RUN, claim('one', T0, EXPIRY), never);
      const error = await rejection(store().apply(BATCH, fence('two', 1)));
      expect(error).to.be.instanceOf(LeaseLostError);
      await expectNothingOfBatch();
    });

    it('rejects a fenced batch after the lease was released, and says so', async () => {
      await store().acquireLease('d', RUN, claim('one', T0, EXPIRY), never);
      await store().releaseLease(fence('one', 1));

      const error = await rejection(store().apply(BATCH, fence('one', 1)));

      expect(error).to.be.instanceOf(LeaseLostError);
      expect(error).to.deep.include({ dagId: 'd', runId: RUN, epoch: 1, holder: null });
      expect(error.message).to.equal(`lease of run d/${RUN} was lost (epoch 1): released`);
      await expectNothingOfBatch();
    });

    it('rejects a fenced batch on a run whose lease was never taken', async () => {
      const error = await rejection(store().apply(BATCH, fence('one', 0)));
      expect(error).to.be.instanceOf(LeaseLostError);
      expect(error).to.have.property('holder', null);
      await expectNothingOfBatch();
    });

    it('rejects a fenced batch that changes another run, writing nothing', async () => {
      await store().ensureRun(newRun('d', '2025-01-02'), ['a']);
      await store().acquireLease('d', RUN, claim('one', T0, EXPIRY), never);
      const error = await rejection(
        store().apply(
          [
            ...BATCH,
            { kind: 'task', dagId: 'd', runId: 'manual__2025-01-02', taskId: 'a', state: 'scheduled' },
          ],
          fence('one', 1),
        ),
      );
      expect(error).to.not.be.instanceOf(LeaseLostError);
      expect(error.message).to.equal(`a batch fenced for run d/${RUN} changes run d/manual__2025-01-02`);
      await expectNothingOfBatch();
      expect((await store().listTaskInstances('d', 'manual__2025-01-02'))[0]?.state).to.equal('none');
    });

    it('fails a fenced batch for an unknown run', async () => {
      const error = await rejection(
        store().apply([{ kind: 'run', dagId: 'd', runId: 'ghost', state: 'running' }], {
          ...fence('one', 1),
          runId: 'ghost',
        }),
      );
      expect(error).to.not.be.instanceOf(LeaseLostError);
      expect(error.message).to.equal('no run d/ghost');
    });

    it('accepts an empty batch whatever its fence: there is nothing to guard', async () => {
      await store().apply([], fence('nobody', 9));
      await expectNothingOfBatch();
    });

    it('neither renews nor releases with a stale fence', async () => {
      await store().acquireLease('d', RUN, claim('one', T0, LATER), never);
      await store().acquireLease('d', RUN, claim('two', LATER, EXPIRY), never);
      const current = (await store().getRun('d', RUN))?.lease;

      expect(await store().renewLease(fence('one', 1), LATEST, LATEST)).to.equal(false);
      await store().releaseLease(fence('one', 1));
      expect((await store().getRun('d', RUN))?.lease).to.deep.equal(current);

      // The new holder's own fence at an old epoch is stale as well.
      expect(await store().renewLease(fence('two', 1), LATEST, LATEST)).to.equal(false);
      await store().releaseLease(fence('two', 1));
      expect((await store().getRun('d', RUN))?.lease).to.deep.equal(current);

      expect(await store().renewLease(fence('two', 2), LATEST, LATEST)).to.equal(true);
      expect((await store().getRun('d', RUN))?.lease).to.deep.include({ heartbeatAt: LATEST, epoch: 2 });
    });
  });
}
