import type { PoolConfig } from 'pg';
import { StateStoreError } from './state-store-error.js';

/** What `PostgresRunStore.open` connects to, read from a `postgres://` URL. */
export interface PostgresTarget {
  /** Options of the driver's pool (the URL minus StreamPro's own parameters, plus timeouts). */
  readonly pool: PoolConfig;
  /** Schema holding StreamPro's tables: `?schema=`, default `public`. */
  readonly schema: string;
  /** The URL without its password, for messages. */
  readonly display: string;
  readonly statementTimeoutMs: number;
}

/** Parameters StreamPro reads from the URL itself; every other one is the driver's (sslmode, application_name…). */
const DEFAULTS = {
  /** Longest a statement may run, also waiting for a row lock; ms. */
  statement_timeout: 30_000,
  /** Longest a connection attempt may take; seconds, as libpq's `connect_timeout`. */
  connect_timeout: 10,
  /** Connections of one process. The CLI uses at most three at once (a pass, a heartbeat, a read). */
  pool_max: 4,
} as const;

const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/** Whether a state location is a URL (`scheme://…`) rather than a file path. */
export function isDatabaseUrl(location: string): boolean {
  return /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(location);
}

export function isPostgresUrl(location: string): boolean {
  return /^postgres(ql)?:\/\//i.test(location);
}

/** A URL without its password (also one given as `?password=`), for messages and logs. */
export function redactUrl(location: string): string {
  try {
    const url = new URL(location);
    if (url.password) url.password = '***';
    if (url.searchParams.has('password')) url.searchParams.set('password', '***');
    return url.toString();
  } catch {
    // Not parseable: drop whatever sits between `//` and `@`, which is where credentials would be.
    return location.replace(/\/\/[^@/]*@/, '//***@');
  }
}

/**
 * Reads `postgres://user[:password]@host[:port]/database[?schema=name&statement_timeout=ms&pool_max=n&
 * connect_timeout=s]`; a malformed URL, another scheme, an invalid schema name or a bad number is a
 * StateStoreError 'bad_url' naming the part at fault.
 */
export function parsePostgresUrl(location: string): PostgresTarget {
  const shown = redactUrl(location);
  const bad = (what: string): never => {
    throw new StateStoreError(
      `state database URL ${shown} ${what}; expected postgres://user@host:5432/database[?schema=name]`,
      'bad_url',
    );
  };
  let url: URL;
  try {
    url = new URL(location);
  } catch {
    return bad('is not a valid URL');
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    return bad(`has scheme ${url.protocol.replace(/:$/, '')}, not postgres`);
  }
  if (url.hash) bad('has a #fragment');
  const schema = url.searchParams.get('schema') ?? 'public';
  if (!SCHEMA_NAME.test(schema) || schema.toLowerCase().startsWith('pg_')) {
    bad(
      `has schema ${JSON.stringify(schema)}: a schema name is 1-63 letters, digits or _, not starting with a digit or pg_`,
    );
  }
  const int = (name: keyof typeof DEFAULTS, min: number): number => {
    const raw = url.searchParams.get(name);
    if (raw === null) return DEFAULTS[name];
    const n = Number(raw);
    if (raw.trim() === '' || !Number.isInteger(n) || n < min) {
      bad(`has ${name}=${raw}: expected a whole number of at least ${min}`);
    }
    return n;
  };
  const statementTimeoutMs = int('statement_timeout', 1);
  const connectTimeoutS = int('connect_timeout', 1);
  const max = int('pool_max', 1);
  const driverUrl = new URL(url);
  for (const name of ['schema', ...Object.keys(DEFAULTS)]) driverUrl.searchParams.delete(name);
  return {
    schema,
    display: shown,
    statementTimeoutMs,
    pool: {
      connectionString: driverUrl.toString(),
      max,
      connectionTimeoutMillis: connectTimeoutS * 1000,
      statement_timeout: statementTimeoutMs,
      // A network that drops packets silently never ends a statement server-side: give up client-side too.
      query_timeout: statementTimeoutMs + 10_000,
      // A process paused inside a transaction (SIGSTOP) must not hold a run's row lock for ever.
      idle_in_transaction_session_timeout: Math.max(statementTimeoutMs, 30_000),
      application_name: url.searchParams.get('application_name') ?? 'streampro',
      keepAlive: true,
      // Idle connections never keep a process alive that forgot to close the store.
      allowExitOnIdle: true,
    },
  };
}

/** A name as an SQL identifier (schema names are validated by parsePostgresUrl; quoting keeps their case). */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
