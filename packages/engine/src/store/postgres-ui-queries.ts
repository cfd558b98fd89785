/**
 * Read-only queries of the web interface on PostgreSQL, kept out of `postgres-store.ts`. Each builds the
 * text of one statement for a store's schema-qualified tables; the store runs it as a prepared statement.
 */

/** The `$1` newest runs of every DAG; DAG ids by code point (COLLATE "C"), as SQLite orders them. */
export function latestRunsSql(runsTable: string, runColumns: string): string {
  return `SELECT ${runColumns} FROM (
      SELECT ${runColumns}, ROW_NUMBER() OVER (PARTITION BY dag_id ORDER BY logical_date DESC) AS ui_rank
      FROM ${runsTable}) r
    WHERE ui_rank <= $1 ORDER BY dag_id COLLATE "C", logical_date DESC`;
}
