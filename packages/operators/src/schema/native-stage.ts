import type { DuckDBSession } from '../duckdb/session.js';
import { quoteIdent, quoteLiteral } from '../duckdb/sql.js';
import { lineTexts } from './line-texts.js';
import { COLUMN_COUNT_ERRORS, nativeCsvSql, nativeJsonSql, REJECTS } from './native-read.js';
import { type CarefulReason, firstNewline, type PrescanResult } from './prescan.js';
import { RECHECK, type SourceFormat, stagingSql } from './staging-sql.js';
import type { TableSchema } from './types.js';

/**
 * The fast way to the staged table of `stagingSql`: DuckDB's parallel native reader parses the file into a
 * table (a plain scan-and-store keeps file order, so a row's `rowid` gives its line), the same column rules run
 * on its rows, and only some rows get their line's text back from the file, by number: every rejected row,
 * and a sample of the others (`SAMPLE_LINES` apart, and the last line). Those rows are staged again from their
 * text by the careful path's rules, which must agree with the native result: a JSON row the reader could not
 * tell apart (not valid JSON, or without any declared field) takes the careful result, any other difference
 * refuses the native result, as do a prescan that finds the file unfit, a count other than the prescan's, and
 * a CSV error other than a field count. A refused table is dropped and the caller takes the careful path; so
 * it does when `nativeConflictsAgree`, after de-duplication, finds a conflict on rows that are not where they
 * were counted.
 */

export interface NativeStageInput {
  readonly table: string;
  readonly localPath: string;
  readonly format: SourceFormat;
  readonly schema: TableSchema;
  /** CSV: the header's fields. */
  readonly header?: readonly string[];
  /** Lines up to the header (CSV), 0 for JSON Lines. */
  readonly firstRow: number;
  readonly delimiter: string;
  readonly maxLineBytes: number;
  readonly runDate: string;
  /** The prescan of the file, running while DuckDB reads. */
  readonly scan: Promise<PrescanResult>;
}

/** Why the native path was left for the careful one. */
export type NativeRefusal =
  | CarefulReason
  | 'reader_error'
  | 'count_mismatch'
  | 'csv_error'
  | 'mixed_line_endings'
  | 'verify_mismatch';

export type NativeStageResult =
  | { readonly staged: true; readonly checkpoints: readonly number[] }
  | { readonly staged: false; readonly why: NativeRefusal };

/** Lines between two sampled valid rows that are checked against the careful rules. */
export const SAMPLE_LINES = 4096;

const NATIVE = '__native';
const TEXTS = '__texts';
const CAREFUL = '__careful';
const GAPS = '__gaps';

export async function stageNative(
  session: DuckDBSession,
  input: NativeStageInput,
): Promise<NativeStageResult> {
  const { table, format, firstRow } = input;
  // Awaited below; a rejection before that point must not go unhandled.
  input.scan.catch(() => undefined);
  const t = quoteIdent(table);
  const columns = Object.entries(input.schema.columns);
  const newline = format === 'csv' ? await firstNewline(input.localPath) : 'lf';
  const reader =
    format === 'jsonl'
      ? nativeJsonSql(input.localPath, columns, input.maxLineBytes)
      : nativeCsvSql(input.localPath, {
          fields: input.header?.length ?? 0,
          delimiter: input.delimiter,
          skip: firstRow,
          maxLineBytes: input.maxLineBytes,
          newline,
        });
  const cleanUp = `DROP TABLE IF EXISTS ${NATIVE}; DROP TABLE IF EXISTS ${REJECTS.table}; DROP TABLE IF EXISTS ${REJECTS.scan};
    DROP TABLE IF EXISTS ${GAPS}; DROP TABLE IF EXISTS ${TEXTS}; DROP TABLE IF EXISTS ${CAREFUL}`;
  const refuse = async (why: NativeRefusal): Promise<NativeStageResult> => {
    await session.run(`DROP TABLE IF EXISTS ${t}; ${cleanUp}`);
    return { staged: false, why };
  };
  // The reader's rows are stored by a plain scan-and-store, which keeps file order, so `rowid` numbers them;
  // reading and staging in one statement was seen to reorder rows (the checks below caught it).
  const read = session.run(`CREATE OR REPLACE TEMP TABLE ${NATIVE} AS SELECT * FROM ${reader}`).then(
    () => true,
    () => false,
  );
  const [readOk, scan] = await Promise.all([read, input.scan]);
  if (scan.careful !== null) return refuse(scan.careful);
  if (format === 'csv' && scan.newline !== newline) return refuse('mixed_line_endings');
  if (!readOk) return refuse('reader_error');

  let rejectedLines = 0;
  if (format === 'csv') {
    const rows =
      await session.all(`SELECT line, bool_and(error_type IN (${COLUMN_COUNT_ERRORS.map(quoteLiteral).join(', ')})) AS counted
      FROM ${REJECTS.table} GROUP BY line`);
    if (rows.some((row) => row.counted !== true)) return refuse('csv_error');
    rejectedLines = rows.length;
  }
  const [count] = await session.all(`SELECT count(*) AS n FROM ${NATIVE}`);
  if (Number(count?.n) + rejectedLines !== scan.lines - firstRow) return refuse('count_mismatch');
  await session.run(
    stagingSql(table, input.schema, {
      format,
      delimiter: input.delimiter,
      runDate: input.runDate,
      native: `SELECT rowid + ${1 + firstRow} AS __line, * FROM ${NATIVE}`,
      ...(input.header ? { header: input.header } : {}),
    }),
  );
  await session.run(`DROP TABLE ${NATIVE}`);
  if (rejectedLines > 0) await numberAroundRejects(session, t, firstRow);

  // Every rejected row, and a sample of the others, staged again from its text by the careful rules.
  const checked = await session.all(`SELECT __line FROM ${t}
    WHERE __reason IS NOT NULL OR __line % ${SAMPLE_LINES} = 0 OR __line = ${scan.lines} ORDER BY __line`);
  await stageCarefully(
    session,
    input,
    scan.checkpoints,
    checked.map((row) => Number(row.__line)),
  );
  // A rejected row's values are never used; a valid row must agree in every one.
  const values = Object.keys(input.schema.columns).map(quoteIdent);
  const [differ] =
    await session.all(`SELECT count(*) AS n FROM ${t} s JOIN ${CAREFUL} c ON s.__line = c.__line
    WHERE s.__reason IS DISTINCT FROM '${RECHECK}' AND (s.__reason IS DISTINCT FROM c.__reason
      OR (s.__reason IS NULL AND NOT (${sameValues(values)})))`);
  if (Number(differ?.n) > 0) return refuse('verify_mismatch');
  const names = ['__text', '__reason', ...values];
  await session.run(`UPDATE ${t} SET ${names.map((c) => `${c} = c.${c}`).join(', ')}
      FROM ${CAREFUL} c WHERE ${t}.__line = c.__line AND ${t}.__reason IS NOT NULL;
    ${cleanUp}`);
  return { staged: true, checkpoints: scan.checkpoints };
}

