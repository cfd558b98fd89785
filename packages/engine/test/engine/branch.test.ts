import { DagDefinitionError, defineDag, Engine } from '@streampro/engine';
import { expect } from 'chai';
import { makeTempDir, rejection, removeDir, taskStates, thrown } from '../support/fixtures.js';

const DAY = '2025-01-05';

describe('branching and short-circuits', () => {
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

  /** choose → (full | incremental → publish_incremental) → join (none_failed_min_one_success). */
  function branching(pick: unknown, retries = 0) {
    const dag = defineDag({ id: 'branching', startDate: '2025-01-01' });
    const choose = dag.task({ id: 'choose', branch: true, retries, retryDelay: 0, run: () => pick });
    const full = dag.task({ id: 'full', upstream: [choose], run: () => 'full' });
    const incremental = dag.task({ id: 'incremental', upstream: [choose], run: () => 'incremental' });
    const publish = dag.task({ id: 'publish_incremental', upstream: [incremental], run: () => 'published' });
    dag.task({
      id: 'join',
      upstream: [full, publish],
      triggerRule: 'none_failed_min_one_success',
      run: () => 'joined',
    });
    return dag;
  }

  it('a branch follows the task it names; the others are skipped and so is what only follows them', async () => {
    const result = await engine.run(branching('full'), { logicalDate: DAY });
    expect(result.state).to.equal('success');
    expect(taskStates(result)).to.deep.equal({
      choose: 'success',
      full: 'success',
      incremental: 'skipped',
      publish_incremental: 'skipped',
      join: 'success',
    });
  });

  it('a branch may follow several tasks', async () => {
    const result = await engine.run(branching(['full', 'incremental']), { logicalDate: DAY });
    expect(Object.values(taskStates(result)).every((s) => s === 'success')).to.equal(true);
  });

  it('a branch naming a task that is not its direct downstream fails at once, not retried', async () => {
    const result = await engine.run(branching('publish_incremental', 3), { logicalDate: DAY });
    expect(result.state).to.equal('failed');
    const choose = result.tasks.find((t) => t.taskId === 'choose')!;
    expect(choose).to.include({ state: 'failed', tryNumber: 1 });
    expect(choose.error).to.equal(
      'branch choose returned "publish_incremental"; it must name its direct downstream tasks (full, incremental)',
    );
    expect(taskStates(result).full).to.equal('upstream_failed');
  });

  function shortCircuited(mode: true | 'direct', output: unknown) {
    const dag = defineDag({ id: 'gate', startDate: '2025-01-01' });
    const gate = dag.task({ id: 'has_data', shortCircuit: mode, run: () => output });
    const load = dag.task({ id: 'load', upstream: [gate], run: () => 1 });
    dag.task({ id: 'cleanup', upstream: [load], triggerRule: 'all_done', run: () => 2 });
    return dag;
  }

  it('shortCircuit: a falsy output skips every downstream task, whatever its trigger rule', async () => {
    const result = await engine.run(shortCircuited(true, 0), { logicalDate: DAY });
    expect(result.state).to.equal('success');
    expect(taskStates(result)).to.deep.equal({ has_data: 'success', load: 'skipped', cleanup: 'skipped' });
  });

  it("shortCircuit 'direct': only the direct downstream is skipped; the rest follow their trigger rules", async () => {
    const result = await engine.run(shortCircuited('direct', false), { logicalDate: DAY });
    expect(taskStates(result)).to.deep.equal({ has_data: 'success', load: 'skipped', cleanup: 'success' });
  });

  it('shortCircuit: a truthy output lets everything run', async () => {
    const result = await engine.run(shortCircuited(true, { rows: 3 }), { logicalDate: DAY });
    expect(taskStates(result)).to.deep.equal({ has_data: 'success', load: 'success', cleanup: 'success' });
  });

  it('latestOnly: downstream runs in the latest interval and in manual runs, and is skipped in older runs', async () => {
    // "Now" is 2025-01-06 10:00 UTC: the latest ended daily interval is the run of 2025-01-05.
    const now = () => Date.parse('2025-01-06T10:00:00Z');
    const dag = defineDag({ id: 'latest', schedule: '@daily', startDate: '2025-01-01' });
    const gate = dag.latestOnly({ now });
    dag.task({ id: 'notify', upstream: [gate], run: () => 'sent' });
    const run = (logicalDate: string, runType?: 'backfill') =>
      engine.run(dag, { logicalDate, ...(runType ? { runType } : {}) }).then(taskStates);
    expect(await run('2025-01-05', 'backfill')).to.deep.equal({ latest_only: 'success', notify: 'success' });
    expect(await run('2025-01-03', 'backfill')).to.deep.equal({ latest_only: 'success', notify: 'skipped' });
    expect(await run('2025-01-02')).to.deep.equal({ latest_only: 'success', notify: 'success' });
  });

  it('refuses a task that is both a branch and a short-circuit, and a bad shortCircuit value', async () => {
    const dag = defineDag({ id: 'both', startDate: '2025-01-01' });
    const both = await rejection(
      Promise.resolve().then(() => dag.task({ id: 'x', branch: true, shortCircuit: true, run: () => 'y' })),
    );
    expect(both.message).to.match(/a task is a branch or a short-circuit, not both$/);
    const bad = await rejection(
      Promise.resolve().then(() =>
        dag.task({ id: 'z', shortCircuit: 'all' as unknown as true, run: () => 1 }),
      ),
    );
    expect(bad.message).to.match(/shortCircuit must be true, false or 'direct', got "all"$/);
  });

  describe('typed branches (dag.branch)', () => {
    function typed(pick: 'full' | 'incremental') {
      const dag = defineDag({ id: 'typed_branch', startDate: '2025-01-01' });
      const choose = dag.branch({ id: 'choose', targets: ['full', 'incremental'], run: () => pick });
      dag.task({ id: 'full', upstream: [choose], run: () => 1 });
      dag.task({ id: 'incremental', upstream: [choose], run: () => 2 });
      return { dag, choose };
    }

    it('follows the target it returns and skips the other', async () => {
      const result = await engine.run(typed('incremental').dag, { logicalDate: DAY });
      expect(result.state).to.equal('success');
      expect(taskStates(result)).to.deep.equal({
        choose: 'success',
        full: 'skipped',
        incremental: 'success',
      });
    });

    it('refuses, when the DAG is defined, a downstream task that is not a target (and tsc does too)', () => {
      const { dag, choose } = typed('full');
      const error = thrown(() =>
        // @ts-expect-error 'audit' is not one of the branch's targets
        dag.task({ id: 'audit', upstream: [choose], run: () => 0 }),
      );
      expect(error).to.be.instanceOf(DagDefinitionError);
      expect(error.message).to.equal(
        "DAG 'typed_branch' task 'audit': its upstream branch 'choose' follows only 'full', 'incremental'; add 'audit' to its targets",
      );
    });

    it('types what the branch may return: only its targets, one or several', () => {
      const dag = defineDag({ id: 'typed_only', startDate: '2025-01-01' });
      // @ts-expect-error 'other' is not among the targets
      dag.branch({ id: 'bad_return', targets: ['a', 'b'], run: () => 'other' as const });
      dag.branch({ id: 'several', targets: ['a', 'b'], run: () => ['a', 'b'] as const });
      const empty = thrown(() =>
        // @ts-expect-error a branch needs at least one target
        dag.branch({ id: 'none', targets: [], run: () => 'a' }),
      );
      expect(empty.message).to.equal(
        "DAG 'typed_only' branch 'none': targets must list the ids of the tasks it may follow",
      );
    });
  });
});
