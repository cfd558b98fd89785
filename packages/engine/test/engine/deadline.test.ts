import fs from 'node:fs';
import path from 'node:path';
import { DagDefinitionError, defineDag, Engine, type Notification } from '@streampro/engine';
import { expect } from 'chai';
import { makeTempDir, removeDir, thrown } from '../support/fixtures.js';

const DAY = '2025-01-05';
const TEN_YEARS = 10 * 365 * 86_400_000;

describe('DAG deadlines (onDeadlineMissed)', () => {
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

  it('a run still going after its interval end plus the deadline is reported once, while it runs, and goes on', async () => {
    const told: Notification[] = [];
    let reported: () => void = () => {};
    const seen = new Promise<void>((resolve) => {
      reported = resolve;
    });
    const dag = defineDag({
      id: 'late',
      schedule: '@daily',
      startDate: '2025-01-01',
      // The interval of 2025-01-05 ended long ago: the deadline has passed when the run starts.
      deadline: 60_000,
      onDeadlineMissed: (n) => {
        told.push(n);
        reported();
      },
    });
    // The task ends only once the deadline was reported: the report comes during the run, not after it.
    dag.task({ id: 'slow', run: () => seen.then(() => 'done') });
    const result = await engine.run(dag, { logicalDate: DAY });
    expect(result.state).to.equal('success');
    expect(told).to.have.length(1);
    expect(told[0]).to.include({
      event: 'deadline_missed',
      dagId: 'late',
      runId: `manual__${DAY}`,
      taskId: null,
      state: 'running',
    });
    expect(told[0]!.error).to.equal(
      'not finished by 2025-01-06T00:01:00.000Z (60000 ms after its interval ended)',
    );
    const log = fs.readFileSync(
      path.join(home, 'logs', 'dag_id=late', `run_id=manual__${DAY}`, 'callbacks.log'),
      'utf8',
    );
    expect(log).to.include('run not finished by its deadline 2025-01-06T00:01:00.000Z');
  });

  it('a run that ends before its deadline is not reported, and a failing callback changes nothing', async () => {
    let calls = 0;
    const dag = defineDag({
      id: 'early',
      schedule: '@daily',
      startDate: '2025-01-01',
      deadline: TEN_YEARS,
      onDeadlineMissed: () => {
        calls++;
      },
    });
    dag.task({ id: 'quick', run: () => 1 });
    expect((await engine.run(dag, { logicalDate: DAY })).state).to.equal('success');
    expect(calls).to.equal(0);

    const broken = defineDag({
      id: 'broken_hook',
      schedule: '@daily',
      startDate: '2025-01-01',
      deadline: 0,
      onDeadlineMissed: () => {
        throw new Error('pager down');
      },
    });
    broken.task({ id: 'work', run: () => new Promise((r) => setTimeout(() => r('ok'), 50)) });
    expect((await engine.run(broken, { logicalDate: DAY })).state).to.equal('success');
    const log = fs.readFileSync(
      path.join(home, 'logs', 'dag_id=broken_hook', `run_id=manual__${DAY}`, 'callbacks.log'),
      'utf8',
    );
    expect(log).to.include('onDeadlineMissed callback failed: pager down');
  });

  it('refuses a deadline without a callback, a callback without a deadline, and a deadline that is not ms', () => {
    const spec = { schedule: '@daily' as const, startDate: '2025-01-01' };
    const noCallback = thrown(() => defineDag({ id: 'a', ...spec, deadline: 1000 }));
    expect(noCallback).to.be.instanceOf(DagDefinitionError);
    expect(noCallback.message).to.equal("DAG 'a': a deadline needs onDeadlineMissed to call");
    const noDeadline = thrown(() => defineDag({ id: 'b', ...spec, onDeadlineMissed: () => {} }));
    expect(noDeadline.message).to.equal("DAG 'b': onDeadlineMissed needs a deadline (milliseconds)");
    const negative = thrown(() => defineDag({ id: 'c', ...spec, deadline: -5, onDeadlineMissed: () => {} }));
    expect(negative.message).to.equal("DAG 'c': deadline must be a whole number of milliseconds ≥ 0, got -5");
  });
});
