import { PostgresRunStore } from './postgres-store.js';
import { isDatabaseUrl, isPostgresUrl, redactUrl } from './postgres-url.js';
import type { RunStore } from './run-store.js';
import { SqliteRunStore } from './sqlite-store.js';
import { StateStoreError } from './state-store-error.js';

/**
 * Opens the state store a location names: a `postgres://` (or `postgresql://`) URL opens a PostgreSQL store,
 * anything else is the path of a SQLite file (the embedded default). A URL of another scheme is a
 * StateStoreError 'bad_url'. The only place that chooses an implementation: callers see a RunStore.
 */
export async function openRunStore(location: string): Promise<RunStore> {
  if (isPostgresUrl(location)) return PostgresRunStore.open(location);
  if (isDatabaseUrl(location)) {
    throw new StateStoreError(
      `state database URL ${redactUrl(location)} is not supported: give a postgres://user@host:5432/database ` +
        'URL, or leave it unset for the SQLite file in STREAMPRO_HOME',
      'bad_url',
    );
  }
  return SqliteRunStore.open(location);
}
