import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { SCHEMA_VERSION, SqliteRunStore, StateStoreError } from '@streampro/engine';
import Database from 'better-sqlite3';
import { expect } from 'chai';
import { makeTempDir, rejection, removeDir } from '../support/fixtures.js';
import { runStoreContract } from './run-store.contract.js';

runStoreContract('SqliteRunStore', async () => {
  const dir = await makeTempDir('streampro-sqlite-');
  const store = await SqliteRunStore.open(path.join(dir, 'state.db'));
  return {
    store,
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
});
