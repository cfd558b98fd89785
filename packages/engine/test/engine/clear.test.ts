import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { defineDag, Engine, linesOf, NonRetryableError, NotFoundError } from '@streampro/engine';
import { expect } from 'chai';
import { makeTempDir, rejection, removeDir } from '../support/fixtures.js';

const DAY = '2025-01-01';
const RUN_ID = `manual__${DAY}`;

describe('Engine.clear', () => {
  let home: string;
  let engine: Engine;
  let calls: Record<string, number>;
  let failValidate: boolean;

  /** a -> b -> c, and d on its own; b fails while `failValidate` is set. */
  function chain() {
    const dag = defineDag({ id: 'chain', startDate: '2025-01-01' });
    const count = (id: string) => {
      calls[id] = (calls[id] ?? 0) + 1;
    };
    const a = dag.task({
      id: 'a',
      run: () => {
        count('a');
        return 1;
      },
    });
    const b = dag.task({
      id: 'b',
      upstream: [a],
      run: (ctx) => {
        count('b');
        if (failValidate) throw new NonRetryableError('b is broken');
        return ctx.upstream(a) + 1;
      },
    });
    dag.task({
      id: 'c',
      upstream: [b],
      run: (ctx) => {
        count('c');
        return ctx.upstream(b) + 1;
      },
    });
    dag.task({
      id: 'd',
      run: () => {
        count('d');
        return 'd';
      },
    });
    return dag;
  }

  beforeEach(async () => {
    home = await makeTempDir();
    engine = await Engine.open({ home });
    calls = {};
    failValidate = false;
  });

  afterEach(async () => {
    await engine.close();
    await removeDir(home);
  });

  it('clears a task and everything downstream; the next run re-executes exactly those', async () => {
    const dag = chain();
    await engine.run(dag, { logicalDate: DAY });

    const cleared = await engine.clear(dag, DAY, { tasks: ['b'], downstream: true });
    expect(cleared).to.deep.equal({
      dagId: 'chain',
      runId: RUN_ID,
      cleared: [
        { taskId: 'b', previousState: 'success' },
        { taskId: 'c', previousState: 'success' },
      ],
    });
    const status = await engine.status(dag, DAY);
    expect(status?.state).to.equal('queued');
    expect(status?.endedAt).to.equal(null);
    expect(status?.tasks.map((t) => [t.taskId, t.state, t.tryNumber, t.output])).to.deep.equal([
      ['a', 'success', 1, 1],
      ['d', 'success', 1, 'd'],
      ['b', 'none', 1, null],
      ['c', 'none', 1, null],
    ]);

    const result = await engine.run(dag, { logicalDate: DAY });
    expect(result.state).to.equal('success');
    expect(calls).to.deep.equal({ a: 1, b: 2, c: 2, d: 1 });
    expect(Object.fromEntries(result.tasks.map((t) => [t.taskId, t.tryNumber]))).to.deep.equal({
      a: 1,
      d: 1,
      b: 2,
      c: 2,
    });
  });

  it('keeps the try history and the log lines of cleared tasks', async () => {
    const dag = chain();
    await engine.run(dag, { logicalDate: DAY });
    await engine.clear(dag, DAY, { tasks: ['c'] });
    expect((await engine.tries('chain', RUN_ID, 'c')).map((t) => [t.tryNumber, t.state])).to.deep.equal([
      [1, 'success'],
    ]);
    await engine.run(dag, { logicalDate: DAY });

    const tries = await engine.tries('chain', RUN_ID, 'c');
    expect(tries.map((t) => [t.tryNumber, t.state])).to.deep.equal([
      [1, 'success'],
      [2, 'success'],
    ]);
    // Both tries' lines are kept, each under its own try number, in the run's segment.
    const segment = path.join(home, 'logs', 'dag_id=chain', `run_id=${RUN_ID}`, 'tries.log');
    const text = await readFile(segment, 'utf8');
    for (const t of tries) {
      expect(t.logPath).to.equal(segment);
      expect(linesOf(text, t).map((l) => JSON.parse(l).message)).to.include(
        `starting try ${t.tryNumber} of ${t.tryNumber}`,
      );
    }
  });

  it('clears only failed and upstream_failed tasks with onlyFailed', async () => {
    failValidate = true;
    const dag = chain();
    await engine.run(dag, { logicalDate: DAY });

    const cleared = await engine.clear(dag, DAY, { onlyFailed: true });
    expect(cleared.cleared).to.deep.equal([
      { taskId: 'b', previousState: 'failed' },
      { taskId: 'c', previousState: 'upstream_failed' },
    ]);
    failValidate = false;
    const result = await engine.run(dag, { logicalDate: DAY });
    expect(result.state).to.equal('success');
    expect(calls).to.deep.equal({ a: 1, b: 2, c: 1, d: 1 });
    expect(result.tasks.find((t) => t.taskId === 'b')?.tryNumber).to.equal(2);
  });

  it('with onlyFailed and downstream, leaves successful downstream tasks alone', async () => {
    const dag = chain();
    await engine.run(dag, { logicalDate: DAY });
    const cleared = await engine.clear(dag, DAY, { tasks: ['a'], downstream: true, onlyFailed: true });
    expect(cleared.cleared).to.deep.equal([]);
    expect((await engine.status(dag, DAY))?.state).to.equal('success');
  });

  it('computes a dry run without changing anything', async () => {
    const dag = chain();
    await engine.run(dag, { logicalDate: DAY });
    const before = await engine.status(dag, DAY);

    const plan = await engine.clear(dag, DAY, { tasks: ['a'], downstream: true, dryRun: true });
    expect(plan.cleared.map((c) => c.taskId)).to.deep.equal(['a', 'b', 'c']);
    expect(await engine.status(dag, DAY)).to.deep.equal(before);

    const again = await engine.run(dag, { logicalDate: DAY });
    expect(again.alreadyDone).to.equal(true);
  });

  it('names what is missing: the run or a task', async () => {
    const dag = chain();
    const noRun = await rejection(engine.clear(dag, '2025-02-01'));
    expect(noRun).to.be.instanceOf(NotFoundError);
    expect(noRun.message).to.equal("DAG 'chain' has no run for 2025-02-01");

    await engine.run(dag, { logicalDate: DAY });
    const noTask = await rejection(engine.clear(dag, DAY, { tasks: ['zz'] }));
    expect(noTask).to.be.instanceOf(NotFoundError);
    expect(noTask.message).to.equal("unknown task 'zz' in DAG 'chain'; known tasks: a, d, b, c");
  });
});
