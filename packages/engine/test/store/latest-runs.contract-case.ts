import type { RunStore } from '@streampro/engine';
import { expect } from 'chai';
import { newRun } from './store-fixtures.js';

/**
 * `listLatestRuns`: the newest runs of every DAG in one call (the DAG list of the web interface). Part of
 * the RunStore contract; `store` returns the current test's store.
 */
export function latestRunsContract(store: () => RunStore): void {
  describe('listLatestRuns', () => {
    beforeEach(async () => {
      const s = store();
      for (const day of ['2025-01-02', '2025-01-04', '2025-01-01', '2025-01-03']) {
        await s.ensureRun(newRun('b', day), ['t']);
      }
      await s.ensureRun(newRun('a', '2025-01-05'), ['t']);
      await s.ensureRun(newRun('B', '2025-01-01'), ['t']);
      await s.apply([{ kind: 'run', dagId: 'b', runId: 'manual__2025-01-04', state: 'failed' }]);
    });

    const shape = (runs: Awaited<ReturnType<RunStore['listLatestRuns']>>) =>
      runs.map((r) => `${r.dagId} ${r.logicalDate.slice(0, 10)}`);

    it('gives the N newest runs of each DAG, DAG ids in code-unit order, newest first', async () => {
      expect(shape(await store().listLatestRuns(2))).to.deep.equal([
        'B 2025-01-01',
        'a 2025-01-05',
        'b 2025-01-04',
        'b 2025-01-03',
      ]);
      expect(shape(await store().listLatestRuns(10))).to.have.length(6);
      expect(await store().listLatestRuns(0)).to.deep.equal([]);
    });

    it('returns the same records as getRun', async () => {
      const s = store();
      const b = (await s.listLatestRuns(1)).find((r) => r.dagId === 'b');
      expect(b).to.deep.equal(await s.getRun('b', 'manual__2025-01-04'));
      expect(b?.state).to.equal('failed');
    });
  });
}
