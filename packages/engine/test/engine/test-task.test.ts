import { getEventListeners } from 'node:events';
import {
  defineDag,
  Engine,
  ManualClock,
  NonRetryableError,
  NotFoundError,
  TaskTimeoutError,
} from '@streampro/engine';
import { expect } from 'chai';
import { makeTempDir, rejection, removeDir } from '../support/fixtures.js';

const DAY = '2025-01-01';

describe('Engine.testTask', () => {
  let home: string;
  let engine: Engine;

  beforeEach(async () => {
    home = await makeTempDir();
    engine = await Engine.open({ home, clock: new ManualClock(Date.UTC(2025, 0, 1), { autoAdvance: true }) });
  });

  afterEach(async () => {
    await engine.close();
    await removeDir(home);
  });

  function pipeline() {
    const dag = defineDag({
      id: 'tt',
      startDate: '2025-01-01',
      params: { key: { default: 'k', secret: true } },
    });
    const extract = dag.task({ id: 'extract', run: () => ({ rows: 4 }) });
    dag.task({
      id: 'load',
      upstream: [extract],
      run: (ctx) => {
        ctx.log.info(`loading with ${ctx.params.key}`);
        return ctx.upstream(extract).rows * 10;
      },
    });
    dag.task({ id: 'hang', executionTimeout: 3000, run: () => new Promise<never>(() => {}) });
    return dag;
  }

  it('runs one task with upstream outputs of the stored run, records nothing, and sends log lines to a callback', async () => {
    const dag = pipeline();
    await engine.run(dag, { logicalDate: DAY, tasks: ['extract'] });
    const lines: Readonly<Record<string, unknown>>[] = [];
    const controller = new AbortController();

    const result = await engine.testTask(dag, 'load', {
      logicalDate: DAY,
      params: { key: 'secret-key-0001' },
      onLog: (line) => lines.push(line),
      signal: controller.signal,
    });

    expect(result).to.deep.include({ kind: 'success', output: 40 });
    // The same lines a run's try writes: `dag test` goes through the same executor path.
    expect(lines.map((l) => [l.message, l.taskId])).to.deep.equal([
      ['starting try 1 of 1', 'load'],
      ['loading with ***', 'load'],
      ['try succeeded', 'load'],
    ]);
    const status = await engine.status(dag, DAY);
    expect(status?.tasks.find((t) => t.taskId === 'load')).to.deep.include({ state: 'none', tryNumber: 0 });
    expect(await engine.tries('tt', status!.runId, 'load')).to.deep.equal([]);
    expect(getEventListeners(controller.signal, 'abort')).to.have.length(0);
  });

  it('fails with a clear message when the upstream has no stored output', async () => {
    const result = await engine.testTask(pipeline(), 'load', { logicalDate: DAY });
    expect(result.kind).to.equal('failed');
    const error = result.kind === 'failed' ? result.error : undefined;
    expect(error).to.be.instanceOf(NonRetryableError);
    expect(error?.message).to.equal(
      "task 'load' needs the output of 'extract': no stored successful run of it for 2025-01-01; run the DAG first",
    );
  });

  it('enforces the execution timeout and rejects unknown tasks', async () => {
    const result = await engine.testTask(pipeline(), 'hang', { logicalDate: DAY });
    expect(result).to.have.property('kind', 'failed');
    expect(result.kind === 'failed' && result.error).to.be.instanceOf(TaskTimeoutError);
    expect(result.durationMs).to.equal(3000);

    const unknown = await rejection(engine.testTask(pipeline(), 'nope', { logicalDate: DAY }));
    expect(unknown).to.be.instanceOf(NotFoundError);
  });
});
