import { spawn } from 'node:child_process';
import net from 'node:net';
import {
  LeaseLostError,
  openRunStore,
  POSTGRES_SCHEMA_VERSION,
  PostgresRunStore,
  StateStoreError,
} from '@streampro/engine';
import { expect } from 'chai';
import pg from 'pg';
import { rejection } from '../support/fixtures.js';
import {
  adminQuery,
  requirePostgres,
  TEST_DATABASE_URL,
  type TestSchema,
  testSchema,
} from '../support/postgres.js';
import { runStoreContract } from './run-store.contract.js';
import { claim, never, newRun, T0, tryRecord } from './store-fixtures.js';

const RUN = 'manual__2025-01-01';
const EXPIRY = '2025-01-01T00:00:30.000Z';

describe('PostgreSQL store', () => {
  before(async function () {
    await requirePostgres(this);
  });

  // Each test in a schema of its own, created by the store as it would be for a user, dropped after.
  runStoreContract('PostgresRunStore', async () => {
    const schema = testSchema();
    const store = await PostgresRunStore.open(schema.url);
    return {
      store,
      connect: () => PostgresRunStore.open(schema.url),
      cleanup: async () => {
        await store.close();
        await schema.drop();
      },
    };
  });

  describe('PostgresRunStore', () => {
    let schema: TestSchema;
    const opened: PostgresRunStore[] = [];
    // Connections of the test's stores carry the schema as application_name, so a test can end them.
    const open = async (url = schema.url): Promise<PostgresRunStore> => {
      const store = await PostgresRunStore.open(`${url}&application_name=${schema.name}`);
      opened.push(store);
      return store;
    };

    beforeEach(() => {
      schema = testSchema();
    });

    afterEach(async () => {
      for (const s of opened.splice(0)) await s.close();
      await schema.drop();
    });

    async function versions(): Promise<number[]> {
      const { rows } = await adminQuery(
        `SELECT version FROM "${schema.name}".streampro_migrations ORDER BY version`,
      );
      return rows.map((r) => Number(r.version));
    }

    it('creates the schema and migrates it on first open; a second open migrates nothing', async () => {
      const first = await open();
      expect(first.migrated).to.equal(POSTGRES_SCHEMA_VERSION);
      expect(first.schema).to.equal(schema.name);
      expect(await versions()).to.deep.equal(
        Array.from({ length: POSTGRES_SCHEMA_VERSION }, (_, i) => i + 1),
      );
      expect((await open()).migrated).to.equal(0);
    });

    it('lets several processes open a new schema at the same moment: exactly one migrates it', async () => {
      // Each child waits for a common start time, then opens (and so migrates) the same new schema.
      const startAt = Date.now() + 1500;
      const script = `import { PostgresRunStore } from '@streampro/engine';
        while (Date.now() < ${startAt}) {}
        const store = await PostgresRunStore.open(${JSON.stringify(schema.url)});
        process.stdout.write(String(store.migrated));
        await store.close();`;
      const children = await Promise.all(
        Array.from(
          { length: 4 },
          () =>
            new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
              const child = spawn(process.execPath, ['--input-type=module', '-e', script]);
              let out = '';
              let err = '';
              child.stdout.on('data', (d: Buffer) => {
                out += d.toString();
              });
              child.stderr.on('data', (d: Buffer) => {
                err += d.toString();
              });
              child.on('exit', (code) => resolve({ code, out, err }));
            }),
        ),
      );
      expect(
        children.map((c) => c.code),
        children.map((c) => c.err).join('\n'),
      ).to.deep.equal([0, 0, 0, 0]);
      const migrated = children.map((c) => Number(c.out)).sort();
      expect(migrated).to.deep.equal([0, 0, 0, POSTGRES_SCHEMA_VERSION]);
      expect(await versions()).to.have.length(POSTGRES_SCHEMA_VERSION);
    });

    it('refuses a schema from a newer StreamPro with StateStoreError "newer_schema"', async () => {
      await (await open()).close();
      await adminQuery(`INSERT INTO "${schema.name}".streampro_migrations (version) VALUES ($1)`, [
        POSTGRES_SCHEMA_VERSION + 1,
      ]);
      const error = await rejection(PostgresRunStore.open(schema.url));
      expect(error).to.be.instanceOf(StateStoreError);
      expect(error).to.have.property('reason', 'newer_schema');
      expect(error.message).to.equal(
        `state database ${schema.url} (schema ${schema.name}) has schema version ${POSTGRES_SCHEMA_VERSION + 1}, ` +
          `newer than this StreamPro understands (${POSTGRES_SCHEMA_VERSION}); upgrade StreamPro or point ` +
          'STREAMPRO_DATABASE_URL at another schema (?schema=)',
      );
    });

    it('creates one run when two stores (two processes) ensure the same run at once; none of them fails', async () => {
      const a = await open();
      const b = await open();
      const results = await Promise.all(
        Array.from({ length: 8 }, (_, i) => (i % 2 ? a : b).ensureRun(newRun('d', '2025-01-01'), ['x', 'y'])),
      );
      expect(results.filter((r) => r.created)).to.have.length(1);
      expect(new Set(results.map((r) => r.run.runId))).to.deep.equal(new Set(['manual__2025-01-01']));
      expect((await a.listTaskInstances('d', 'manual__2025-01-01')).map((t) => t.taskId)).to.deep.equal([
        'x',
        'y',
      ]);
    });

    it('keeps installations in different schemas of one database apart', async () => {
      const other = testSchema();
      try {
        const a = await open();
        const b = await open(other.url);
        await a.ensureRun(newRun('d', '2025-01-01'), ['a']);
        expect(await b.listRuns(undefined)).to.deep.equal([]);
        expect(await a.listRuns(undefined)).to.have.length(1);
      } finally {
        for (const s of opened.splice(0)) await s.close();
        await other.drop();
      }
    });

    it('stores instants as timestamptz and outputs as json that SQL can query', async () => {
      const store = await open();
      await store.ensureRun(newRun('d', '2025-01-01'), ['a']);
      const output = { rows: 3, files: ['x.parquet'], nested: { b: 1, a: 2 } };
      await store.apply([{ kind: 'task', dagId: 'd', runId: RUN, taskId: 'a', state: 'success', output }]);
      const { rows } = await adminQuery(
        `SELECT output->>'rows' AS n, output::text AS text, pg_typeof(r.logical_date)::text AS type
         FROM "${schema.name}".task_instances t JOIN "${schema.name}".dag_runs r USING (dag_id, run_id)`,
      );
      // The JSON text as written (key order kept), so `dag status --json` prints what SQLite would.
      expect(rows).to.deep.equal([
        { n: '3', text: JSON.stringify(output), type: 'timestamp with time zone' },
      ]);
    });

    it('stores an error text with a NUL character (PostgreSQL text cannot) with U+FFFD in its place', async () => {
      const store = await open();
      await store.ensureRun(newRun('d', '2025-01-01'), ['a']);
      await store.apply([
        { kind: 'try-start', record: tryRecord('a', 1) },
        {
          kind: 'try-end',
          dagId: 'd',
          runId: RUN,
          taskId: 'a',
          tryNumber: 1,
          state: 'failed',
          endedAt: T0,
          durationMs: 1,
          errorName: 'Error',
          errorMessage: 'bad\u0000byte',
          errorStack: null,
        },
      ]);
      expect((await store.listTries('d', RUN))[0]?.errorMessage).to.equal('bad\uFFFDbyte');
    });

    describe('errors', () => {
      it('rejects a malformed URL, another scheme and a bad schema name with StateStoreError "bad_url"', async () => {
        const cases: [string, string][] = [
          [
            'postgres://u:secret@[nope/db',
            'state database URL postgres://***@[nope/db is not a valid URL; expected postgres://user@host:5432/database[?schema=name]',
          ],
          [
            'postgres://127.0.0.1/test?schema=1st',
            'state database URL postgres://127.0.0.1/test?schema=1st has schema "1st": a schema name is 1-63 letters, ' +
              'digits or _, not starting with a digit or pg_; expected postgres://user@host:5432/database[?schema=name]',
          ],
          [
            'postgres://127.0.0.1/test?statement_timeout=soon',
            'state database URL postgres://127.0.0.1/test?statement_timeout=soon has statement_timeout=soon: expected ' +
              'a whole number of at least 1; expected postgres://user@host:5432/database[?schema=name]',
          ],
          [
            'mysql://u:secret@db.example/streampro',
            'state database URL mysql://u:***@db.example/streampro is not supported: give a ' +
              'postgres://user@host:5432/database URL, or leave it unset for the SQLite file in STREAMPRO_HOME',
          ],
        ];
        for (const [url, message] of cases) {
          const error = await rejection(openRunStore(url));
          expect(error, url).to.be.instanceOf(StateStoreError);
          expect(error, url).to.have.property('reason', 'bad_url');
          expect(error.message).to.equal(message);
        }
      });

      it('reports a refused connection as "unreachable", without the password', async () => {
        const port = await closedPort();
        const url = `postgres://postgres:hunter2@127.0.0.1:${port}/test`;
        const error = await rejection(PostgresRunStore.open(url));
        expect(error).to.be.instanceOf(StateStoreError);
        expect(error).to.have.property('reason', 'unreachable');
        expect(error.message).to.match(
          new RegExp(
            `^cannot connect to PostgreSQL at postgres://postgres:\\*\\*\\*@127\\.0\\.0\\.1:${port}/test: ` +
              `connect ECONNREFUSED 127\\.0\\.0\\.1:${port} \\(ECONNREFUSED\\); start the server, or fix the host ` +
              'and port in the URL$',
          ),
        );
        expect(error.message).to.not.contain('hunter2');
      });

      it('reports a refused login as "auth" and a missing database as "no_database"', async () => {
        const base = new URL(schema.url);
        const login = new URL(base);
        login.username = 'sp_no_such_role';
        const auth = await rejection(PostgresRunStore.open(login.toString()));
        expect(auth).to.be.instanceOf(StateStoreError);
        expect(auth).to.have.property('reason', 'auth');
        expect(auth.message).to.equal(
          `PostgreSQL at ${login} refused the login: role "sp_no_such_role" does not exist (28000); check the ` +
            'user and password in the URL (or PGPASSWORD / ~/.pgpass)',
        );

        const database = new URL(base);
        database.pathname = '/sp_no_such_database';
        const missing = await rejection(PostgresRunStore.open(database.toString()));
        expect(missing).to.be.instanceOf(StateStoreError);
        expect(missing).to.have.property('reason', 'no_database');
        expect(missing.message).to.equal(
          `PostgreSQL at ${database}: database "sp_no_such_database" does not exist (3D000); create it ` +
            '(createdb, or CREATE DATABASE) or fix the database name in the URL',
        );
      });

      it('ends a statement that waits longer than ?statement_timeout= with "timeout", writing nothing', async () => {
        const store = await open(`${schema.url}&statement_timeout=300`);
        await store.ensureRun(newRun('d', '2025-01-01'), ['a']);
        const lease = await store.acquireLease('d', RUN, claim('one', T0, EXPIRY), never);
        expect(lease.acquired).to.equal(true);
        // Another session holds the run's row lock (a long transaction elsewhere).
        const holder = await lockRun(schema.name);
        try {
          const started = Date.now();
          const error = await rejection(
            store.apply([{ kind: 'task', dagId: 'd', runId: RUN, taskId: 'a', state: 'scheduled' }], {
              dagId: 'd',
              runId: RUN,
              owner: 'one',
              epoch: 1,
            }),
          );
          expect(Date.now() - started).to.be.within(250, 5000);
          expect(error).to.be.instanceOf(StateStoreError);
          expect(error).to.have.property('reason', 'timeout');
          expect(error.message).to.match(
            /: a statement took longer than statement_timeout \(300 ms\): canceling statement due to statement timeout \(57014\); check the server for long transactions holding locks \(pg_stat_activity\), or raise \?statement_timeout= in the URL\. The batch was not stored: run the command again$/,
          );
        } finally {
          await holder.release();
        }
        expect((await store.listTaskInstances('d', RUN))[0]?.state).to.equal('none');
      });

      it('reconnects after the server ended its idle connections (pg_terminate_backend)', async () => {
        const store = await open();
        await store.ensureRun(newRun('d', '2025-01-01'), ['a']);
        expect(await terminateBackends(schema.name)).to.be.greaterThan(0);
        await store.apply([{ kind: 'task', dagId: 'd', runId: RUN, taskId: 'a', state: 'scheduled' }]);
        expect((await store.listTaskInstances('d', RUN))[0]?.state).to.equal('scheduled');
      });

      it('fails a batch whose connection is terminated mid-statement with "connection_lost", writing none of it', async () => {
        const store = await open();
        await store.ensureRun(newRun('d', '2025-01-01'), ['a']);
        await store.acquireLease('d', RUN, claim('one', T0, EXPIRY), never);
        const holder = await lockRun(schema.name);
        const batch = rejection(
          store.apply(
            [
              { kind: 'task', dagId: 'd', runId: RUN, taskId: 'a', state: 'scheduled' },
              { kind: 'try-start', record: tryRecord('a', 1) },
            ],
            { dagId: 'd', runId: RUN, owner: 'one', epoch: 1 },
          ),
        );
        try {
          // The batch waits for the row lock; the server goes away under it.
          await waitUntil(async () => (await backendsWaiting(schema.name)) > 0);
          await terminateBackends(schema.name);
          const error = await batch;
          expect(error).to.be.instanceOf(StateStoreError);
          expect(error).to.have.property('reason', 'connection_lost');
          expect(error.message).to.match(
            /^lost the connection to PostgreSQL at postgres:\/\/.*: terminating connection due to administrator command \(57P01\)\. Each batch of state changes is one transaction, so it is stored whole or not at all; once the server is back, run the same command again to resume$/,
          );
        } finally {
          await holder.release();
        }
        expect((await store.listTaskInstances('d', RUN))[0]?.state).to.equal('none');
        expect(await store.listTries('d', RUN)).to.deep.equal([]);
        // The store carries on with a new connection; the lease (epoch 1) is still ours.
        await store.apply([{ kind: 'task', dagId: 'd', runId: RUN, taskId: 'a', state: 'scheduled' }], {
          dagId: 'd',
          runId: RUN,
          owner: 'one',
          epoch: 1,
        });
        const stale = await rejection(
          store.apply([{ kind: 'task', dagId: 'd', runId: RUN, taskId: 'a', state: 'queued' }], {
            dagId: 'd',
            runId: RUN,
            owner: 'one',
            epoch: 0,
          }),
        );
        expect(stale).to.be.instanceOf(LeaseLostError);
      });
    });
  });
});

