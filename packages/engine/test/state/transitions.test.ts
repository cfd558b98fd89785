import { InvalidTransitionError, MemoryRunStore, type TaskInstanceRecord } from '@streampro/engine';
import { runTransition, StateWriter, taskTransition } from '@streampro/engine/internal';
import { expect } from 'chai';
import { thrown } from '../support/fixtures.js';

const ti: TaskInstanceRecord = {
  dagId: 'd',
  runId: 'r',
  taskId: 't',
  state: 'queued',
  tryNumber: 1,
  maxTries: 2,
  output: null,
  startedAt: null,
  endedAt: null,
  durationMs: null,
  nextTryAt: null,
};

describe('state transitions', () => {
  it('taskTransition builds the change and the record after it', () => {
    const { change, record } = taskTransition(ti, 'running', { startedAt: '2025-01-01T00:00:00.000Z' });
    expect(change).to.deep.equal({
      kind: 'task',
      dagId: 'd',
      runId: 'r',
      taskId: 't',
      state: 'running',
      startedAt: '2025-01-01T00:00:00.000Z',
    });
    expect(record).to.deep.equal({ ...ti, state: 'running', startedAt: '2025-01-01T00:00:00.000Z' });
  });

  it('taskTransition refuses a change the task table does not list', () => {
    const error = thrown(() => taskTransition({ ...ti, state: 'success' }, 'running'));
    expect(error).to.be.instanceOf(InvalidTransitionError);
    expect(error.message).to.equal('invalid state change for d/r/t: success -> running');
  });

  it('runTransition checks RUN_TRANSITIONS', () => {
    expect(
      runTransition({ dagId: 'd', runId: 'r', state: 'running' }, 'success', { endedAt: 'x' }),
    ).to.deep.equal({
      kind: 'run',
      dagId: 'd',
      runId: 'r',
      state: 'success',
      endedAt: 'x',
    });
    const error = thrown(() => runTransition({ dagId: 'd', runId: 'r', state: 'queued' }, 'success'));
    expect(error).to.be.instanceOf(InvalidTransitionError);
    expect(error.message).to.equal('invalid state change for d/r: queued -> success');
  });

  it('StateWriter commits what it staged in one batch, then nothing more', async () => {
    const store = new MemoryRunStore();
    await store.ensureRun(
      {
        dagId: 'd',
        runId: 'r',
        logicalDate: '2025-01-01T00:00:00.000Z',
        runType: 'manual',
        params: {},
        createdAt: 'c',
      },
      ['t'],
    );
    const [created] = await store.listTaskInstances('d', 'r');
    const writer = new StateWriter(store, undefined);
    writer.stage(taskTransition(created!, 'scheduled').change);
    expect(writer.pendingCount).to.equal(1);
    await writer.commit();
    expect(writer.pendingCount).to.equal(0);
    expect((await store.listTaskInstances('d', 'r'))[0]?.state).to.equal('scheduled');
  });
});
