import type { DuckDBSession } from '../duckdb/session.js';
import { quoteIdent } from '../duckdb/sql.js';
import { markCsvRecords } from '../schema/csv-records.js';
import { dedupSql } from '../schema/finish-sql.js';
import { markLines } from '../schema/marked-lines.js';
import { type NativeStageInput, nativeConflictsAgree, stageNative } from '../schema/native-stage.js';
import { prescan } from '../schema/prescan.js';
import { linesTableSql, longestLineSql, type SourceFormat, stagingSql } from '../schema/staging-sql.js';
import type { TableSchema } from '../schema/types.js';
import type { OperatorContext } from './operator.js';

/**
 * toParquet's staged, de-duplicated table, made the fast way (`stageNative`) when the file allows it and the
 * careful line-by-line way otherwise; both give the same table, row for row.
 */

export interface StageInputOptions {
  readonly table: string;
  readonly localInput: string;
  readonly format: SourceFormat;
  readonly delimiter: string;
  readonly firstRow: number;
  readonly maxLineBytes: number;
  readonly schema: TableSchema;
  readonly runDate: string;
  /** Try the native read first. */
  readonly native: boolean;
  readonly header?: readonly string[];
  readonly ctx: OperatorContext;
  readonly inputKey: string;
}

/** Creates and de-duplicates the staged table; says which way it was read. */
export async function stageInput(
  session: DuckDBSession,
  o: StageInputOptions,
): Promise<'natively' | 'line by line'> {
  if (o.native && (o.format === 'jsonl' || (o.header?.length ?? 0) > 0)) {
    const input: NativeStageInput = {
      table: o.table,
      localPath: o.localInput,
      format: o.format,
      schema: o.schema,
      firstRow: o.firstRow,
      delimiter: o.delimiter,
      maxLineBytes: o.maxLineBytes,
      runDate: o.runDate,
      scan: prescan(o.localInput, { maxLineBytes: o.maxLineBytes, csv: o.format === 'csv' }),
      ...(o.header ? { header: o.header } : {}),
    };
    const result = await stageNative(session, input);
    if (result.staged) {
      await dedup(session, o);
      if (await nativeConflictsAgree(session, input, result.checkpoints)) return 'natively';
      o.ctx.log.debug(`toParquet reads ${o.inputKey} line by line: conflict_mismatch`);
      await session.run(`DROP TABLE ${quoteIdent(o.table)}`);
    } else o.ctx.log.debug(`toParquet reads ${o.inputKey} line by line: ${result.why}`);
  }
  await stageCarefully(session, o);
  await dedup(session, o);
  return 'line by line';
}

async function dedup(session: DuckDBSession, o: StageInputOptions): Promise<void> {
  if (o.schema.dedupKey === undefined) return;
  await session.run(dedupSql(o.table, o.schema.dedupKey, o.firstRow, Object.keys(o.schema.columns)));
}

/** The careful path: every physical line read in file order as one string, then parsed and validated in SQL. */
async function stageCarefully(session: DuckDBSession, o: StageInputOptions): Promise<void> {
  const { localInput, format, delimiter, firstRow, maxLineBytes, ctx, inputKey } = o;
  const load = (localPath: string) => session.run(linesTableSql(localPath, maxLineBytes));
  let marked = false;
  try {
    await load(localInput);
    // DuckDB's line size counts a CR or LF on some lines, so it is set a little above the limit: lines
    // within that margin are found here (a scan of lengths, milliseconds) and go the same way.
    if (await hasLongerLine(session, maxLineBytes)) throw new Error('maximum line size exceeded');
  } catch (error) {
    // DuckDB refuses a whole file for one line of invalid UTF-8 or over its line size: mark such
    // lines in a copy and read that.
    if (!/invalid unicode|maximum line size/i.test((error as Error).message)) throw error;
    const copy = `${localInput}.marked`;
    const counts = await markLines(localInput, copy, maxLineBytes);
    if (counts.invalidUtf8 > 0) {
      ctx.log.warn(`${counts.invalidUtf8} line(s) of ${inputKey} are not valid UTF-8; they go to quarantine`);
    }
    if (counts.tooLong > 0) {
      ctx.log.warn(
        `${counts.tooLong} line(s) of ${inputKey} are longer than ${maxLineBytes} bytes; they go to quarantine`,
      );
    }
    await load(copy);
    marked = true;
  }
  const plan =
    format === 'csv'
      ? await markCsvRecords(session, { delimiter, firstRow, maxBytes: maxLineBytes })
      : undefined;
  const records = plan !== undefined && (plan.joined.length > 0 || plan.unterminated.length > 0);
  await session.run(
    stagingSql(o.table, o.schema, {
      format,
      delimiter,
      records,
      marked,
      runDate: o.runDate,
      ...(o.header ? { header: o.header } : {}),
    }),
  );
}

async function hasLongerLine(session: DuckDBSession, maxLineBytes: number): Promise<boolean> {
  const [row] = await session.all(longestLineSql());
  return Number(row?.longest ?? 0) > maxLineBytes;
}