/**
 * After de-duplication of a natively staged table: each conflicting duplicate and the row it conflicts with
 * must be, by the careful rules, the valid row of its line's text with the values staged. A row at the wrong
 * number would make the wrong one of two rows the first; then the caller stages the file carefully instead.
 */
export async function nativeConflictsAgree(
  session: DuckDBSession,
  input: NativeStageInput,
  checkpoints: readonly number[],
): Promise<boolean> {
  const t = quoteIdent(input.table);
  const rows = await session.all(`SELECT DISTINCT unnest([__line, CAST(substr(__text, 6) AS BIGINT)]) AS line
    FROM ${t} WHERE starts_with(__reason, 'conflicting_duplicate:') ORDER BY line`);
  if (rows.length === 0) return true;
  await stageCarefully(
    session,
    input,
    checkpoints,
    rows.map((row) => Number(row.line)),
  );
  const values = Object.keys(input.schema.columns).map(quoteIdent);
  const [differ] =
    await session.all(`SELECT count(*) AS n FROM ${t} s JOIN ${CAREFUL} c ON s.__line = c.__line
    WHERE c.__reason IS NOT NULL OR NOT (${sameValues(values)})`);
  await session.run(`DROP TABLE ${CAREFUL}`);
  return Number(differ?.n) === 0;
}

function sameValues(values: readonly string[]): string {
  return values.map((c) => `s.${c} IS NOT DISTINCT FROM c.${c}`).join(' AND ');
}

/** Stages the given lines (increasing) from their text in the file by the careful rules, into `CAREFUL`. */
async function stageCarefully(
  session: DuckDBSession,
  input: NativeStageInput,
  checkpoints: readonly number[],
  lines: readonly number[],
): Promise<void> {
  await session.run(`CREATE OR REPLACE TEMP TABLE ${TEXTS} (__line BIGINT, line VARCHAR)`);
  const appender = await session.connection.createAppender(TEXTS, 'main', 'temp');
  try {
    await lineTexts(input.localPath, checkpoints, lines, (line, text) => {
      appender.appendBigInt(BigInt(line));
      appender.appendVarchar(text);
      appender.endRow();
    });
    appender.flushSync();
  } finally {
    appender.closeSync();
  }
  await session.run(
    stagingSql(CAREFUL, input.schema, {
      format: input.format,
      delimiter: input.delimiter,
      runDate: input.runDate,
      lines: `SELECT __line, line FROM ${TEXTS}`,
      ...(input.header ? { header: input.header } : {}),
    }),
  );
  await session.run(`DROP TABLE ${TEXTS}`);
}

/**
 * CSV: the reader left out the rejected lines, so the n-th row stored, numbered firstRow + n so far, is line
 * firstRow + n + (rejected lines before it). For the i-th rejected line L (1-based), g = L - firstRow - i rows
 * come before it: a row with n > g is past it (equal g, adjacent rejected lines, keep the last i). Renumbered
 * in place, so the rows keep the order they were read in; each rejected line is then added as a row.
 */
async function numberAroundRejects(session: DuckDBSession, t: string, firstRow: number): Promise<void> {
  await session.run(`CREATE OR REPLACE TEMP TABLE ${GAPS} AS
      SELECT max(i) AS i, g FROM (
        SELECT row_number() OVER (ORDER BY line) AS i, line - ${firstRow} - row_number() OVER (ORDER BY line) AS g
        FROM (SELECT DISTINCT line FROM ${REJECTS.table})) GROUP BY g;
    UPDATE ${t} SET __line = ${t}.__line + m.i FROM (
        SELECT s.__line AS read_line, g.i FROM ${t} s ASOF JOIN ${GAPS} g ON s.__line - ${firstRow} > g.g) m
      WHERE ${t}.__line = m.read_line;
    INSERT INTO ${t} (__line, __reason)
      SELECT DISTINCT line, 'malformed_csv:wrong_column_count' FROM ${REJECTS.table}`);
}
