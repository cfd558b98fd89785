import { randomBytes } from 'node:crypto';
import { postgresUnreachable } from '@streampro/engine/internal';
import pg from 'pg';

/**
 * The PostgreSQL server of the test suites: `STREAMPRO_TEST_DATABASE_URL`, default database `test` on
 * 127.0.0.1:5432 (trust auth on the project's machines). Each test gets a schema of its own in it.
 */
export const TEST_DATABASE_URL =
  process.env.STREAMPRO_TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';

let probe: Promise<string | undefined> | undefined;
let toldSkip = false;

/** Why the test server cannot be used (undefined: it can), as one line. Asked once per process. */
export function postgresUnavailable(): Promise<string | undefined> {
  probe ??= postgresUnreachable(TEST_DATABASE_URL);
  return probe;
}

/**
 * For a `before` hook of a PostgreSQL suite: without a reachable server the suite is skipped, and the first
 * skip of the process prints one line saying why; with CI=true an unreachable server fails the run instead.
 */
export async function requirePostgres(context: Mocha.Context): Promise<void> {
  // No timeout of its own: it would also bound the rest of the caller's hook. The probe gives up after 3 s.
  const why = await postgresUnavailable();
  if (why === undefined) return;
  if (process.env.CI === 'true') throw new Error(`${why}, and CI=true requires the PostgreSQL suites`);
  if (!toldSkip) {
    toldSkip = true;
    console.log(
      `${why}: skipping the PostgreSQL suites (set STREAMPRO_TEST_DATABASE_URL or start the server)`,
    );
  }
  context.skip();
}

/** A fresh schema on the test server and the store URL pointing at it; `drop` removes it and everything in it. */
export interface TestSchema {
  readonly name: string;
  readonly url: string;
  drop(): Promise<void>;
}

/** A URL of the test server with `?schema=name`. */
export function schemaUrl(name: string, base = TEST_DATABASE_URL): string {
  const url = new URL(base);
  url.searchParams.set('schema', name);
  return url.toString();
}

/** Runs SQL statements on the test server on a connection of its own. */
export async function adminQuery(sql: string, values: readonly unknown[] = []): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  client.on('error', () => {});
  await client.connect();
  try {
    return await client.query(sql, [...values]);
  } finally {
    await client.end();
  }
}

/**
 * Reserves a new schema name (`sp_test_<random>`) without creating it: the store creates it on open, as it
 * would for a user. `drop` removes it if it exists.
 */
export function testSchema(prefix = 'sp_test'): TestSchema {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  return {
    name,
    url: schemaUrl(name),
    drop: async () => {
      await adminQuery(`DROP SCHEMA IF EXISTS "${name}" CASCADE`);
    },
  };
}
