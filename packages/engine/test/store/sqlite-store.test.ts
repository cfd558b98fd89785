import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { LeaseLostError, SCHEMA_VERSION, SqliteRunStore, StateStoreError } from '@streampro/engine';
import { MIGRATIONS } from '@streampro/engine/internal';
import Database from 'better-sqlite3';
import { expect } from 'chai';
import { makeTempDir, rejection, removeDir } from '../support/fixtures.js';
import { runStoreContract } from './run-store.contract.js';
import { claim, never, newRun, T0 } from './store-fixtures.js';

runStoreContract('SqliteRunStore', async () => {
  const dir = await makeTempDir('streampro-sqlite-');
  const store = await SqliteRunStore.open(path.join(dir, 'state.db'));
  return {
    store,
    connect: () => SqliteRunStore.open(path.join(dir, 'state.db')),
    cleanup: async () => {
      await store.close();
      await removeDir(dir);
    },
  };
});

describe('SqliteRunStore', () => {
  let dir: string;
  let file: string;

  beforeEach(async () => {
    dir = await makeTempDir('streampro-sqlite-');
    file = path.join(dir, 'state.db');
  });

  afterEach(async () => {
    await removeDir(dir);
  });

  it('lets several processes open a new database file at the same moment', async () => {
    // Each child waits for a common start time, then opens (and so migrates) the same fresh file.
    const startAt = Date.now() + 700;
    const script = `import { SqliteRunStore } from '@streampro/engine';
      while (Date.now() < ${startAt}) {}
      const store = await SqliteRunStore.open(${JSON.stringify(file)});
      await store.close();`;
    const codes = await Promise.all(
      Array.from(
        { length: 6 },
        () =>
          new Promise<number | null>((resolve) => {
            const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: 'ignore' });
            child.on('exit', (code) => resolve(code));
          }),
      ),
    );
    expect(codes).to.deep.equal([0, 0, 0, 0, 0, 0]);
    const db = new Database(file, { readonly: true });
    expect(db.pragma('user_version', { simple: true })).to.equal(SCHEMA_VERSION);
    db.close();
  });

  it('keeps runs, task instances and tries across close and reopen', async () => {
    const first = await SqliteRunStore.open(file);
    await first.ensureRun(
      {
        dagId: 'd',
        runId: 'manual__2025-01-01',
        logicalDate: '2025-01-01T00:00:00.000Z',
        runType: 'manual',
        params: { n: 1 },
        createdAt: '2025-01-01T00:00:00.000Z',
      },
      ['a'],
    );
    await first.apply([
      {
        kind: 'task',
        dagId: 'd',
        runId: 'manual__2025-01-01',
        taskId: 'a',
        state: 'success',
        output: { x: 1 },
      },
      { kind: 'run', dagId: 'd', runId: 'manual__2025-01-01', state: 'success' },
    ]);
    await first.close();

    const second = await SqliteRunStore.open(file);
    try {
      expect((await second.getRun('d', 'manual__2025-01-01'))?.state).to.equal('success');
      expect((await second.getRun('d', 'manual__2025-01-01'))?.params).to.deep.equal({ n: 1 });
      const [ti] = await second.listTaskInstances('d', 'manual__2025-01-01');
      expect(ti).to.deep.include({ taskId: 'a', state: 'success', output: { x: 1 } });
    } finally {
      await second.close();
    }
  });

  it('creates the folder of the database file', async () => {
    const nested = path.join(dir, 'a', 'b', 'state.db');
    const store = await SqliteRunStore.open(nested);
    await store.close();
    expect(store.file).to.equal(nested);
  });

  it('refuses a file that is not a SQLite database with StateStoreError "corrupt"', async () => {
    await writeFile(file, Buffer.alloc(8192, 0x5a));
    const error = await rejection(SqliteRunStore.open(file));
    expect(error).to.be.instanceOf(StateStoreError);
    expect(error).to.have.property('reason', 'corrupt');
    const prefix = `state database ${file} is corrupt or not a StreamPro database (`;
    expect(error.message.startsWith(prefix), error.message).to.equal(true);
    expect(error.message).to.match(/\(file is not a database\); move it aside to start fresh$/);
  });

  it('refuses an empty (0-byte) state file as corrupt instead of starting a new database in it', async () => {
    await writeFile(file, '');
    // Older than a file another process is creating this instant.
    const past = new Date(Date.now() - 60_000);
    (await import('node:fs')).utimesSync(file, past, past);
    const error = await rejection(SqliteRunStore.open(file));
    expect(error).to.be.instanceOf(StateStoreError);
    expect(error).to.have.property('reason', 'corrupt');
    expect(error.message).to.equal(
      `state database ${file} is corrupt or not a StreamPro database (it is empty: 0 bytes); move it aside to start fresh`,
    );
    expect((await import('node:fs')).statSync(file).size).to.equal(0);
  });

  it('refuses a database from a newer StreamPro with StateStoreError "newer_schema"', async () => {
    const db = new Database(file);
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    const error = await rejection(SqliteRunStore.open(file));
    expect(error).to.be.instanceOf(StateStoreError);
    expect(error).to.have.property('reason', 'newer_schema');
    expect(error.message).to.equal(
      `state database ${file} has schema version ${SCHEMA_VERSION + 1}, newer than this StreamPro understands ` +
        `(${SCHEMA_VERSION}); upgrade StreamPro or point STREAMPRO_HOME elsewhere`,
    );
  });

  it('migrates a new file to SCHEMA_VERSION', async () => {
    const store = await SqliteRunStore.open(file);
    await store.close();
    const db = new Database(file, { readonly: true });
    try {
      expect(db.pragma('user_version', { simple: true })).to.equal(SCHEMA_VERSION);
    } finally {
      db.close();
    }
  });

  it('rejects the fenced writes of a connection whose lease another connection took over', async () => {
    // Two stores on one file are two connections, as two processes would have.
    const paused = await SqliteRunStore.open(file);
    const taker = await SqliteRunStore.open(file);
    try {
      const run = newRun('d', '2025-01-01');
      await paused.ensureRun(run, ['a']);
      const first = await paused.acquireLease(
        'd',
        run.runId,
        claim('one', T0, '2025-01-01T00:00:30.000Z'),
        never,
      );
      expect(first).to.deep.include({ acquired: true, epoch: 1 });
      // `paused` sleeps past its expiry (SIGSTOP); `taker` finds the lease expired and takes the run.
      const second = await taker.acquireLease(
        'd',
        run.runId,
        claim('two', '2025-01-01T00:01:00.000Z', '2025-01-01T00:01:30.000Z', 7777),
        never,
      );
      expect(second).to.deep.include({ acquired: true, epoch: 2 });
      const stale = { dagId: 'd', runId: run.runId, owner: 'one', epoch: 1 };
      const change = { kind: 'task', dagId: 'd', runId: run.runId, taskId: 'a' } as const;

      const error = await rejection(paused.apply([{ ...change, state: 'scheduled' }], stale));

      expect(error).to.be.instanceOf(LeaseLostError);
      expect(error.message).to.equal(
        `lease of run d/${run.runId} was lost (epoch 1): now held by process 7777 on host-a (epoch 2)`,
      );
      expect(await paused.renewLease(stale, '2025-01-01T00:01:01.000Z', '2025-01-01T00:02:00.000Z')).to.equal(
        false,
      );
      await taker.apply([{ ...change, state: 'queued', tryNumber: 1 }], { ...stale, owner: 'two', epoch: 2 });
      const [ti] = await paused.listTaskInstances('d', run.runId);
      expect(ti).to.deep.include({ state: 'queued', tryNumber: 1 });
    } finally {
      await paused.close();
      await taker.close();
    }
  });

  it('migrates a schema 1 database: leases held there get epoch 0, the next acquisition epoch 1', async () => {
    const db = new Database(file);
    db.exec(MIGRATIONS[0]!);
    db.pragma('user_version = 1');
    db.prepare(
      `INSERT INTO dag_runs (dag_id, run_id, logical_date, run_type, state, params, created_at, started_at,
        lease_owner, lease_host, lease_pid, lease_heartbeat_at, lease_expires_at)
       VALUES ('d', 'manual__2025-01-01', '2025-01-01T00:00:00.000Z', 'manual', 'running', '{}', ?, ?,
        'old', 'host-a', 1234, ?, ?)`,
    ).run(T0, T0, T0, '2025-01-01T00:00:30.000Z');
    db.prepare(
      `INSERT INTO task_instances (dag_id, run_id, task_id, state, try_number, max_tries)
       VALUES ('d', 'manual__2025-01-01', 'a', 'running', 1, 1)`,
    ).run();
    db.close();

    const store = await SqliteRunStore.open(file);
    try {
      expect((await store.getRun('d', 'manual__2025-01-01'))?.lease).to.deep.equal({
        owner: 'old',
        host: 'host-a',
        pid: 1234,
        heartbeatAt: T0,
        expiresAt: '2025-01-01T00:00:30.000Z',
        epoch: 0,
      });
      expect((await store.listTaskInstances('d', 'manual__2025-01-01'))[0]).to.deep.include({
        state: 'running',
      });
      const result = await store.acquireLease(
        'd',
        'manual__2025-01-01',
        claim('new', '2025-01-01T00:01:00.000Z', '2025-01-01T00:01:30.000Z'),
        never,
      );
      expect(result).to.deep.include({ acquired: true, epoch: 1 });
      expect(result).to.have.nested.property('tookOverFrom.epoch', 0);
    } finally {
      await store.close();
    }
    const after = new Database(file, { readonly: true });
    try {
      expect(after.pragma('user_version', { simple: true })).to.equal(SCHEMA_VERSION);
    } finally {
      after.close();
    }
  });
});
