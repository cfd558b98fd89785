import fs from 'node:fs';
import {
  DagDefinitionError,
  defineDag,
  Engine,
  InvalidInputError,
  linesOf,
  MapExpansionError,
  NotFoundError,
} from '@streampro/engine';
import { expect } from 'chai';
import { makeTempDir, rejection, removeDir, taskStates, thrown } from '../support/fixtures.js';

const DAY = '2025-01-05';

describe('mapped tasks (Dag.map)', () => {
  let home: string;
  let engine: Engine;
  beforeEach(async () => {
    home = await makeTempDir();
    engine = await Engine.open({ home });
  });
  afterEach(async () => {
    await engine.close();
    await removeDir(home);
  });

  /** files → load[i] (mapped, with a partial argument) → report (reads the array of load's outputs). */
  function pipeline(files: unknown, options: { fail?: (i: number) => boolean; maxMapLength?: number } = {}) {
    const dag = defineDag({ id: 'mapped', startDate: '2025-01-01' });
    const list = dag.task({ id: 'list', run: () => files as string[] });
    const load = dag.map({
      id: 'load',
      over: list,
      partial: { table: 'events' },
      ...(options.maxMapLength ? { maxMapLength: options.maxMapLength } : {}),
      run: (ctx, { item, index, table }) => {
        if (options.fail?.(index)) throw new Error(`cannot load ${item}`);
        ctx.log.info(`loading ${item} into ${table}`);
        return `${table}/${item}#${index}`;
      },
    });
    const report = dag.task({ id: 'report', upstream: [load], run: (ctx) => ctx.upstream(load).join(' ') });
    return { dag, load, report };
  }

  it('runs one instance per element, each with its index, tries and log; downstream gets the outputs in order', async () => {
    const { dag } = pipeline(['a.csv', 'b.csv', 'c.csv']);
    const result = await engine.run(dag, { logicalDate: DAY });
    expect(result.state).to.equal('success');
    expect(taskStates(result)).to.deep.equal({
      list: 'success',
      load: 'success',
      'load[0]': 'success',
      'load[1]': 'success',
      'load[2]': 'success',
      report: 'success',
    });
    const byId = new Map(result.tasks.map((t) => [t.taskId, t]));
    expect(byId.get('report')!.output).to.equal('events/a.csv#0 events/b.csv#1 events/c.csv#2');
    expect(byId.get('load')!.output).to.deep.equal(['events/a.csv#0', 'events/b.csv#1', 'events/c.csv#2']);
    expect(byId.get('load[1]')).to.include({ tryNumber: 1, output: 'events/b.csv#1' });
    // The instance's own lines of the run's log segment.
    const log = linesOf(fs.readFileSync(byId.get('load[1]')!.logPath!, 'utf8'), {
      dagId: dag.id,
      runId: result.runId,
      taskId: 'load[1]',
      tryNumber: 1,
    }).join('\n');
    expect(log).to.include('loading b.csv into events');
    expect(log).not.to.include('a.csv');
    expect((await engine.tries(dag.id, result.runId, 'load')).length).to.equal(0);
  });

  it('skips a task mapped over an empty array, and what needs it', async () => {
    const result = await engine.run(pipeline([]).dag, { logicalDate: DAY });
    expect(result.state).to.equal('success');
    expect(taskStates(result)).to.deep.equal({ list: 'success', load: 'skipped', report: 'skipped' });
  });

  it('fails a task whose array is longer than its maxMapLength, with one line naming the count, limit and option', async () => {
    const { dag } = pipeline(['a', 'b', 'c'], { maxMapLength: 2 });
    const result = await engine.run(dag, { logicalDate: DAY });
    expect(result.state).to.equal('failed');
    expect(taskStates(result)).to.deep.equal({ list: 'success', load: 'failed', report: 'upstream_failed' });
    const message =
      'mapped task load would expand into 3 instances, more than its limit of 2; raise maxMapLength on load or return fewer items from list';
    expect(result.tasks.find((t) => t.taskId === 'load')!.error).to.equal(message);
    const [tried] = await engine.tries(dag.id, result.runId, 'load');
    expect(tried).to.include({ state: 'failed', errorName: 'MapExpansionError', errorMessage: message });
    expect(fs.readFileSync(tried!.logPath, 'utf8')).to.include(message);
  });

  it('limits a mapped task to 1,024 instances by default', async () => {
    const items = Array.from({ length: 1025 }, (_, i) => `f${i}`);
    const result = await engine.run(pipeline(items).dag, { logicalDate: DAY });
    expect(result.tasks.find((t) => t.taskId === 'load')!.error).to.equal(
      'mapped task load would expand into 1025 instances, more than its limit of 1024; raise maxMapLength on load or return fewer items from list',
    );
    expect(result.tasks.some((t) => t.taskId.startsWith('load['))).to.equal(false);
  });

  it('fails a task mapped over an output that is not an array', async () => {
    const result = await engine.run(pipeline({ not: 'an array' }).dag, { logicalDate: DAY });
    expect(result.tasks.find((t) => t.taskId === 'load')!.error).to.equal(
      'mapped task load needs an array from list, got object; make list return an array',
    );
  });

  it('fails the mapped task when an instance fails; a resumed run re-runs only that instance', async () => {
    let broken = true;
    const { dag } = pipeline(['a', 'b', 'c'], { fail: (i) => i === 1 && broken });
    const first = await engine.run(dag, { logicalDate: DAY });
    expect(first.state).to.equal('failed');
    expect(taskStates(first)).to.deep.include({
      load: 'failed',
      'load[0]': 'success',
      'load[1]': 'failed',
      'load[2]': 'success',
      report: 'upstream_failed',
    });
    broken = false;
    const second = await engine.run(dag, { logicalDate: DAY });
    expect(second.state).to.equal('success');
    const tries = (id: string) => second.tasks.find((t) => t.taskId === id)!.tryNumber;
    expect([tries('load[0]'), tries('load[1]'), tries('load[2]')]).to.deep.equal([1, 2, 1]);
    expect(second.tasks.find((t) => t.taskId === 'report')!.output).to.equal(
      'events/a#0 events/b#1 events/c#2',
    );
  });

  it('clears one instance by index (and its mapped task): the next run re-runs only that instance', async () => {
    const { dag } = pipeline(['a', 'b']);
    await engine.run(dag, { logicalDate: DAY });
    const cleared = await engine.clear(dag, DAY, { tasks: ['load[1]'] });
    expect(cleared.cleared).to.deep.equal([
      { taskId: 'load', previousState: 'success' },
      { taskId: 'load[1]', previousState: 'success' },
    ]);
    const again = await engine.run(dag, { logicalDate: DAY });
    expect(again.state).to.equal('success');
    const tries = (id: string) => again.tasks.find((t) => t.taskId === id)!.tryNumber;
    expect([tries('list'), tries('load[0]'), tries('load[1]'), tries('report')]).to.deep.equal([1, 1, 2, 1]);
    const all = await engine.clear(dag, DAY, { tasks: ['load'], dryRun: true });
    expect(all.cleared.map((c) => c.taskId)).to.deep.equal(['load', 'load[0]', 'load[1]']);
  });

  it('tests one instance by index with its item from the stored run', async () => {
    const { dag } = pipeline(['a', 'b']);
    await engine.run(dag, { logicalDate: DAY, tasks: ['list'] });
    const result = await engine.testTask(dag, 'load[1]', { logicalDate: DAY });
    expect(result).to.include({ kind: 'success', output: 'events/b#1' });
    const whole = await rejection(engine.testTask(dag, 'load', { logicalDate: DAY }));
    expect(whole).to.be.instanceOf(InvalidInputError);
    expect(whole.message).to.equal("task 'load' is mapped: test one of its instances, e.g. 'load[0]'");
    const past = await rejection(engine.testTask(dag, 'load[2]', { logicalDate: DAY }));
    expect(past).to.be.instanceOf(InvalidInputError);
    expect(past.message).to.equal(
      'list returned 2 item(s) for 2025-01-05, so load has no instance 2; pick an index from 0 to 1',
    );
    const plain = await rejection(engine.testTask(dag, 'list[0]', { logicalDate: DAY }));
    expect(plain).to.be.instanceOf(NotFoundError);
    expect(plain.message).to.equal(
      "'list[0]' names instance 0 of task 'list', which is not mapped; name the task 'list'",
    );
  });

  it('rejects bad mapped-task definitions with a precise message', () => {
    const dag = defineDag({ id: 'bad', startDate: '2025-01-01' });
    const list = dag.task({ id: 'list', run: () => [1, 2] });
    const reserved = thrown(() =>
      // @ts-expect-error `index` is each instance's own, not a partial argument
      dag.map({ id: 'm', over: list, partial: { index: 3 }, run: (_ctx, { item }) => item }),
    );
    expect(reserved).to.be.instanceOf(DagDefinitionError);
    expect(reserved.message).to.equal(
      "DAG 'bad' mapped task 'm': partial may not have 'index': each instance gets its own",
    );
    const limit = thrown(() => dag.map({ id: 'm', over: list, maxMapLength: 0, run: () => 1 }));
    expect(limit.message).to.equal(
      "DAG 'bad' mapped task 'm': maxMapLength must be a positive integer, got 0",
    );
    const branch = thrown(() => dag.map({ id: 'm', over: list, branch: true, run: () => 'x' }));
    expect(branch.message).to.equal(
      "DAG 'bad' mapped task 'm': a mapped task cannot be a branch or a short-circuit task",
    );
    expect(MapExpansionError.name).to.equal('MapExpansionError');
  });
});
