import { access } from 'node:fs/promises';
import path from 'node:path';
import { defineDag, Engine, NonRetryableError, SkipTask } from '@streampro/engine';
import { expect } from 'chai';
import { makeTempDir, removeDir } from '../support/fixtures.js';

const DAY = '2025-01-01';

describe('setup and teardown tasks (Engine, SQLite store)', () => {
  let home: string;
  let engine: Engine;
  let ran: string[];
  let fail: Set<string>;

  /** create (setup) -> query -> delete (teardown of create); `fail` names the tasks that throw. */
  function cluster(options: { failRunOnFailure?: boolean; skipCreate?: boolean } = {}) {
    const dag = defineDag({ id: 'cluster', startDate: DAY });
    const body = (id: string) => () => {
      ran.push(id);
      if (id === 'create' && options.skipCreate) throw new SkipTask('no cluster needed today');
      if (fail.has(id)) throw new NonRetryableError(`${id} broke`);
      return id;
    };
    const create = dag.task({ id: 'create', setup: true, run: body('create') });
    const query = dag.task({ id: 'query', upstream: [create], run: body('query') });
    dag.task({
      id: 'delete',
      teardownOf: [create],
      upstream: [query],
      ...(options.failRunOnFailure ? { failRunOnFailure: true } : {}),
      run: body('delete'),
    });
    return dag;
  }

  const states = (result: { tasks: readonly { taskId: string; state: string }[] }) =>
    Object.fromEntries(result.tasks.map((t) => [t.taskId, t.state]));

  beforeEach(async () => {
    home = await makeTempDir();
    engine = await Engine.open({ home });
    ran = [];
    fail = new Set();
  });

  afterEach(async () => {
    await engine.close();
    await removeDir(home);
  });

  it('keeps its state in a SQLite file', async () => {
    await engine.run(cluster(), { logicalDate: DAY });
    await access(path.join(home, 'state.db'));
  });

  it('runs the teardown after a failed task of its scope; the run fails by that task', async () => {
    fail.add('query');
    const result = await engine.run(cluster(), { logicalDate: DAY });
    expect(states(result)).to.deep.equal({ create: 'success', query: 'failed', delete: 'success' });
    expect(ran).to.deep.equal(['create', 'query', 'delete']);
    expect(result.state).to.equal('failed');
  });

  it('does not fail the run when only the teardown failed', async () => {
    fail.add('delete');
    const result = await engine.run(cluster(), { logicalDate: DAY });
    expect(states(result)).to.deep.equal({ create: 'success', query: 'success', delete: 'failed' });
    expect(result.state).to.equal('success');
  });

  it('fails the run when a teardown with failRunOnFailure failed', async () => {
    fail.add('delete');
    const result = await engine.run(cluster({ failRunOnFailure: true }), { logicalDate: DAY });
    expect(states(result)).to.deep.equal({ create: 'success', query: 'success', delete: 'failed' });
    expect(result.state).to.equal('failed');
  });

  it('does not run the teardown when its setup failed (upstream_failed)', async () => {
    fail.add('create');
    const result = await engine.run(cluster(), { logicalDate: DAY });
    expect(states(result)).to.deep.equal({
      create: 'failed',
      query: 'upstream_failed',
      delete: 'upstream_failed',
    });
    expect(ran).to.deep.equal(['create']);
    expect(result.state).to.equal('failed');
  });

  it('skips the teardown when its setup was skipped', async () => {
    const result = await engine.run(cluster({ skipCreate: true }), { logicalDate: DAY });
    expect(states(result)).to.deep.equal({ create: 'skipped', query: 'skipped', delete: 'skipped' });
    expect(result.state).to.equal('success');
  });

  it('clearing a task of the scope re-runs its setup and teardown', async () => {
    const dag = cluster();
    await engine.run(dag, { logicalDate: DAY });
    ran = [];
    const cleared = await engine.clear(dag, DAY, { tasks: ['query'] });
    expect(cleared.cleared.map((c) => c.taskId)).to.deep.equal(['create', 'query', 'delete']);
    const result = await engine.run(dag, { logicalDate: DAY });
    expect(ran).to.deep.equal(['create', 'query', 'delete']);
    expect(result.state).to.equal('success');
    expect(result.tasks.map((t) => [t.taskId, t.tryNumber])).to.deep.equal([
      ['create', 2],
      ['query', 2],
      ['delete', 2],
    ]);
  });

  it('resuming a failed run re-runs the setup and teardown of the scope with the failed task', async () => {
    const dag = cluster();
    fail.add('query');
    await engine.run(dag, { logicalDate: DAY });
    fail.clear();
    ran = [];
    const result = await engine.run(dag, { logicalDate: DAY });
    expect(ran).to.deep.equal(['create', 'query', 'delete']);
    expect(result.state).to.equal('success');
  });

  it('a short-circuit before the scope skips the work but not the teardown', async () => {
    const dag = defineDag({ id: 'gate', startDate: DAY });
    const create = dag.task({ id: 'create', setup: true, run: () => void ran.push('create') });
    const gate = dag.task({ id: 'gate', upstream: [create], shortCircuit: true, run: () => false });
    const work = dag.task({ id: 'work', upstream: [gate], run: () => void ran.push('work') });
    dag.task({ id: 'delete', teardownOf: [create], upstream: [work], run: () => void ran.push('delete') });
    const result = await engine.run(dag, { logicalDate: DAY });
    expect(states(result)).to.deep.equal({
      create: 'success',
      gate: 'success',
      work: 'skipped',
      delete: 'success',
    });
    expect(ran).to.deep.equal(['create', 'delete']);
  });
});
