import type pg from 'pg';
import { POSTGRES_MIGRATIONS, POSTGRES_SCHEMA_VERSION } from './postgres-migrations.js';
import { withClient } from './postgres-pool.js';
import { type PostgresTarget, quoteIdent } from './postgres-url.js';
import { StateStoreError } from './state-store-error.js';

/**
 * Brings the target's schema to POSTGRES_SCHEMA_VERSION; returns how many steps this call applied. Safe when
 * several processes open a new schema at once: the steps run in one transaction holding an advisory lock
 * keyed by the schema name, and the version is read again once the lock is held, so the second process finds
 * the work done. A schema of a newer StreamPro is refused before anything is written.
 */
export async function migratePostgres(pool: pg.Pool, target: PostgresTarget): Promise<number> {
  return withClient(pool, async (client) => {
    // Fast path, no lock: every process after the first finds the schema current.
    if (checkVersion(target, await schemaVersion(client, target.schema)) === POSTGRES_SCHEMA_VERSION)
      return 0;
    await client.query('BEGIN');
    try {
      await client.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [
        `streampro.migrate:${target.schema}`,
      ]);
      const version = checkVersion(target, await schemaVersion(client, target.schema));
      const s = quoteIdent(target.schema);
      // CREATE SCHEMA needs CREATE on the database even when the schema exists: only ask when it is missing.
      const exists = await client.query(
        'SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = $1) AS exists',
        [target.schema],
      );
      if (!exists.rows[0]?.exists) await client.query(`CREATE SCHEMA ${s}`);
      await client.query(
        `CREATE TABLE IF NOT EXISTS ${s}.streampro_migrations (
           version integer PRIMARY KEY,
           applied_at timestamptz NOT NULL DEFAULT now())`,
      );
      for (let v = version; v < POSTGRES_SCHEMA_VERSION; v++) {
        await client.query(POSTGRES_MIGRATIONS[v]!(s));
        await client.query(`INSERT INTO ${s}.streampro_migrations (version) VALUES ($1)`, [v + 1]);
      }
      await client.query('COMMIT');
      return POSTGRES_SCHEMA_VERSION - version;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    }
  });
}

/**
 * The schema's version: the last migration recorded, 0 when the schema or its table does not exist. The
 * catalog is read with a query, not `to_regclass`: that one may answer from a "not found" the connection
 * cached before another process created the table.
 */
async function schemaVersion(client: pg.PoolClient, schema: string): Promise<number> {
  const found = await client.query(
    `SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_tables
       WHERE schemaname = $1 AND tablename = 'streampro_migrations') AS found`,
    [schema],
  );
  if (!found.rows[0]?.found) return 0;
  const { rows } = await client.query(
    `SELECT coalesce(max(version), 0)::integer AS version FROM ${quoteIdent(schema)}.streampro_migrations`,
  );
  return Number(rows[0]?.version ?? 0);
}

function checkVersion(target: PostgresTarget, version: number): number {
  if (version > POSTGRES_SCHEMA_VERSION) {
    throw new StateStoreError(
      `state database ${target.display} (schema ${target.schema}) has schema version ${version}, newer than ` +
        `this StreamPro understands (${POSTGRES_SCHEMA_VERSION}); upgrade StreamPro or point ` +
        'STREAMPRO_DATABASE_URL at another schema (?schema=)',
      'newer_schema',
    );
  }
  return version;
}
