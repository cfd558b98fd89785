import fs from 'node:fs';
import { defineDag, Engine, ManualClock } from '@streampro/engine';
import { expect } from 'chai';
import { makeTempDir, removeDir } from '../support/fixtures.js';

const DAY = '2025-01-05';

describe('Engine.run: a task failing with a permanent OS error', () => {
  let home: string;
  let engine: Engine;

  beforeEach(async () => {
    home = await makeTempDir();
    engine = await Engine.open({ home, clock: new ManualClock(Date.UTC(2025, 0, 6), { autoAdvance: true }) });
  });

  afterEach(async () => {
    await engine.close();
    await removeDir(home);
  });

  /** A DAG whose only task has 3 retries and runs `body`; returns the number of calls. */
  async function runFailing(id: string, body: () => unknown) {
    let calls = 0;
    const dag = defineDag({ id, startDate: '2025-01-01' });
    dag.task({
      id: 'write',
      retries: 3,
      retryDelay: 1_000,
      run: () => {
        calls++;
        return body();
      },
    });
    const result = await engine.run(dag, { logicalDate: DAY });
    const task = result.tasks[0]!;
    const tries = await engine.tries(id, result.runId, 'write');
    return { calls, result, task, tries };
  }

  it('fails after one try when a real write hits ENOSPC (/dev/full), with the OS message', async function () {
    if (!fs.existsSync('/dev/full')) this.skip();
    const { calls, result, task, tries } = await runFailing('full_disk', () =>
      fs.promises.writeFile('/dev/full', 'partition bytes'),
    );
    expect(calls).to.equal(1);
    expect(result.state).to.equal('failed');
    expect(task).to.deep.include({
      state: 'failed',
      tryNumber: 1,
      error: 'ENOSPC: no space left on device, write (a permanent OS error: not retried)',
    });
    expect(tries.map((t) => [t.tryNumber, t.state, t.errorName])).to.deep.equal([
      [1, 'failed', 'NonRetryableError'],
    ]);
  });

  it('names the path of a read-only filesystem (EROFS) the body could not write', async () => {
    // A read-only mount cannot be made in a test: this is the error Node raises for one.
    const { calls, task } = await runFailing('read_only', () => {
      throw Object.assign(new Error("EROFS: read-only file system, open '/mnt/lake/trusted/x.parquet'"), {
        code: 'EROFS',
        errno: -30,
        syscall: 'open',
        path: '/mnt/lake/trusted/x.parquet',
      });
    });
    expect(calls).to.equal(1);
    expect(task).to.deep.include({
      state: 'failed',
      tryNumber: 1,
      error:
        "EROFS: read-only file system, open '/mnt/lake/trusted/x.parquet' (a permanent OS error: not retried)",
    });
  });

  it('still retries an OS error that may pass (ENOENT)', async () => {
    const { calls, task } = await runFailing('missing', () =>
      fs.promises.readFile('/nonexistent/streampro/x'),
    );
    expect(calls).to.equal(4);
    expect(task).to.deep.include({ state: 'failed', tryNumber: 4 });
  });
});
