import { StateStoreError } from './state-store-error.js';

/** SQLSTATE of the store's own "no such run / task instance" errors, raised by `apply_changes`. */
export const NOT_FOUND_SQLSTATE = 'SPNF0';

/** Socket-level codes that mean the server cannot be reached or the connection broke. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
]);

/** Messages of the driver (it gives them no code) for a connection that broke or never came up. */
const DRIVER_CONNECTION_MESSAGES = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error and is not queryable',
  'Client was closed and is not queryable',
  'Cannot use a pool after calling end on the pool',
];

function fieldsOf(error: unknown): { code: string; message: string } {
  const code = String((error as { code?: unknown } | null)?.code ?? '');
  const message = error instanceof Error ? error.message : String(error);
  return { code, message };
}

/** Whether an error is a PostgreSQL or driver error (the store's own errors and bugs are not). */
export function isDriverError(error: unknown): boolean {
  const { code, message } = fieldsOf(error);
  if (code === NOT_FOUND_SQLSTATE) return false;
  return (
    /^[0-9A-Z]{5}$/.test(code) ||
    NETWORK_CODES.has(code) ||
    DRIVER_CONNECTION_MESSAGES.some((m) => message.startsWith(m)) ||
    message === 'Query read timeout' ||
    (error instanceof AggregateError && error.errors.some(isDriverError))
  );
}

function isConnectionFailure(code: string, message: string): boolean {
  return (
    NETWORK_CODES.has(code) ||
    code.startsWith('08') || // connection_exception
    code === '57P01' || // admin_shutdown: pg_terminate_backend, or a fast shutdown
    code === '57P02' || // crash_shutdown
    code === '57P03' || // cannot_connect_now: starting up or shutting down
    DRIVER_CONNECTION_MESSAGES.some((m) => message.startsWith(m))
  );
}

/**
 * A driver error as a StateStoreError saying what to do. `opening` is true while the store is being opened:
 * then nothing was written and an unreachable server is a configuration problem ('unreachable'); later the
 * same failure is a connection lost in the middle of work ('connection_lost').
 */
export function postgresStoreError(
  target: { readonly display: string; readonly statementTimeoutMs: number },
  error: unknown,
  opening: boolean,
): StateStoreError {
  if (error instanceof StateStoreError) return error;
  // Node reports a refused connection to a name with several addresses (localhost: ::1 and 127.0.0.1) as an
  // AggregateError of one error per address.
  const first = error instanceof AggregateError && error.errors.length > 0 ? error.errors[0] : error;
  const { code, message } = fieldsOf(first);
  const at = `PostgreSQL at ${target.display}`;
  const detail = code ? `${message} (${code})` : message;
  const cause = { cause: error };
  if (code === '28P01' || code === '28000') {
    return new StateStoreError(
      `${at} refused the login: ${detail}; check the user and password in the URL (or PGPASSWORD / ~/.pgpass)`,
      'auth',
      cause,
    );
  }
  if (code === '42501') {
    return new StateStoreError(
      `${at}: ${detail}; grant the user CREATE on the database (or on the schema), or choose a schema it owns with ?schema=`,
      'auth',
      cause,
    );
  }
  if (code === '3D000') {
    return new StateStoreError(
      `${at}: ${detail}; create it (createdb, or CREATE DATABASE) or fix the database name in the URL`,
      'no_database',
      cause,
    );
  }
  if (code === '57014' || code === '55P03' || message === 'Query read timeout') {
    return new StateStoreError(
      `${at}: a statement took longer than statement_timeout (${target.statementTimeoutMs} ms): ${detail}; ` +
        'check the server for long transactions holding locks (pg_stat_activity), or raise ?statement_timeout= ' +
        'in the URL. The batch was not stored: run the command again',
      'timeout',
      cause,
    );
  }
  if (isConnectionFailure(code, message)) {
    if (opening) {
      return new StateStoreError(
        `cannot connect to ${at}: ${detail}; start the server, or fix the host and port in the URL`,
        'unreachable',
        cause,
      );
    }
    return new StateStoreError(
      `lost the connection to ${at}: ${detail}. Each batch of state changes is one transaction, so it is stored ` +
        'whole or not at all; once the server is back, run the same command again to resume',
      'connection_lost',
      cause,
    );
  }
  return new StateStoreError(`${at} failed: ${detail}`, 'io', cause);
}
