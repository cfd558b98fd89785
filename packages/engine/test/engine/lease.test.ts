import { spawn } from 'node:child_process';
import { once } from 'node:events';
import os from 'node:os';
import path from 'node:path';
import {
  defineDag,
  Engine,
  LeaseConflictError,
  type LeaseInfo,
  LeaseLostError,
  ManualClock,
  SqliteRunStore,
} from '@streampro/engine';
import { RunLease } from '@streampro/engine/internal';
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
    expect(lease).to.deep.include({ acquired: true, epoch: 1 });
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

describe('RunLease', () => {
  let dir: string;
  let store: SqliteRunStore;
  let clock: ManualClock;
  const TTL = 30_000;
  const change = { kind: 'task', dagId: 'd', runId: RUN_ID, taskId: 't' } as const;

  beforeEach(async () => {
    dir = await makeTempDir();
    store = await SqliteRunStore.open(path.join(dir, 'state.db'));
    clock = new ManualClock(Date.parse('2025-01-01T00:00:00.000Z'));
    await store.ensureRun(
      {
        dagId: 'd',
        runId: RUN_ID,
        logicalDate: '2025-01-01T00:00:00.000Z',
        runType: 'manual',
        params: {},
        createdAt: '2025-01-01T00:00:00.000Z',
      },
      ['t'],
    );
  });

  afterEach(async () => {
    await store.close();
    await removeDir(dir);
  });

  /** Another process takes the run over once our lease has expired. */
  async function takeOver(): Promise<LeaseInfo> {
    const now = clock.now() + 2 * TTL;
    const result = await store.acquireLease(
      'd',
      RUN_ID,
      {
        owner: 'elsewhere:4321:cafe',
        host: 'elsewhere',
        pid: 4321,
        now: new Date(now).toISOString(),
        expiresAt: new Date(now + TTL).toISOString(),
      },
      () => false,
    );
    expect(result.acquired).to.equal(true);
    return (await store.getRun('d', RUN_ID))!.lease!;
  }

  it('holds the lease at a new epoch, renews and releases it with its fence', async () => {
    const lease = await RunLease.acquire(store, clock, 'd', RUN_ID, TTL);
    try {
      expect(lease.epoch).to.equal(1);
      expect(lease.owner).to.match(new RegExp(`^${os.hostname()}:${process.pid}:[0-9a-f]{8}$`));
      expect(lease.fence).to.deep.equal({ dagId: 'd', runId: RUN_ID, owner: lease.owner, epoch: 1 });
      await store.apply([{ ...change, state: 'scheduled' }], lease.fence);
      clock.advance(5000);
      expect(await lease.renew()).to.equal(true);
      expect((await store.getRun('d', RUN_ID))?.lease).to.deep.include({
        owner: lease.owner,
        heartbeatAt: '2025-01-01T00:00:05.000Z',
        expiresAt: '2025-01-01T00:00:35.000Z',
        epoch: 1,
      });
    } finally {
      await lease.release();
    }
    expect((await store.getRun('d', RUN_ID))?.lease).to.equal(null);
    expect(lease.lost).to.equal(false);

    const next = await RunLease.acquire(store, clock, 'd', RUN_ID, TTL);
    try {
      expect(next.epoch).to.equal(2);
      const error = await rejection(store.apply([{ ...change, state: 'queued' }], lease.fence));
      expect(error).to.be.instanceOf(LeaseLostError);
      expect((await store.listTaskInstances('d', RUN_ID))[0]?.state).to.equal('scheduled');
    } finally {
      await next.release();
    }
  });

  it('turns lost when a renewal finds the run taken over, and tells onLost who holds it', async () => {
    const seen: (LeaseInfo | null)[] = [];
    const lease = await RunLease.acquire(store, clock, 'd', RUN_ID, TTL, { onLost: (h) => seen.push(h) });
    const holder = await takeOver();
    expect(holder.epoch).to.equal(2);

    expect(await lease.renew()).to.equal(false);
    expect(lease.lost).to.equal(true);
    expect(seen).to.deep.equal([holder]);
    expect(await lease.renew()).to.equal(false);
    expect(seen, 'onLost is called once').to.have.length(1);

    const error = await rejection(store.apply([{ ...change, state: 'scheduled' }], lease.fence));
    expect(error).to.be.instanceOf(LeaseLostError);
    expect(error.message).to.equal(
      `lease of run d/${RUN_ID} was lost (epoch 1): now held by process 4321 on elsewhere (epoch 2)`,
    );
    await lease.release();
    expect((await store.getRun('d', RUN_ID))?.lease, 'the new holder keeps the lease').to.deep.equal(holder);
  });

  it('does not count its own release as a loss', async () => {
    const seen: (LeaseInfo | null)[] = [];
    const lease = await RunLease.acquire(store, clock, 'd', RUN_ID, TTL, { onLost: (h) => seen.push(h) });
    await lease.release();
    expect(await lease.renew()).to.equal(false);
    expect(lease.lost).to.equal(false);
    expect(seen).to.deep.equal([]);
  });
});
