import { spawn } from 'node:child_process';
import { once } from 'node:events';
import os from 'node:os';
import { defineDag, Engine, LeaseConflictError } from '@streampro/engine';
import { expect } from 'chai';
import { deferred, makeTempDir, rejection, removeDir } from '../support/fixtures.js';

const DAY = '2025-01-01';
const RUN_ID = `manual__${DAY}`;

/** The pid of a process that has exited: a lease holder that is certainly gone. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
  const [code] = await once(child, 'exit');
  expect(code).to.equal(0);
  expect(child.pid).to.be.a('number');
  return child.pid!;
}

describe('run leases', () => {
  let home: string;
  const engines: Engine[] = [];

  beforeEach(async () => {
    home = await makeTempDir();
  });

  afterEach(async () => {
    for (const engine of engines.splice(0)) await engine.close();
    await removeDir(home);
  });

  async function open(): Promise<Engine> {
    const engine = await Engine.open({ home });
    engines.push(engine);
    return engine;
  }

  it('refuses a second engine on the same state.db while the first executes the run', async () => {
    const first = await open();
    const second = await open();
    const started = deferred();
    const release = deferred();
    const dag = defineDag({ id: 'leased', startDate: '2025-01-01' });
    dag.task({
      id: 't',
      run: async () => {
        started.resolve();
        await release.promise;
        return 'done';
      },
    });

    const running = first.run(dag, { logicalDate: DAY });
    await started.promise;
    const error = await rejection(second.run(dag, { logicalDate: DAY }));
    expect(error).to.be.instanceOf(LeaseConflictError);
    const conflict = error as LeaseConflictError;
    expect(conflict.runId).to.equal(RUN_ID);
    expect(conflict.owner).to.match(
      new RegExp(`^process ${process.pid} on ${os.hostname()} \\(heartbeat .+\\)$`),
    );
    expect(conflict.message).to.equal(
      `run leased/${RUN_ID} is being executed by ${conflict.owner}; wait for it to finish or stop that process first`,
    );
    const clearing = await rejection(second.clear(dag, DAY));
    expect(clearing).to.be.instanceOf(LeaseConflictError);

    release.resolve();
    expect((await running).state).to.equal('success');
    const after = await second.run(dag, { logicalDate: DAY });
    expect(after.alreadyDone).to.equal(true);
  });

  it('takes over at once from a dead holder on this host and fails the tries it left running', async () => {
    const engine = await open();
    const pid = await deadPid();
    const host = os.hostname();
    let calls = 0;
    const dag = defineDag({ id: 'orphan', startDate: '2025-01-01' });
    dag.task({
      id: 't',
      run: (ctx) => {
        calls++;
        return ctx.tryNumber;
      },
    });

    // What a process killed mid-try leaves behind: its live-looking lease and a try still marked running.
    const store = engine.store;
    const startedAt = new Date().toISOString();
    await store.ensureRun(
      {
        dagId: 'orphan',
        runId: RUN_ID,
        logicalDate: '2025-01-01T00:00:00.000Z',
        runType: 'manual',
        params: {},
        createdAt: startedAt,
      },
      ['t'],
    );
    const lease = await store.acquireLease(
      'orphan',
      RUN_ID,
      {
        owner: `${host}:${pid}:deadbeef`,
        host,
        pid,
        now: startedAt,
        expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
      },
      () => false,
    );
    expect(lease.acquired).to.equal(true);
    const key = { dagId: 'orphan', runId: RUN_ID, taskId: 't' } as const;
    await store.apply([
      { kind: 'run', dagId: 'orphan', runId: RUN_ID, state: 'running', startedAt },
      { kind: 'task', ...key, state: 'scheduled' },
      { kind: 'task', ...key, state: 'queued', tryNumber: 1, maxTries: 1 },
      { kind: 'task', ...key, state: 'running', startedAt },
      {
        kind: 'try-start',
        record: {
          ...key,
          tryNumber: 1,
          state: 'running',
          startedAt,
          endedAt: null,
          durationMs: null,
          errorName: null,
          errorMessage: null,
          errorStack: null,
          logPath: '',
          host,
          pid,
        },
      },
    ]);

    const result = await engine.run(dag, { logicalDate: DAY });

    expect(result.state).to.equal('success');
    expect(calls).to.equal(1);
    expect(result.tasks[0]).to.deep.include({ state: 'success', tryNumber: 2, output: 2 });
    const tries = await engine.tries('orphan', RUN_ID, 't');
    expect(tries.map((t) => [t.tryNumber, t.state, t.errorName])).to.deep.equal([
      [1, 'failed', 'TaskInterruptedError'],
      [2, 'success', null],
    ]);
    expect(tries[0]?.errorMessage).to.equal(
      `try 1 was left running by process ${pid} on ${host}, which is gone (zombie)`,
    );
    expect((await store.getRun('orphan', RUN_ID))?.lease).to.equal(null);
  });
});