/** A port on 127.0.0.1 where nothing listens (it listened a moment ago). */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Another session holding the row lock of run d/RUN of a schema until `release`. */
async function lockRun(schemaName: string): Promise<{ release(): Promise<void> }> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  client.on('error', () => {});
  await client.connect();
  await client.query('SET application_name = $$sp_test_lock_holder$$');
  await client.query('BEGIN');
  await client.query(`SELECT 1 FROM "${schemaName}".dag_runs WHERE run_id = $1 FOR UPDATE`, [RUN]);
  return {
    release: async () => {
      await client.query('ROLLBACK').catch(() => {});
      await client.end().catch(() => {});
    },
  };
}

/** Ends every connection of the test's stores (application_name = the schema); returns how many. */
async function terminateBackends(schemaName: string): Promise<number> {
  const { rows } = await adminQuery(
    `SELECT count(pg_terminate_backend(pid))::integer AS n FROM pg_stat_activity WHERE application_name = $1`,
    [schemaName],
  );
  return Number(rows[0]?.n ?? 0);
}

async function backendsWaiting(schemaName: string): Promise<number> {
  const { rows } = await adminQuery(
    `SELECT count(*)::integer AS n FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'`,
    [schemaName],
  );
  return Number(rows[0]?.n ?? 0);
}

async function waitUntil(check: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
