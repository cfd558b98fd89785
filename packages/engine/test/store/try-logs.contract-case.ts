import type { RunStore } from '@streampro/engine';
import { expect } from 'chai';

const KEY = { dagId: 'd', runId: 'manual__2025-01-01', taskId: 'a', tryNumber: 1 };

/** Try logs shipped from other machines. Part of the RunStore contract; `store` returns the test's store. */
export function tryLogsContract(store: () => RunStore): void {
  describe('shipped try logs', () => {
    it('a try with nothing shipped has no stored log (its log is a local file)', async () => {
      expect(await store().readTryLog(KEY)).to.equal(undefined);
    });

    it('joins pieces in offset order, from any offset it returned, and counts bytes not characters', async () => {
      const first = '{"message":"héllo"}\n';
      const second = '{"message":"two"}\n{"message":"three"}\n';
      const at = Buffer.byteLength(first);
      await store().appendTryLog(KEY, at, second);
      await store().appendTryLog(KEY, 0, first);
      const all = await store().readTryLog(KEY);
      expect(all).to.deep.equal({ text: first + second, end: at + Buffer.byteLength(second) });
      expect(await store().readTryLog(KEY, at)).to.deep.equal({ text: second, end: all!.end });
      expect(await store().readTryLog(KEY, all!.end)).to.deep.equal({ text: '', end: all!.end });
    });

    it('a piece shipped twice at one offset is kept once; other tries are apart', async () => {
      await store().appendTryLog(KEY, 0, 'one\n');
      await store().appendTryLog(KEY, 0, 'one\n');
      await store().appendTryLog({ ...KEY, tryNumber: 2 }, 0, 'two\n');
      expect(await store().readTryLog(KEY)).to.deep.equal({ text: 'one\n', end: 4 });
      expect(await store().readTryLog({ ...KEY, tryNumber: 2 })).to.deep.equal({ text: 'two\n', end: 4 });
    });
  });
}
