import type { Fence, LeaseInfo, RunStore, StateChange } from '@streampro/engine';
import { expect } from 'chai';
import { rejection } from '../support/fixtures.js';
import { backfillContract } from './backfill.contract-case.js';
import { concurrencyContract } from './concurrency.contract-case.js';
import { latestRunsContract } from './latest-runs.contract-case.js';
import { leaseFenceContract } from './lease-fence.contract.js';
import { poolsContract } from './pools.contract-case.js';
import { runParamsContract } from './run-params.contract-case.js';
import { schedulerStateContract } from './scheduler-state.contract-case.js';
import { claim, never, newRun, T0, tryRecord } from './store-fixtures.js';
import { taskGridContract } from './task-grid.contract-case.js';
import { tryLogsContract } from './try-logs.contract-case.js';

/** A fresh, empty store and how to dispose of it. */
export interface RunStoreFixture {
  readonly store: RunStore;
  /**
   * Capability of stores with connections (a file, a server): opens another connection to the same state,
   * as another process would have. The suite closes what it opens. Absent for the memory store.
   */
  readonly connect?: () => Promise<RunStore>;
  cleanup(): Promise<void>;
}

/**
 * The behaviour every RunStore must have. `create` is called before each test and must return an empty
 * store of its own.
 */
export function runStoreContract(name: string, create: () => Promise<RunStoreFixture>): void {
  describe(`RunStore contract: ${name}`, () => {
    let fixture: RunStoreFixture;
    let store: RunStore;
    const RUN = 'manual__2025-01-01';

    beforeEach(async () => {
      fixture = await create();
      store = fixture.store;
    });

    afterEach(async () => {
      await fixture.cleanup();
    });

    describe('ensureRun', () => {
      it('creates a queued run with one task instance per task, in state none', async () => {
        const { run, created } = await store.ensureRun(newRun('d', '2025-01-01'), ['a', 'b', 'c']);
        expect(created).to.equal(true);
        expect(run).to.deep.equal({
          ...newRun('d', '2025-01-01'),
          state: 'queued',
          startedAt: null,
          endedAt: null,
          lease: null,
        });
        const tis = await store.listTaskInstances('d', RUN);
        expect(tis.map((t) => t.taskId)).to.deep.equal(['a', 'b', 'c']);
        expect(tis[0]).to.deep.equal({
          dagId: 'd',
          runId: RUN,
          taskId: 'a',
          state: 'none',
          tryNumber: 0,
          maxTries: 0,
          output: null,
          startedAt: null,
          endedAt: null,
          durationMs: null,
          nextTryAt: null,
        });
      });

      it('is idempotent per DAG and logical date, whatever the run id or tasks of the second call', async () => {
        await store.ensureRun(newRun('d', '2025-01-01'), ['a']);
        const again = await store.ensureRun(newRun('d', '2025-01-01', { runId: 'backfill__2025-01-01' }), [
          'a',
          'z',
        ]);
        expect(again.created).to.equal(false);
        expect(again.run.runId).to.equal(RUN);
        expect(await store.getRun('d', 'backfill__2025-01-01')).to.equal(undefined);
        expect((await store.listTaskInstances('d', RUN)).map((t) => t.taskId)).to.deep.equal(['a']);
        expect(await store.listRuns('d')).to.have.length(1);
      });

      it('keeps runs of other DAGs and dates apart', async () => {
        await store.ensureRun(newRun('d', '2025-01-01'), ['a']);
        expect((await store.ensureRun(newRun('e', '2025-01-01'), ['a'])).created).to.equal(true);
        expect((await store.ensureRun(newRun('d', '2025-01-02'), ['a'])).created).to.equal(true);
        expect(await store.listRuns(undefined)).to.have.length(3);
      });

      it('finds runs by id and by logical date, and returns undefined for unknown ones', async () => {
        await store.ensureRun(newRun('d', '2025-01-01'), ['a']);
        expect((await store.getRun('d', RUN))?.logicalDate).to.equal('2025-01-01T00:00:00.000Z');
        expect((await store.findRunByLogicalDate('d', '2025-01-01T00:00:00.000Z'))?.runId).to.equal(RUN);
        expect(await store.getRun('d', 'nope')).to.equal(undefined);
        expect(await store.getRun('other', RUN)).to.equal(undefined);
        expect(await store.findRunByLogicalDate('d', '2025-01-02T00:00:00.000Z')).to.equal(undefined);
        expect(await store.listTaskInstances('d', 'nope')).to.deep.equal([]);
      });
    });

    describe('apply', () => {
      beforeEach(async () => {
        await store.ensureRun(newRun('d', '2025-01-01'), ['a', 'b']);
      });

      const task = (patch: Omit<Extract<StateChange, { kind: 'task' }>, 'kind' | 'dagId' | 'runId'>) =>
        ({ kind: 'task', dagId: 'd', runId: RUN, ...patch }) as const;

      async function instance(taskId: string) {
        const ti = (await store.listTaskInstances('d', RUN)).find((t) => t.taskId === taskId);
        expect(ti, `task instance ${taskId}`).to.not.equal(undefined);
        return ti!;
      }

      it('sets the given fields of a task instance and keeps the ones left undefined', async () => {
        await store.apply([
          task({
            taskId: 'a',
            state: 'success',
            tryNumber: 2,
            maxTries: 3,
            output: { rows: [1, 2], nested: { ok: true }, text: 'é"\\' },
            startedAt: '2025-01-01T01:00:00.000Z',
            endedAt: '2025-01-01T01:00:05.000Z',
            durationMs: 5000.5,
            nextTryAt: '2025-01-01T02:00:00.000Z',
          }),
        ]);
        await store.apply([task({ taskId: 'a', state: 'none' })]);
        expect(await instance('a')).to.deep.include({
          state: 'none',
          tryNumber: 2,
          maxTries: 3,
          output: { rows: [1, 2], nested: { ok: true }, text: 'é"\\' },
          startedAt: '2025-01-01T01:00:00.000Z',
          endedAt: '2025-01-01T01:00:05.000Z',
          durationMs: 5000.5,
          nextTryAt: '2025-01-01T02:00:00.000Z',
        });
        expect((await instance('b')).state).to.equal('none');
      });

      it('clears the fields given as null', async () => {
        await store.apply([
          task({
            taskId: 'a',
            state: 'success',
            output: [1],
            startedAt: T0,
            endedAt: T0,
            durationMs: 1,
            nextTryAt: T0,
          }),
          task({
            taskId: 'a',
            state: 'none',
            output: null,
            startedAt: null,
            endedAt: null,
            durationMs: null,
            nextTryAt: null,
          }),
        ]);
        expect(await instance('a')).to.deep.include({
          state: 'none',
          output: null,
          startedAt: null,
          endedAt: null,
          durationMs: null,
          nextTryAt: null,
        });
      });

      it('keeps every string of an output and of params as given (NUL, lone surrogate, emoji, escapes)', async () => {
        const odd = { nul: 'a\u0000b', lone: '\ud800', emoji: '🦆', escapes: '\\"\n\t\u2028', 'k\u0000': 1 };
        await store.apply([
          task({ taskId: 'a', state: 'success', output: odd }),
          {
            kind: 'run',
            dagId: 'd',
            runId: RUN,
            state: 'running',
            params: { text: odd.nul, more: odd.lone },
          },
        ]);
        expect((await instance('a')).output).to.deep.equal(odd);
        expect((await store.getRun('d', RUN))?.params).to.deep.equal({ text: odd.nul, more: odd.lone });
      });

      it('stores scalar outputs (0, false, empty string) as themselves', async () => {
        await store.apply([task({ taskId: 'a', state: 'success', output: 0 })]);
        await store.apply([task({ taskId: 'b', state: 'success', output: '' })]);
        expect((await instance('a')).output).to.equal(0);
        expect((await instance('b')).output).to.equal('');
        await store.apply([task({ taskId: 'a', state: 'success', output: false })]);
        expect((await instance('a')).output).to.equal(false);
      });

      it('sets run state and times: undefined keeps, null clears', async () => {
        await store.apply([
          { kind: 'run', dagId: 'd', runId: RUN, state: 'running', startedAt: T0, endedAt: T0 },
        ]);
        await store.apply([{ kind: 'run', dagId: 'd', runId: RUN, state: 'failed' }]);
        expect(await store.getRun('d', RUN)).to.deep.include({
          state: 'failed',
          startedAt: T0,
          endedAt: T0,
        });
        await store.apply([
          { kind: 'run', dagId: 'd', runId: RUN, state: 'queued', startedAt: null, endedAt: null },
        ]);
        expect(await store.getRun('d', RUN)).to.deep.include({
          state: 'queued',
          startedAt: null,
          endedAt: null,
        });
      });

      it('adds a task instance once (add-task is idempotent and keeps an existing instance)', async () => {
        await store.apply([task({ taskId: 'a', state: 'scheduled' })]);
        await store.apply([
          { kind: 'add-task', dagId: 'd', runId: RUN, taskId: 'new' },
          { kind: 'add-task', dagId: 'd', runId: RUN, taskId: 'new' },
          { kind: 'add-task', dagId: 'd', runId: RUN, taskId: 'a' },
        ]);
        const tis = await store.listTaskInstances('d', RUN);
        expect(tis.map((t) => [t.taskId, t.state])).to.deep.equal([
          ['a', 'scheduled'],
          ['b', 'none'],
          ['new', 'none'],
        ]);
      });

      it('applies a batch in order, so a task added earlier in the batch can be changed later in it', async () => {
        await store.apply([
          { kind: 'add-task', dagId: 'd', runId: RUN, taskId: 'late' },
          task({ taskId: 'late', state: 'scheduled' }),
          task({ taskId: 'late', state: 'queued', tryNumber: 1 }),
        ]);
        expect(await instance('late')).to.deep.include({ state: 'queued', tryNumber: 1 });
      });

      it('fails a batch that changes a task instance before the add-task that creates it', async () => {
        const error = await rejection(
          store.apply([
            task({ taskId: 'a', state: 'scheduled' }),
            task({ taskId: 'late', state: 'scheduled' }),
            { kind: 'add-task', dagId: 'd', runId: RUN, taskId: 'late' },
          ]),
        );
        expect(error.message).to.equal(`no task instance d/${RUN}/late`);
        expect((await store.listTaskInstances('d', RUN)).map((t) => [t.taskId, t.state])).to.deep.equal([
          ['a', 'none'],
          ['b', 'none'],
        ]);
      });

      it('reports the first unknown run or task instance of a batch, in batch order', async () => {
        const error = await rejection(
          store.apply([
            task({ taskId: 'a', state: 'scheduled' }),
            task({ taskId: 'ghost', state: 'scheduled' }),
            { kind: 'run', dagId: 'd', runId: 'ghost', state: 'running' },
          ]),
        );
        expect(error.message).to.equal(`no task instance d/${RUN}/ghost`);
      });

      it('applies nothing of a batch whose task change names an unknown task instance', async () => {
        const error = await rejection(
          store.apply([
            task({ taskId: 'a', state: 'scheduled' }),
            task({ taskId: 'ghost', state: 'scheduled' }),
          ]),
        );
        expect(error.message).to.equal(`no task instance d/${RUN}/ghost`);
        expect((await instance('a')).state).to.equal('none');
      });

      it('applies nothing of a batch whose run change names an unknown run', async () => {
        const error = await rejection(
          store.apply([
            task({ taskId: 'a', state: 'scheduled' }),
            { kind: 'try-start', record: tryRecord('a', 1) },
            { kind: 'run', dagId: 'd', runId: 'ghost', state: 'running' },
          ]),
        );
        expect(error.message).to.equal('no run d/ghost');
        expect((await instance('a')).state).to.equal('none');
        expect(await store.listTries('d', RUN)).to.deep.equal([]);
      });

      it('accepts an empty batch', async () => {
        await store.apply([]);
        expect((await instance('a')).state).to.equal('none');
      });

      it('copies values in: mutating an applied output later does not change the store', async () => {
        const output = { n: 1 };
        await store.apply([task({ taskId: 'a', state: 'success', output })]);
        output.n = 2;
        const read = await instance('a');
        expect(read.output).to.deep.equal({ n: 1 });
        (read.output as { n: number }).n = 3;
        expect((await instance('a')).output).to.deep.equal({ n: 1 });
      });
    });

    describe('tries', () => {
      beforeEach(async () => {
        await store.ensureRun(newRun('d', '2025-01-01'), ['a', 'b']);
      });

      it('records a try at start and completes it at end, ordered by task then try number', async () => {
        await store.apply([
          { kind: 'try-start', record: tryRecord('b', 1) },
          { kind: 'try-start', record: tryRecord('a', 2) },
          { kind: 'try-start', record: tryRecord('a', 1) },
        ]);
        expect((await store.listTries('d', RUN)).map((t) => [t.taskId, t.tryNumber])).to.deep.equal([
          ['a', 1],
          ['a', 2],
          ['b', 1],
        ]);
        await store.apply([
          {
            kind: 'try-end',
            dagId: 'd',
            runId: RUN,
            taskId: 'a',
            tryNumber: 1,
            state: 'failed',
            endedAt: '2025-01-01T00:00:02.000Z',
            durationMs: 2000,
            errorName: 'Error',
            errorMessage: 'boom',
            errorStack: 'Error: boom\n    at x',
          },
          {
            kind: 'try-end',
            dagId: 'd',
            runId: RUN,
            taskId: 'a',
            tryNumber: 2,
            state: 'success',
            endedAt: '2025-01-01T00:00:03.000Z',
            durationMs: 1000,
          },
        ]);
        const tries = await store.listTries('d', RUN, 'a');
        expect(tries).to.deep.equal([
          {
            ...tryRecord('a', 1),
            state: 'failed',
            endedAt: '2025-01-01T00:00:02.000Z',
            durationMs: 2000,
            errorName: 'Error',
            errorMessage: 'boom',
            errorStack: 'Error: boom\n    at x',
          },
          {
            ...tryRecord('a', 2),
            state: 'success',
            endedAt: '2025-01-01T00:00:03.000Z',
            durationMs: 1000,
          },
        ]);
        expect(await store.listTries('d', RUN, 'b')).to.deep.equal([tryRecord('b', 1)]);
        expect(await store.listTries('d', 'other')).to.deep.equal([]);
      });

      it('records a try started and ended in one batch, and a try recorded again replaces the first record', async () => {
        const ended = {
          kind: 'try-end',
          dagId: 'd',
          runId: RUN,
          taskId: 'a',
          tryNumber: 1,
          state: 'failed',
          endedAt: '2025-01-01T00:00:02.000Z',
          durationMs: 2000,
          errorName: 'TaskInterruptedError',
          errorMessage: 'cancelled in the queue',
        } as const;
        await store.apply([{ kind: 'try-start', record: tryRecord('a', 1) }, ended]);
        expect(await store.listTries('d', RUN)).to.deep.equal([
          {
            ...tryRecord('a', 1),
            state: 'failed',
            endedAt: '2025-01-01T00:00:02.000Z',
            durationMs: 2000,
            errorName: 'TaskInterruptedError',
            errorMessage: 'cancelled in the queue',
            errorStack: null,
          },
        ]);
        await store.apply([ended, { kind: 'try-start', record: { ...tryRecord('a', 1), host: 'host-b' } }]);
        expect(await store.listTries('d', RUN)).to.deep.equal([{ ...tryRecord('a', 1), host: 'host-b' }]);
      });

      it('ignores the end of a try that never started', async () => {
        await store.apply([
          {
            kind: 'try-end',
            dagId: 'd',
            runId: RUN,
            taskId: 'a',
            tryNumber: 9,
            state: 'failed',
            endedAt: T0,
            durationMs: 0,
          },
        ]);
        expect(await store.listTries('d', RUN)).to.deep.equal([]);
      });
    });

    describe('listRuns', () => {
      beforeEach(async () => {
        for (const day of ['2025-01-02', '2025-01-01', '2025-01-03']) {
          await store.ensureRun(newRun('d', day), ['a']);
        }
        // Same date as a run of `d`: ties are ordered by DAG id, by code unit (upper case first).
        await store.ensureRun(newRun('B_dag', '2025-01-03'), ['a']);
        await store.ensureRun(newRun('a_dag', '2025-01-03'), ['a']);
        await store.apply([{ kind: 'run', dagId: 'd', runId: 'manual__2025-01-02', state: 'failed' }]);
      });

      it('lists runs of one DAG newest logical date first', async () => {
        expect((await store.listRuns('d')).map((r) => r.runId)).to.deep.equal([
          'manual__2025-01-03',
          'manual__2025-01-02',
          'manual__2025-01-01',
        ]);
      });

      it('lists runs of every DAG when no DAG is given, ties by DAG id', async () => {
        expect(
          (await store.listRuns(undefined)).map((r) => `${r.dagId}/${r.logicalDate.slice(0, 10)}`),
        ).to.deep.equal([
          'B_dag/2025-01-03',
          'a_dag/2025-01-03',
          'd/2025-01-03',
          'd/2025-01-02',
          'd/2025-01-01',
        ]);
      });

      it('filters by state and limits the count', async () => {
        expect((await store.listRuns('d', { state: 'failed' })).map((r) => r.runId)).to.deep.equal([
          'manual__2025-01-02',
        ]);
        expect((await store.listRuns('d', { state: 'queued', limit: 1 })).map((r) => r.runId)).to.deep.equal([
          'manual__2025-01-03',
        ]);
        expect(await store.listRuns(undefined, { limit: 2 })).to.have.length(2);
        expect(await store.listRuns('nobody')).to.deep.equal([]);
      });
    });

    describe('leases', () => {
      const LATER = '2025-01-01T00:00:10.000Z';
      const EXPIRY = '2025-01-01T00:00:30.000Z';

      beforeEach(async () => {
        await store.ensureRun(newRun('d', '2025-01-01'), ['a']);
      });

      it('acquires a free lease and shows it on the run', async () => {
        const result = await store.acquireLease('d', RUN, claim('one', T0, EXPIRY), never);
        expect(result).to.deep.equal({ acquired: true, epoch: 1, tookOverFrom: null });
        expect((await store.getRun('d', RUN))?.lease).to.deep.equal({
          owner: 'one',
          host: 'host-a',
          pid: 4242,
          heartbeatAt: T0,
          expiresAt: EXPIRY,
          epoch: 1,
        });
      });

      it('refuses a live lease held by another owner and names the holder', async () => {
        await store.acquireLease('d', RUN, claim('one', T0, EXPIRY), never);
        const seen: LeaseInfo[] = [];
        const result = await store.acquireLease('d', RUN, claim('two', LATER, EXPIRY, 7), (holder) => {
          seen.push(holder);
          return false;
        });
        expect(result.acquired).to.equal(false);
        expect(result).to.have.nested.property('holder.owner', 'one');
        expect(seen.map((h) => h.owner)).to.deep.equal(['one']);
        expect((await store.getRun('d', RUN))?.lease?.owner).to.equal('one');
      });

      it('lets the owner acquire again (no takeover)', async () => {
        await store.acquireLease('d', RUN, claim('one', T0, EXPIRY), never);
        const result = await store.acquireLease('d', RUN, claim('one', LATER, EXPIRY), never);
        expect(result).to.deep.equal({ acquired: true, epoch: 2, tookOverFrom: null });
      });

      const fence = (owner: string, epoch: number): Fence => ({ dagId: 'd', runId: RUN, owner, epoch });

      it('renews only for the owner', async () => {
        await store.acquireLease('d', RUN, claim('one', T0, EXPIRY), never);
        const renewedTo = '2025-01-01T00:01:00.000Z';
        expect(await store.renewLease(fence('two', 1), LATER, renewedTo)).to.equal(false);
        expect(await store.renewLease(fence('one', 1), LATER, renewedTo)).to.equal(true);
        expect((await store.getRun('d', RUN))?.lease).to.deep.include({
          owner: 'one',
          heartbeatAt: LATER,
          expiresAt: renewedTo,
          epoch: 1,
        });
        await store.releaseLease(fence('one', 1));
        expect(await store.renewLease(fence('one', 1), LATER, renewedTo)).to.equal(false);
      });

      it('releases only for the owner', async () => {
        await store.acquireLease('d', RUN, claim('one', T0, EXPIRY), never);
        await store.releaseLease(fence('two', 1));
        expect((await store.getRun('d', RUN))?.lease?.owner).to.equal('one');
        await store.releaseLease(fence('one', 1));
        expect((await store.getRun('d', RUN))?.lease).to.equal(null);
        expect((await store.acquireLease('d', RUN, claim('two', LATER, EXPIRY), never)).acquired).to.equal(
          true,
        );
      });

      it('takes over an expired lease and reports whom it took it from', async () => {
        await store.acquireLease('d', RUN, claim('one', T0, LATER), never);
        const result = await store.acquireLease('d', RUN, claim('two', LATER, EXPIRY), never);
        expect(result).to.have.property('acquired', true);
        expect(result).to.have.nested.property('tookOverFrom.owner', 'one');
        expect((await store.getRun('d', RUN))?.lease?.owner).to.equal('two');
      });

      it('takes over a live lease when the callback says its holder is gone', async () => {
        await store.acquireLease('d', RUN, claim('one', T0, EXPIRY, 1111), never);
        const result = await store.acquireLease('d', RUN, claim('two', LATER, EXPIRY), (h) => h.pid === 1111);
        expect(result).to.have.property('acquired', true);
        expect(result).to.have.nested.property('tookOverFrom.pid', 1111);
      });

      it('fails for an unknown run', async () => {
        const error = await rejection(store.acquireLease('d', 'ghost', claim('one', T0, EXPIRY), never));
        expect(error.message).to.equal('no run d/ghost');
      });
    });

    leaseFenceContract(() => store);
    runParamsContract(() => store);
    schedulerStateContract(() => store);
    backfillContract(() => store);
    poolsContract(() => store);
    tryLogsContract(() => store);
    taskGridContract(() => store);
    latestRunsContract(() => store);
    concurrencyContract(
      () => store,
      () => fixture.connect,
    );

    describe('asset events', () => {
      it('lists the events of one asset and logical date, in insertion order', async () => {
        await store.ensureRun(newRun('d', '2025-01-01'), ['a']);
        const event = (asset: string, logicalDate: string, createdAt: string) =>
          ({
            kind: 'asset-event',
            event: { asset, logicalDate, dagId: 'd', runId: RUN, taskId: 'a', createdAt },
          }) as const;
        await store.apply([
          event('lake://trusted/events', '2025-01-01T00:00:00.000Z', '2025-01-01T00:00:02.000Z'),
          event('lake://trusted/users', '2025-01-01T00:00:00.000Z', '2025-01-01T00:00:02.000Z'),
          event('lake://trusted/events', '2025-01-02T00:00:00.000Z', '2025-01-01T00:00:03.000Z'),
          event('lake://trusted/events', '2025-01-01T00:00:00.000Z', '2025-01-01T00:00:01.000Z'),
        ]);
        const events = await store.listAssetEvents('lake://trusted/events', '2025-01-01T00:00:00.000Z');
        expect(events.map((e) => e.createdAt)).to.deep.equal([
          '2025-01-01T00:00:02.000Z',
          '2025-01-01T00:00:01.000Z',
        ]);
        expect(events[0]).to.deep.equal({
          asset: 'lake://trusted/events',
          logicalDate: '2025-01-01T00:00:00.000Z',
          dagId: 'd',
          runId: RUN,
          taskId: 'a',
          createdAt: '2025-01-01T00:00:02.000Z',
        });
        expect(await store.listAssetEvents('lake://raw/none', '2025-01-01T00:00:00.000Z')).to.deep.equal([]);
        const since = await store.listAssetEventsSince('2025-01-01T00:00:02.000Z');
        expect(
          since.map((e) => [e.asset, e.logicalDate.slice(0, 10), e.createdAt.slice(11, 19)]),
        ).to.deep.equal([
          ['lake://trusted/events', '2025-01-01', '00:00:02'],
          ['lake://trusted/users', '2025-01-01', '00:00:02'],
          ['lake://trusted/events', '2025-01-02', '00:00:03'],
        ]);
        expect(await store.listAssetEventsSince('2025-01-01T00:00:03.001Z')).to.deep.equal([]);
      });

      it('lists the events of one asset in a range of logical dates, bounded or not below', async () => {
        await store.ensureRun(newRun('d', '2025-01-01'), ['a']);
        const event = (asset: string, day: string, createdAt: string) =>
          ({
            kind: 'asset-event',
            event: {
              asset,
              logicalDate: `${day}T00:00:00.000Z`,
              dagId: 'd',
              runId: RUN,
              taskId: 'a',
              createdAt,
            },
          }) as const;
        await store.apply([
          event('lake://trusted/events', '2025-01-03', '2025-01-05T00:00:01.000Z'),
          event('lake://trusted/events', '2025-01-01', '2025-01-05T00:00:02.000Z'),
          event('lake://trusted/users', '2025-01-02', '2025-01-05T00:00:03.000Z'),
          event('lake://trusted/events', '2025-01-02', '2025-01-05T00:00:04.000Z'),
          event('lake://trusted/events', '2025-01-05', '2025-01-05T00:00:05.000Z'),
          event('lake://trusted/events', '2025-01-02', '2025-01-05T00:00:06.000Z'),
        ]);
        const days = (events: readonly { logicalDate: string; createdAt: string }[]) =>
          events.map((e) => `${e.logicalDate.slice(5, 10)}@${e.createdAt.slice(17, 19)}`);
        const asset = 'lake://trusted/events';
        expect(
          days(
            await store.listAssetEventsBetween(asset, '2025-01-02T00:00:00.000Z', '2025-01-03T00:00:00.000Z'),
          ),
        ).to.deep.equal(['01-02@04', '01-02@06', '01-03@01']);
        expect(
          days(await store.listAssetEventsBetween(asset, null, '2025-01-02T00:00:00.000Z')),
        ).to.deep.equal(['01-01@02', '01-02@04', '01-02@06']);
        expect(
          await store.listAssetEventsBetween(asset, '2025-01-06T00:00:00.000Z', '2025-01-09T00:00:00.000Z'),
        ).to.deep.equal([]);
      });
    });
  });
}
