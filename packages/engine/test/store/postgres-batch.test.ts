import type { StateChange } from '@streampro/engine';
import { planBatch } from '@streampro/engine/internal';
import { expect } from 'chai';
import { T0, tryRecord } from './store-fixtures.js';

const RUN = 'manual__2025-01-01';
const ids = { dagId: 'd', runId: RUN } as const;
const T1 = '2025-01-01T00:00:01.000Z';

describe('planBatch (PostgreSQL batch folding)', () => {
  it('composes the patches of one task instance: last state, last value of each field given', () => {
    const plan = planBatch([
      { kind: 'task', ...ids, taskId: 'a', state: 'queued', tryNumber: 1, nextTryAt: null },
      { kind: 'task', ...ids, taskId: 'b', state: 'scheduled' },
      { kind: 'task', ...ids, taskId: 'a', state: 'running', startedAt: T0 },
      {
        kind: 'task',
        ...ids,
        taskId: 'a',
        state: 'success',
        output: { z: 1, a: [2] },
        endedAt: T1,
        durationMs: 5,
      },
    ]);
    expect(plan.tasks).to.deep.equal([
      {
        ord: 0,
        added: false,
        ...{ dag_id: 'd', run_id: RUN, task_id: 'a' },
        state: 'success',
        // tryNumber 1, output 4, startedAt 8, endedAt 16, durationMs 32, nextTryAt 64; not maxTries (2)
        mask: 1 + 4 + 8 + 16 + 32 + 64,
        try_number: 1,
        max_tries: null,
        output: '{"z":1,"a":[2]}',
        started_at: T0,
        ended_at: T1,
        duration_ms: 5,
        next_try_at: null,
      },
      {
        ord: 1,
        added: false,
        ...{ dag_id: 'd', run_id: RUN, task_id: 'b' },
        state: 'scheduled',
        mask: 0,
        try_number: null,
        max_tries: null,
        output: null,
        started_at: null,
        ended_at: null,
        duration_ms: null,
        next_try_at: null,
      },
    ]);
  });

  it('tells an output set to null (mask bit, null) from one left alone (no bit)', () => {
    const [cleared, kept] = planBatch([
      { kind: 'task', ...ids, taskId: 'a', state: 'none', output: null },
      { kind: 'task', ...ids, taskId: 'b', state: 'none' },
    ]).tasks;
    expect([cleared?.mask, cleared?.output]).to.deep.equal([4, null]);
    expect([kept?.mask, kept?.output]).to.deep.equal([0, null]);
    expect(
      planBatch([{ kind: 'task', ...ids, taskId: 'a', state: 'success', output: 0 }]).tasks[0]?.output,
    ).to.equal('0');
  });

  it('marks a task instance added earlier in the batch, and keeps add-task order once per instance', () => {
    const plan = planBatch([
      { kind: 'task', ...ids, taskId: 'old', state: 'scheduled' },
      { kind: 'add-task', ...ids, taskId: 'new' },
      { kind: 'add-task', ...ids, taskId: 'other' },
      { kind: 'add-task', ...ids, taskId: 'new' },
      { kind: 'task', ...ids, taskId: 'new', state: 'scheduled' },
    ]);
    expect(plan.added.map((a) => [a.ord, a.task_id])).to.deep.equal([
      [1, 'new'],
      [2, 'other'],
    ]);
    expect(plan.tasks.map((t) => [t.task_id, t.ord, t.added])).to.deep.equal([
      ['old', 0, false],
      ['new', 4, true],
    ]);
  });

  it('folds run changes: last state, last times and params given', () => {
    const plan = planBatch([
      { kind: 'run', ...ids, state: 'running', startedAt: T0, endedAt: null, params: { b: 1, a: 2 } },
      { kind: 'run', ...ids, state: 'success', endedAt: T1 },
    ]);
    expect(plan.runs).to.deep.equal([
      {
        ord: 0,
        dag_id: 'd',
        run_id: RUN,
        state: 'success',
        mask: 7,
        started_at: T0,
        ended_at: T1,
        params: '{"b":1,"a":2}',
      },
    ]);
  });

  const end = (
    tryNumber: number,
    state: 'success' | 'failed',
    extra: Partial<StateChange> = {},
  ): StateChange =>
    ({
      kind: 'try-end',
      ...ids,
      taskId: 'a',
      tryNumber,
      state,
      endedAt: T1,
      durationMs: 1000,
      ...extra,
    }) as StateChange;

  it('merges the end of a try recorded in the same batch into its record; other ends update stored tries', () => {
    const plan = planBatch([
      { kind: 'try-start', record: tryRecord('a', 2) },
      end(1, 'failed', { errorName: 'Error', errorMessage: 'bo\u0000om' } as Partial<StateChange>),
      end(2, 'success'),
    ]);
    expect(plan.tries).to.have.length(1);
    expect(plan.tries[0]).to.deep.include({
      try_number: 2,
      state: 'success',
      started_at: T0,
      ended_at: T1,
      duration_ms: 1000,
      log_path: '/logs/a/2.log',
      error_name: null,
    });
    // PostgreSQL text cannot hold NUL.
    expect(plan.try_ends).to.deep.equal([
      {
        dag_id: 'd',
        run_id: RUN,
        task_id: 'a',
        try_number: 1,
        state: 'failed',
        ended_at: T1,
        duration_ms: 1000,
        error_name: 'Error',
        error_message: 'bo\uFFFDom',
        error_stack: null,
      },
    ]);
  });

  it('lets a try recorded again replace its earlier end in the batch, as a one-by-one application would', () => {
    const plan = planBatch([end(1, 'failed'), { kind: 'try-start', record: tryRecord('a', 1) }]);
    expect(plan.try_ends).to.deep.equal([]);
    expect(plan.tries.map((t) => [t.try_number, t.state, t.ended_at])).to.deep.equal([[1, 'running', null]]);
  });

  it('keeps asset events in batch order, each one', () => {
    const event = (asset: string) =>
      ({
        kind: 'asset-event',
        event: { asset, logicalDate: T0, dagId: 'd', runId: RUN, taskId: 'a', createdAt: T1 },
      }) as const;
    const plan = planBatch([
      event('lake://b'),
      { kind: 'task', ...ids, taskId: 'a', state: 'success' },
      event('lake://a'),
      event('lake://b'),
    ]);
    expect(plan.assets.map((a) => [a.ord, a.asset])).to.deep.equal([
      [0, 'lake://b'],
      [2, 'lake://a'],
      [3, 'lake://b'],
    ]);
  });
});
