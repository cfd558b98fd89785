import { expect } from 'chai';
import { collect, taskStates, withEngine } from '../cli/helpers.js';
import { lakeflow } from './fixtures/dags/lakeflow.js';
import { FaultSandbox, tempObjects, visibleObjects, waitFor } from './support/harness.js';

const DATE = '2025-01-10';

describe('reliability: Ctrl-C and SIGTERM', function () {
  this.timeout(60_000);
  let sb: FaultSandbox;
  beforeEach(() => {
    sb = new FaultSandbox();
  });
  afterEach(() => sb.cleanup());

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`${signal} in the middle of a write: try recorded interrupted, lease released, no partial object, resume at once`, async () => {
      sb.hold('land-mid');
      const child = sb.start('run', 'lakeflow', '--date', DATE);
      const exited = collect(child);
      await sb.reached('land-mid');
      await waitFor(() => tempObjects(sb.lake).length > 0, 'the write to start');
      child.kill(signal);
      const r = await exited;
      expect(r.code, r.stderr).to.equal(130);
      expect(r.stderr).to.contain(`dag: ${signal} received`);

      const [run] = await withEngine(sb.home, (e) => e.listRuns(lakeflow.id));
      expect(run?.state).to.equal('queued');
      expect(run?.lease).to.equal(null);
      const [attempt] = await withEngine(sb.home, (e) => e.tries(lakeflow.id, run!.runId, 'land'));
      expect(attempt).to.include({ tryNumber: 1, state: 'failed', errorName: 'TaskInterruptedError' });
      // Recorded by the interrupted process itself, not by a later zombie takeover.
      expect(attempt?.errorMessage).to.not.match(/zombie/);
      // The aborted write removed its temp file and published nothing.
      expect(visibleObjects(sb.lake)).to.deep.equal([]);
      expect(tempObjects(sb.lake)).to.deep.equal([]);

      sb.resetGates();
      const again = await sb.dag('run', 'lakeflow', '--date', DATE);
      expect(again.code, again.stderr).to.equal(0);
      expect(again.stderr).to.not.match(/being executed by|zombie/);
      expect((await taskStates(sb.home, lakeflow, DATE)).land).to.deep.equal(['success', 2]);
    });
  }
});
