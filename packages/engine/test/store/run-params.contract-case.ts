import type { RunStore } from '@streampro/engine';
import { expect } from 'chai';
import { newRun } from './store-fixtures.js';

const RUN = 'manual__2025-01-01';

/**
 * A `run` change may replace the params recorded with the run (a resume given new `--param` values); one
 * without `params` keeps them. Part of the RunStore contract; `store` returns the current test's store.
 */
export function runParamsContract(store: () => RunStore): void {
  describe("a run change's params", () => {
    beforeEach(async () => {
      await store().ensureRun(newRun('d', '2025-01-01', { params: { limit: 10, name: 'x' } }), ['a']);
    });

    it('replace the recorded params when given, in the same batch as the state', async () => {
      await store().apply([
        { kind: 'run', dagId: 'd', runId: RUN, state: 'running', params: { limit: 7, dry: true } },
      ]);
      expect(await store().getRun('d', RUN)).to.deep.include({
        state: 'running',
        params: { limit: 7, dry: true },
      });
      expect((await store().listRuns('d'))[0]?.params).to.deep.equal({ limit: 7, dry: true });
    });

    it('are kept when a run change does not give them', async () => {
      await store().apply([{ kind: 'run', dagId: 'd', runId: RUN, state: 'running' }]);
      await store().apply([
        { kind: 'run', dagId: 'd', runId: RUN, state: 'success', endedAt: '2025-01-02T00:00:00.000Z' },
      ]);
      expect((await store().getRun('d', RUN))?.params).to.deep.equal({ limit: 10, name: 'x' });
    });

    it('are a copy: changing the object given afterwards changes nothing stored', async () => {
      const params: Record<string, number> = { limit: 1 };
      await store().apply([{ kind: 'run', dagId: 'd', runId: RUN, state: 'running', params }]);
      params.limit = 2;
      expect((await store().getRun('d', RUN))?.params).to.deep.equal({ limit: 1 });
    });
  });
}
