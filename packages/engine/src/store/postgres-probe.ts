import { redactUrl } from './postgres-url.js';

/**
 * Why the PostgreSQL server at `url` cannot be used (one line, password redacted), or undefined when a
 * connection and a `SELECT 1` succeed within `timeoutMs`. For suites and benchmarks that skip without one.
 */
export async function postgresUnreachable(url: string, timeoutMs = 3000): Promise<string | undefined> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (error) {
    const first = error instanceof AggregateError ? error.errors[0] : error;
    const why =
      first instanceof Error ? first.message || String((first as { code?: unknown }).code) : String(first);
    return `PostgreSQL not reachable at ${redactUrl(url)} (${why})`;
  } finally {
    await client.end().catch(() => {});
  }
}
