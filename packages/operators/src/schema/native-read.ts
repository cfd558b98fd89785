import { pathLiteral, quoteIdent, quoteLiteral } from '../duckdb/sql.js';
import { jsonStructType, nativeCsvColumn } from './staging-sql.js';
import type { ColumnSpec } from './types.js';

/**
 * DuckDB's own parallel readers, set up so that, on a file the prescan found clean, they yield what the
 * careful line-by-line path parses: JSON Lines as one `__v` struct per line (each declared field's JSON
 * text, as `json_transform` gives), NULL where the line is not valid JSON; CSV as one VARCHAR per header
 * field, empty fields kept as '' (not NULL), rows of the wrong field count in `REJECTS` with their line.
 * Neither reorders rows when its result is stored (`preserve_insertion_order`), so the n-th stored row is
 * the n-th row read.
 */

/** Where the native CSV reader lists the lines it refused. */
export const REJECTS = { table: '__rejects', scan: '__rejects_scan' } as const;

/** Errors of a CSV line that the careful path calls `malformed_csv:wrong_column_count`. */
export const COLUMN_COUNT_ERRORS = ['MISSING COLUMNS', 'TOO MANY COLUMNS'] as const;

export function nativeJsonSql(
  localPath: string,
  columns: readonly [string, ColumnSpec][],
  maxLineBytes: number,
): string {
  const struct = jsonStructType(columns);
  return `read_json(${pathLiteral(localPath)}, format = 'newline_delimited', records = false, ignore_errors = true,
    columns = {'__v': ${quoteLiteral(struct)}}, maximum_object_size = ${maxLineBytes + 3})`;
}

export interface NativeCsvInput {
  /** Number of header fields: the reader's column count. */
  readonly fields: number;
  readonly delimiter: string;
  /** Lines before the first data line (the header). */
  readonly skip: number;
  readonly maxLineBytes: number;
  /** The file's line ending (the reader takes one kind). */
  readonly newline: 'lf' | 'crlf';
}

export function nativeCsvSql(localPath: string, input: NativeCsvInput): string {
  const names = Array.from({ length: input.fields }, (_, i) => nativeCsvColumn(i));
  const columns = names.map((name) => `${quoteLiteral(name)}: 'VARCHAR'`).join(', ');
  // No quote or escape character: the prescan found no quote in the file, so fields are split at every
  // delimiter, as the careful path's `string_split` does.
  return `read_csv(${pathLiteral(localPath)}, columns = {${columns}}, header = false, skip = ${input.skip},
    auto_detect = false, delim = ${quoteLiteral(input.delimiter)}, quote = '', escape = '', new_line = '${input.newline === 'crlf' ? '\\r\\n' : '\\n'}',
    force_not_null = [${names.map(quoteIdent).join(', ')}], store_rejects = true,
    rejects_table = '${REJECTS.table}', rejects_scan = '${REJECTS.scan}', max_line_size = ${input.maxLineBytes + 3})`;
}
