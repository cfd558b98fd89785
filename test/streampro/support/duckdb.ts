import { type DuckDBConnection, DuckDBInstance, type Json } from '@duckdb/node-api';

export type Row = Record<string, Json>;

/** Runs `fn` on a fresh in-memory DuckDB (no extension downloads), closed afterwards. */
export async function withDuckDB<T>(fn: (query: (sql: string) => Promise<Row[]>) => Promise<T>): Promise<T> {
  const instance = await DuckDBInstance.create(':memory:', { autoinstall_known_extensions: 'false' });
  let connection: DuckDBConnection | undefined;
  try {
    connection = await instance.connect();
    const conn = connection;
    return await fn(async (sql) => (await conn.runAndReadAll(sql)).getRowObjectsJson());
  } finally {
    connection?.closeSync();
    instance.closeSync();
  }
}

/** A SQL string literal (file paths of temp folders). */
export function literal(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/** Row count and distinct-key count of a Parquet file. */
export async function keyCounts(file: string, key: string): Promise<{ rows: number; keys: number }> {
  const [row] = await withDuckDB((query) =>
    query(`SELECT count(*) AS rows, count(DISTINCT "${key}") AS keys FROM read_parquet(${literal(file)})`),
  );
  return { rows: Number(row?.rows), keys: Number(row?.keys) };
}

/** Every row of a Parquet file, in a stable order, as JSON values. */
export function parquetRows(file: string, orderBy: string): Promise<Row[]> {
  return withDuckDB((query) => query(`SELECT * FROM read_parquet(${literal(file)}) ORDER BY "${orderBy}"`));
}
