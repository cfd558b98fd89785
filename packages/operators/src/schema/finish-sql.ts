import { pathLiteral, quoteIdent, quoteLiteral } from '../duckdb/sql.js';
import { BLANK, DUCKDB_TYPES, DUPLICATE } from './staging-sql.js';
import type { TableSchema } from './types.js';

/**
 * Statements run on the staged table after `stagingSql`. `firstRow` is the number of lines before
 * the first data line (1 for a CSV header), so the header is never counted; `__line` is the 1-based
 * line number of each staged row.
 */

/**
 * Marks every valid row whose key already appeared on an earlier line: a `duplicate` (dropped and counted)
 * when its values are those of the first row, else `conflicting_duplicate:<key>` (quarantined: two rows
 * that claim one identity but disagree are not the same row; its quarantine record names the first line in
 * `detail`, its text is in raw/ at its line). Only keys that occur more than once are
 * collected, so the common no-duplicate case touches no rows, and row order is left as is.
 */
export function dedupSql(
  table: string,
  key: readonly string[],
  firstRow: number,
  columns: readonly string[],
): string {
  const t = quoteIdent(table);
  const cols = key.map(quoteIdent);
  const compared = columns.map(quoteIdent);
  const same =
    compared.length > 0 ? compared.map((c) => `${t}.${c} IS NOT DISTINCT FROM f.${c}`).join(' AND ') : 'TRUE';
  const conflict = quoteLiteral(`conflicting_duplicate:${key.join('+')}`);
  return `CREATE OR REPLACE TEMP TABLE __dupkeys AS
  SELECT ${cols.join(', ')}, min(__line) AS __first FROM ${t}
  WHERE __reason IS NULL AND __line > ${firstRow} GROUP BY ${cols.join(', ')} HAVING count(*) > 1;
CREATE OR REPLACE TEMP TABLE __dupfirsts AS
  SELECT ${t}.* FROM ${t} JOIN __dupkeys d ON ${t}.__line = d.__first;
UPDATE ${t} SET __reason = CASE WHEN ${same} THEN '${DUPLICATE}' ELSE ${conflict} END,
  __text = CASE WHEN ${same} THEN ${t}.__text ELSE 'line ' || f.__line END
  FROM __dupfirsts f
  WHERE ${t}.__reason IS NULL AND ${t}.__line > f.__line AND ${cols.map((c) => `${t}.${c} = f.${c}`).join(' AND ')};
DROP TABLE __dupkeys;
DROP TABLE __dupfirsts`;
}

/** Rows per outcome: NULL (written), `duplicate`, or a reject reason. Blank lines are left out. */
export function outcomeCountsSql(table: string, firstRow: number): string {
  return `SELECT __reason AS reason, count(*) AS n FROM ${quoteIdent(table)}
  WHERE __line > ${firstRow} AND (__reason IS NULL OR __reason <> '${BLANK}') GROUP BY 1`;
}

/** Writes one JSON object per rejected line, in line order, to a local JSON Lines file. */
export function quarantineCopySql(
  table: string,
  schema: TableSchema,
  sourceKey: string,
  firstRow: number,
  localPath: string,
): string {
  const details = (schema.checks ?? []).map(
    (c) => `WHEN ${quoteLiteral(`check:${c.name}`)} THEN ${quoteLiteral(c.reason)}`,
  );
  const conflicting = "starts_with(__reason, 'conflicting_duplicate:')";
  const detail = `CASE WHEN ${conflicting} THEN 'same key as ' || __text || ', other values'${details.length > 0 ? ` ELSE CASE __reason ${details.join(' ')} END` : ''} END`;
  return `COPY (SELECT ${quoteLiteral(sourceKey)} AS source, __line AS line,
    CASE WHEN ${conflicting} THEN NULL ELSE __text END AS text, __reason AS reason, ${detail} AS detail
  FROM ${quoteIdent(table)}
  WHERE __line > ${firstRow} AND __reason IS NOT NULL AND __reason NOT IN ('${BLANK}', '${DUPLICATE}')
  ORDER BY __line) TO ${pathLiteral(localPath)} (FORMAT JSON)`;
}

/** Writes the valid, first-occurrence rows, with derived columns, to a local Parquet file. */
export function outputCopySql(
  table: string,
  schema: TableSchema,
  firstRow: number,
  localPath: string,
): string {
  const dropped = new Set<string>(schema.drop ?? []);
  const kept = Object.keys(schema.columns)
    .filter((name) => !dropped.has(name))
    .map(quoteIdent);
  const derived = Object.entries(schema.derived ?? {}).map(
    ([name, d]) => `CAST((${d.sql}) AS ${DUCKDB_TYPES[d.type]}) AS ${quoteIdent(name)}`,
  );
  // No ORDER BY: row order in trusted data carries no meaning, and a sort of every row would cost more
  // than the whole validation (line numbers live in the quarantine, where they matter).
  return `COPY (SELECT ${[...kept, ...derived].join(', ')} FROM ${quoteIdent(table)}
  WHERE __line > ${firstRow} AND __reason IS NULL) TO ${pathLiteral(localPath)} (FORMAT PARQUET)`;
}
