import type Database from 'better-sqlite3';

/**
 * Read-only queries of the web interface on SQLite, kept out of `sqlite-store.ts`: each takes the open
 * database and returns raw rows that the store turns into records.
 */

type Row = Record<string, unknown>;

/** The `perDag` newest runs of every DAG (window function: one scan of the `(dag_id, logical_date)` index). */
const LATEST_RUNS = `SELECT * FROM (
    SELECT *, ROW_NUMBER() OVER (PARTITION BY dag_id ORDER BY logical_date DESC) AS ui_rank FROM dag_runs)
  WHERE ui_rank <= ? ORDER BY dag_id, logical_date DESC`;

export function latestRunRows(db: Database.Database, perDag: number): Row[] {
  return db.prepare(LATEST_RUNS).all(Math.max(0, Math.floor(perDag))) as Row[];
}
