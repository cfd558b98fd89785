import type { RunStore } from '@streampro/engine';
import { expect } from 'chai';
import { rejection } from '../support/fixtures.js';
import { newRun } from './store-fixtures.js';

/**
 * `listTaskGrid`: runs of one DAG × their task instances in one call, for a date range. Part of the RunStore
 * contract; `store` returns the current test's store.
 */
export function taskGridContract(store: () => RunStore): void {
  describe('listTaskGrid', () => {
    beforeEach(async () => {
      const s = store();
      for (const day of ['2025-01-02', '2025-01-01', '2025-01-04', '2025-01-03']) {
        await s.ensureRun(newRun('d', day), ['extract', 'load', 'report']);
      }
      await s.ensureRun(newRun('other', '2025-01-02'), ['x']);
      await s.apply([
        {
          kind: 'task',
          dagId: 'd',
          runId: 'manual__2025-01-02',
          taskId: 'load',
          state: 'failed',
          tryNumber: 2,
        },
        {
          kind: 'task',
          dagId: 'd',
          runId: 'manual__2025-01-03',
          taskId: 'extract',
          state: 'success',
          output: 7,
        },
        { kind: 'run', dagId: 'd', runId: 'manual__2025-01-02', state: 'failed' },
      ]);
    });

    const shape = (grid: Awaited<ReturnType<RunStore['listTaskGrid']>>) =>
      grid.map((col) => [col.run.logicalDate.slice(0, 10), col.tasks.map((t) => `${t.taskId}:${t.state}`)]);

    it('gives every run of the DAG with its task instances, newest first, tasks in their stored order', async () => {
      const grid = await store().listTaskGrid('d');
      expect(shape(grid)).to.deep.equal([
        ['2025-01-04', ['extract:none', 'load:none', 'report:none']],
        ['2025-01-03', ['extract:success', 'load:none', 'report:none']],
        ['2025-01-02', ['extract:none', 'load:failed', 'report:none']],
        ['2025-01-01', ['extract:none', 'load:none', 'report:none']],
      ]);
    });

    it('returns the same records as getRun and listTaskInstances', async () => {
      const s = store();
      const [column] = (await s.listTaskGrid('d', { from: '2025-01-02', to: '2025-01-03' })) ?? [];
      expect(column?.run).to.deep.equal(await s.getRun('d', 'manual__2025-01-02'));
      expect(column?.tasks).to.deep.equal(await s.listTaskInstances('d', 'manual__2025-01-02'));
      const [withOutput] = await s.listTaskGrid('d', { from: '2025-01-03', limit: 2, to: '2025-01-04' });
      expect(withOutput?.tasks[0]).to.deep.include({ taskId: 'extract', output: 7 });
    });

    it('keeps logical dates in [from, to) and the `limit` newest of them', async () => {
      const s = store();
      const days = async (q: Parameters<RunStore['listTaskGrid']>[1]) =>
        (await s.listTaskGrid('d', q)).map((c) => c.run.logicalDate.slice(0, 10));
      expect(await days({ from: '2025-01-02T00:00:00.000Z', to: '2025-01-04T00:00:00.000Z' })).to.deep.equal([
        '2025-01-03',
        '2025-01-02',
      ]);
      // Date-only bounds are midnight UTC, like the stored logical dates.
      expect(await days({ from: '2025-01-03' })).to.deep.equal(['2025-01-04', '2025-01-03']);
      expect(await days({ to: '2025-01-02' })).to.deep.equal(['2025-01-01']);
      expect(await days({ limit: 2 })).to.deep.equal(['2025-01-04', '2025-01-03']);
      expect(await days({ from: '2025-01-02', limit: 1 })).to.deep.equal(['2025-01-04']);
      expect(await days({ limit: 0 })).to.deep.equal([]);
      expect(await days({ from: '2025-02-01' })).to.deep.equal([]);
    });

    it('is empty for a DAG without runs, and a run without task instances has an empty column', async () => {
      const s = store();
      expect(await s.listTaskGrid('nobody')).to.deep.equal([]);
      await s.ensureRun(newRun('bare', '2025-01-01'), []);
      const grid = await s.listTaskGrid('bare');
      expect(grid.map((c) => [c.run.runId, c.tasks])).to.deep.equal([['manual__2025-01-01', []]]);
    });

    it('rejects a bound that is not a date', async () => {
      const error = await rejection(store().listTaskGrid('d', { from: 'yesterday' }));
      expect(error.message).to.equal('task grid: from "yesterday" is not a date');
    });
  });
}
