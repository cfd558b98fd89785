import type pg from 'pg';
import { isDriverError } from './postgres-errors.js';
import type { PostgresTarget } from './postgres-url.js';

/** The driver's pool for a target; the driver loads on first use, so SQLite-only commands never load it. */
export async function createPool(target: PostgresTarget): Promise<pg.Pool> {
  const { default: driver } = await import('pg');
  const pool = new driver.Pool(target.pool);
  // An idle connection the server ends (restart, pg_terminate_backend) is dropped from the pool and the
  // next query opens a new one; without a listener the error would end the process.
  pool.on('error', () => {});
  return pool;
}

/** The connection broke between two statements: the next statement fails with the reason, not the process. */
const ignoreBetweenStatements = (): void => {};

/**
 * Runs `body` on one connection of the pool (for transactions: several statements on one connection). A
 * connection that failed is closed rather than returned to the pool.
 */
export async function withClient<T>(pool: pg.Pool, body: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  // The pool listens for errors of idle connections only; one checked out has no listener otherwise.
  client.on('error', ignoreBetweenStatements);
  let broken: Error | undefined;
  try {
    return await body(client);
  } catch (error) {
    if (isDriverError(error)) broken = error as Error;
    throw error;
  } finally {
    client.removeListener('error', ignoreBetweenStatements);
    client.release(broken);
  }
}
