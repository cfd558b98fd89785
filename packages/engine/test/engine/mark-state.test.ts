import {
  defineDag,
  Engine,
  InvalidInputError,
  LeaseConflictError,
  type MarkableTaskState,
  NonRetryableError,
  NotFoundError,
  systemClock,
  type TaskInstanceRecord,
  type TaskState,
} from '@streampro/engine';
import { markChanges, RunLease } from '@streampro/engine/internal';
import { expect } from 'chai';
import { makeTempDir, rejection, removeDir } from '../support/fixtures.js';

const DAY = '2025-01-01';
const NOW = '2025-01-02T00:00:00.000Z';

function instance(state: TaskState): TaskInstanceRecord {
  return {
    dagId: 'd',
    runId: 'r',
    taskId: 't',
    state,
    tryNumber: 1,
    maxTries: 1,
    output: state === 'success' ? 42 : null,
    startedAt: null,
    endedAt: null,
    durationMs: null,
    nextTryAt: null,
  };
}

describe('marking task states', () => {
  describe('markChanges', () => {
    // [from, to, the states it goes through]: every mark is checked against TRANSITIONS on the way.
    const TABLE: readonly [TaskState, MarkableTaskState, readonly TaskState[]][] = [
      ['failed', 'success', ['none', 'success']],
      ['upstream_failed', 'success', ['none', 'success']],
      ['success', 'failed', ['none', 'failed']],
      ['skipped', 'failed', ['none', 'failed']],
      ['none', 'success', ['success']],
      ['none', 'skipped', ['skipped']],
      ['up_for_retry', 'failed', ['none', 'failed']],
      ['scheduled', 'skipped', ['none', 'skipped']],
      ['queued', 'success', ['none', 'success']],
      ['running', 'success', ['failed', 'none', 'success']],
      ['running', 'failed', ['failed']],
      ['success', 'success', []],
      ['skipped', 'skipped', []],
    ];
    for (const [from, to, through] of TABLE) {
      it(`${from} -> ${to}: ${through.join(' -> ') || 'no change'}`, () => {
        const changes = markChanges(instance(from), to, NOW);
        expect(changes.map((c) => c.state)).to.deep.equal(through);
        const last = changes.at(-1);
        if (last) expect(last).to.include({ output: null, endedAt: NOW });
      });
    }
  });

  describe('Engine.setTaskState and markSuccess (SQLite store)', () => {
    let home: string;
    let engine: Engine;
    let ran: string[];

    function dag() {
      const d = defineDag({ id: 'marks', startDate: DAY });
      const extract = d.task({
        id: 'extract',
        run: () => {
          ran.push('extract');
          throw new NonRetryableError('source is down');
        },
      });
      d.task({ id: 'load', upstream: [extract], run: () => void ran.push('load') });
      return d;
    }

    beforeEach(async () => {
      home = await makeTempDir();
      engine = await Engine.open({ home });
      ran = [];
    });

    afterEach(async () => {
      await engine.close();
      await removeDir(home);
    });

    it('marks a failed task success and queues the run; the next run runs its downstream', async () => {
      const d = dag();
      expect((await engine.run(d, { logicalDate: DAY })).state).to.equal('failed');
      const result = await engine.setTaskState(d, DAY, 'extract', 'success');
      expect(result).to.deep.equal({
        dagId: 'marks',
        runId: `manual__${DAY}`,
        taskId: 'extract',
        previousState: 'failed',
        state: 'success',
      });
      expect((await engine.status(d, DAY))?.state).to.equal('queued');
      ran = [];
      const again = await engine.run(d, { logicalDate: DAY });
      expect(again.state).to.equal('success');
      expect(ran).to.deep.equal(['load']);
    });

    it('refuses while another process holds the run lease, and writes nothing', async () => {
      const d = dag();
      await engine.run(d, { logicalDate: DAY });
      const other = await RunLease.acquire(engine.store, systemClock, d.id, `manual__${DAY}`, 30_000);
      try {
        const error = await rejection(engine.setTaskState(d, DAY, 'extract', 'success'));
        expect(error).to.be.instanceOf(LeaseConflictError);
        expect(error.message).to.match(
          /^run marks\/manual__2025-01-01 is being executed by process \d+ on .+; wait for it to finish or stop that process first$/,
        );
        const markError = await rejection(engine.run(d, { logicalDate: DAY, markSuccess: true }));
        expect(markError).to.be.instanceOf(LeaseConflictError);
      } finally {
        await other.release();
      }
      expect((await engine.status(d, DAY))?.tasks.map((t) => t.state)).to.deep.equal([
        'failed',
        'upstream_failed',
      ]);
    });

    it('rejects a state that is not a mark, and a date without a run', async () => {
      const d = dag();
      await engine.run(d, { logicalDate: DAY });
      const bad = await rejection(engine.setTaskState(d, DAY, 'extract', 'running' as MarkableTaskState));
      expect(bad).to.be.instanceOf(InvalidInputError);
      expect(bad.message).to.equal('cannot set a task to "running"; choose one of success, failed, skipped');
      const none = await rejection(engine.setTaskState(d, '2025-01-02', 'extract', 'failed'));
      expect(none).to.be.instanceOf(NotFoundError);
      expect(none.message).to.equal("DAG 'marks' has no run for 2025-01-02");
    });

    it('markSuccess records every task success without a try; with tasks, only those (run queued)', async () => {
      const d = dag();
      const all = await engine.run(d, { logicalDate: DAY, markSuccess: true });
      expect(all.state).to.equal('success');
      expect(all.tasks.map((t) => [t.taskId, t.state, t.tryNumber])).to.deep.equal([
        ['extract', 'success', 0],
        ['load', 'success', 0],
      ]);
      const some = await engine.run(d, { logicalDate: '2025-01-02', markSuccess: true, tasks: ['extract'] });
      expect(some.state).to.equal('queued');
      expect(some.tasks.map((t) => t.state)).to.deep.equal(['success', 'none']);
      expect(ran).to.deep.equal([]);
      expect(await engine.tries(d.id, `manual__${DAY}`)).to.deep.equal([]);
    });
  });
});
