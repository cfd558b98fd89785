import { pathLiteral, quoteIdent, quoteLiteral, sqlList, sqlValue } from '../duckdb/sql.js';
import { LINES_TABLE, RECORD_TABLES } from './csv-records.js';
import {
  INVALID_UTF8_MARK,
  INVALID_UTF8_SQL,
  LINE_TOO_LONG_MARK,
  LINE_TOO_LONG_SQL,
  unmarkedTextSql,
} from './marked-lines.js';
import type { ColumnSpec, ColumnType, TableSchema } from './types.js';
import { canonicalKey } from './validate-schema.js';

/** Internal reasons of the staged table that are not rejects. */
export const BLANK = 'blank';
export const DUPLICATE = 'duplicate';

export const DUCKDB_TYPES: Record<ColumnType, string> = {
  string: 'VARCHAR',
  integer: 'BIGINT',
  double: 'DOUBLE',
  boolean: 'BOOLEAN',
  timestamp: 'TIMESTAMPTZ',
  date: 'DATE',
};

export type SourceFormat = 'csv' | 'jsonl';

export interface StagingInput {
  readonly format: SourceFormat;
  /** CSV only: field names of the header line, in order. */
  readonly header?: readonly string[];
  /** CSV only. @default ',' */
  readonly delimiter?: string;
  /** CSV only: `markCsvRecords` created `RECORD_TABLES` (some record spans lines, or a quote is unterminated). */
  readonly records?: boolean;
  /** The lines were read from a copy made by `markLines` (some lines were too long or not UTF-8). */
  readonly marked?: boolean;
  /** The run's date D (`YYYY-MM-DD`) that timestamp `window` bounds are relative to. */
  readonly runDate?: string;
  /**
   * Rows come from a relation holding what one of DuckDB's native parallel readers parsed (`native-read.ts`)
   * and each row's `__line`, rather than from the lines table: `__text` is left NULL for the caller to fill
   * in, and a JSON row that is NULL or has none of the declared fields gets the reason `RECHECK`, to be
   * staged again from its text.
   */
  readonly native?: string;
  /** Read lines from this relation of `(__line, line)` instead of the lines table, which is then kept. */
  readonly lines?: string;
}

/** The reason of a natively read row that must be staged again from its line's text. */
export const RECHECK = '__recheck';

/** Creates `LINES_TABLE`, one row per physical line in file order (see `rawLinesSql`). */
export function linesTableSql(localPath: string, maxLineBytes: number): string {
  return `CREATE OR REPLACE TEMP TABLE ${LINES_TABLE} AS SELECT line FROM ${rawLinesSql(localPath, maxLineBytes)}`;
}

/**
 * Reads a text file as one VARCHAR per physical line, blank lines included (as NULL), in file order.
 * No quote or escape character, and a 4-byte control delimiter that does not occur in text files,
 * keep DuckDB's CSV scanner from interpreting the content. `new_line='\r\n'` accepts both LF and
 * CRLF endings and strips the CR; a UTF-8 BOM is dropped by the reader. A lone CR inside a line is
 * not supported (DuckDB treats it as a line break). `parallel = false`: only a single-threaded scan
 * guarantees file order, which is what line numbers are made of (the parallel scan inside a complex
 * query was seen to reorder rows); splitting lines is I/O-bound, so this costs little. A line longer than
 * `maxLineBytes` (a trailing CR not counted) fails the read: `markLines` then marks it in a copy.
 */
export function rawLinesSql(localPath: string, maxLineBytes: number): string {
  // DuckDB refuses a line of max_line_size bytes or more, counting a line break on some lines (CRLF files):
  // the margin keeps it from refusing lines of the limit; `longestLineSql` finds those within the margin.
  return `read_csv(${pathLiteral(localPath)}, columns = {'line': 'VARCHAR'}, delim = E'\\x01\\x02\\x03\\x04', quote = '', escape = '', header = false, auto_detect = false, strict_mode = false, new_line = '\\r\\n', max_line_size = ${maxLineBytes + 3}, parallel = false)`;
}

/** Byte length of the longest line of `LINES_TABLE` (`longest`). */
export function longestLineSql(): string {
  return `SELECT max(strlen(line)) AS longest FROM ${LINES_TABLE}`;
}

/**
 * The statement that creates `table`, from `LINES_TABLE`, with one row per record (a physical line, or a
 * CSV record spanning lines at the number of its first line): `__reason` (NULL for a valid
 * row, `blank`, or a reject code), `__text` (the line, kept only for rejects), and each declared
 * column normalised and typed. All parsing and validation is SQL so DuckDB runs it in parallel;
 * the first failing rule of a row (structure, then columns in declaration order, then checks)
 * gives its single reason.
 */
export function stagingSql(table: string, schema: TableSchema, input: StagingInput): string {
  const columns = Object.entries(schema.columns);
  const parsed =
    input.native !== undefined
      ? nativeParse(input.format, columns)
      : input.format === 'jsonl'
        ? jsonParse(columns)
        : csvParse(input);
  const structural = input.records
    ? `CASE WHEN __unterminated THEN 'malformed_csv:unterminated_quote' ELSE ${parsed.structural} END`
    : parsed.structural;
  // As VARCHAR: the JSON text of the field (a JSON-typed CASE would parse its string branches as JSON), taken
  // out of the struct once per column in the `j` step.
  const jsonIndex = new Map(columns.map(([name], i) => [name, i]));
  const jsonOf = (name: string): string => `__j${jsonIndex.get(name)}`;
  const jsonFields = columns.map(
    ([name, column], i) => `CAST(__v.${quoteIdent(column.source ?? name)} AS VARCHAR) AS __j${i}`,
  );
  const rawOf = (name: string, column: ColumnSpec): string => {
    const source = column.source ?? name;
    if (input.format === 'jsonl') return jsonText(jsonOf(name));
    const position = headerPosition(input.header ?? [], source);
    if (position === undefined) return 'NULL::VARCHAR';
    return input.native !== undefined ? nativeCsvColumn(position) : `__f[${position + 1}]`;
  };
  // Two steps, each value named once: the source text, then its cleaned form (one expression nested in the
  // other was evaluated once per use, which made this the costliest part of staging).
  const texts = columns.map(([name, column], i) => `${rawOf(name, column)} AS __t${i}`);
  const raws = columns.map(([_, column], i) => `${cleanText(`__t${i}`, column)} AS __r${i}`);
  const typed = columns.map(([name, column], i) => `${typedValue(`__r${i}`, column)} AS ${quoteIdent(name)}`);
  const rules = [
    ...columns.flatMap(([name, column], i) => [
      ...(input.format === 'jsonl' ? jsonKindRule(name, column, jsonOf(name)) : []),
      ...columnRules(name, column, `__r${i}`, input.runDate),
    ]),
    ...(schema.checks ?? []).map(
      (check) => `WHEN NOT coalesce((${check.predicate}), FALSE) THEN ${quoteLiteral(`check:${check.name}`)}`,
    ),
  ];
  // Lines were first stored in a table in file order; its rowid is then the line number, carried
  // explicitly as __line so no later (parallel) step can lose it.
  const { records, continued, unterminated } = RECORD_TABLES;
  const src = input.native
    ? `SELECT NULL::VARCHAR AS line, * FROM (${input.native})`
    : input.lines !== undefined
      ? input.lines
      : input.records
        ? `SELECT l.__line, coalesce(r.line, l.line) AS line, u.__line IS NOT NULL AS __unterminated
  FROM (SELECT rowid + 1 AS __line, line FROM ${LINES_TABLE}) l
  LEFT JOIN ${records} r ON r.__line = l.__line LEFT JOIN ${unterminated} u ON u.__line = l.__line
  WHERE l.__line NOT IN (SELECT __line FROM ${continued})`
        : `SELECT rowid + 1 AS __line, line FROM ${LINES_TABLE}`;
  // Marks exist only in a copy made by `markLines`: clean input skips testing every line for them.
  const marks = input.marked
    ? `WHEN ${LINE_TOO_LONG_SQL} THEN 'line_too_long' WHEN ${INVALID_UTF8_SQL} THEN 'invalid_utf8'\n  `
    : '';
  const drops =
    input.native !== undefined || input.lines !== undefined
      ? []
      : [LINES_TABLE, ...(input.records ? [records, continued, unterminated] : [])];
  return `CREATE OR REPLACE TABLE ${quoteIdent(table)} AS
WITH src AS (${src}),
p AS (SELECT *, ${input.native !== undefined ? 'FALSE' : "line IS NULL OR NOT regexp_matches(line, '\\S')"} AS __blank${parsed.parse === '' ? '' : `, ${parsed.parse}`} FROM src),
j AS (SELECT *${input.format === 'jsonl' ? `, ${jsonFields.join(', ')}` : ''} FROM p),
t AS (SELECT __line, line, __blank, ${structural} AS __structural, ${input.format === 'jsonl' ? `__v, ${columns.map((_, i) => `__j${i}`).join(', ')}, ` : ''}${texts.join(', ')} FROM j),
r AS (SELECT *, ${raws.join(', ')} FROM t),
n AS (SELECT *, ${typed.join(', ')} FROM r),
q AS (SELECT *, CASE ${marks}WHEN __blank THEN '${BLANK}'
  WHEN __structural IS NOT NULL THEN __structural
  WHEN contains(line, chr(0)) THEN 'nul_byte'
  ${rules.join('\n  ')} END AS __reason FROM n)
SELECT __line, CASE WHEN __reason = 'invalid_utf8' THEN ${unmarkedTextSql(INVALID_UTF8_MARK)}
  WHEN __reason = 'line_too_long' THEN ${unmarkedTextSql(LINE_TOO_LONG_MARK)}
  WHEN __reason IS NOT NULL AND __reason <> '${BLANK}' THEN line END AS __text, __reason, ${columns
    .map(([name]) => quoteIdent(name))
    .join(', ')} FROM q${drops.map((t) => `;\nDROP TABLE ${t}`).join('')}`;
}

interface ParseSql {
  readonly parse: string;
  readonly structural: string;
}

/** Column `i` of the native CSV reader (named by position: header names may repeat or be empty). */
export function nativeCsvColumn(i: number): string {
  return `__c${i}`;
}

/**
 * A native reader parsed already: JSON rows carry `__v` (the struct `jsonParse` would build), CSV rows their
 * fields as columns. A JSON row that is NULL (not valid JSON) or has none of the fields (also a valid JSON
 * value that is not an object) is rechecked from its text, where the careful rules tell these apart.
 */
function nativeParse(format: SourceFormat, columns: readonly [string, ColumnSpec][]): ParseSql {
  if (format === 'csv') return { parse: '', structural: 'NULL::VARCHAR' };
  const fields = columns.map(([name, column]) => `__v.${quoteIdent(column.source ?? name)} IS NULL`);
  return {
    parse: '',
    structural: `CASE WHEN __v IS NULL OR (${fields.join(' AND ')}) THEN '${RECHECK}' END`,
  };
}

/** The `STRUCT` type `jsonParse` transforms each line to: every declared source field as JSON. */
export function jsonStructType(columns: readonly [string, ColumnSpec][]): string {
  const fields = new Set(columns.map(([name, column]) => column.source ?? name));
  return `STRUCT(${[...fields].map((field) => `${quoteIdent(field)} JSON`).join(', ')})`;
}

/**
 * One JSON parse per line: `json_transform` to a struct of JSON values (each field's JSON text, so its JSON
 * type is known; JSON null and a missing key are NULL; unknown keys are ignored). Invalid JSON gives NULL; a
 * valid non-object (array, number) is caught by the leading-brace test.
 */
function jsonParse(columns: readonly [string, ColumnSpec][]): ParseSql {
  const structure: Record<string, string> = {};
  for (const [name, column] of columns) structure[column.source ?? name] = 'JSON';
  return {
    // json_valid first: `try()` alone re-evaluates a whole vector row by row after each error, which made
    // a file with a few hundred bad lines three times slower; `try()` stays for what json_valid accepts
    // but json_transform refuses.
    parse: `try(CASE WHEN json_valid(line) THEN json_transform(line, ${quoteLiteral(JSON.stringify(structure))}) END) AS __v`,
    structural: `CASE WHEN __v IS NULL OR NOT regexp_matches(line, '^\\s*\\{') THEN 'malformed_json' END`,
  };
}

/**
 * RFC 4180 fields of one record. Records without a quote take the fast `string_split`; others must
 * match the quoted-field grammar as a whole (else `malformed_csv:bad_quoting`) and are split by
 * regex, then unquoted. A record joined from several lines (`markCsvRecords`) holds its line breaks
 * inside quoted fields, where `[^"]` matches them; an unquoted field never holds one.
 */
function csvParse(input: StagingInput): ParseSql {
  const d = input.delimiter ?? ',';
  const rd = escapeRegex(d);
  const field = `"(?:[^"]|"")*"|[^"${rd}\\n]*`;
  const lineRe = `(?:${field})(?:${rd}(?:${field}))*`;
  const expected = input.header?.length ?? 0;
  return {
    parse: `CASE WHEN NOT contains(line, '"') THEN string_split(line, ${quoteLiteral(d)})
      WHEN regexp_full_match(line, ${quoteLiteral(lineRe)}) THEN list_transform(
        regexp_extract_all(${quoteLiteral(d)} || line, ${quoteLiteral(`${rd}(${field})`)}, 1),
        lambda x: CASE WHEN starts_with(x, '"') THEN replace(substr(x, 2, length(x) - 2), '""', '"') ELSE x END)
      END AS __f`,
    structural: `CASE WHEN __f IS NULL THEN 'malformed_csv:bad_quoting'
      WHEN len(__f) <> ${expected} THEN 'malformed_csv:wrong_column_count' END`,
  };
}

/**
 * The source text of a JSON value: a string's content (unescaped; the JSON parse is only repeated for a
 * string with an escape), other values as their JSON text.
 */
function jsonText(j: string): string {
  return `CASE WHEN starts_with(${j}, '"') THEN CASE WHEN contains(${j}, '\\') THEN json_extract_string(${j}, '$')
    ELSE substr(${j}, 2, length(${j}) - 2) END ELSE ${j} END`;
}

/**
 * JSON fields are typed by JSON: a number column takes a JSON number, a boolean column `true`/`false`, and
 * string, timestamp and date columns a JSON string. Anything else (`"12"` for a number, `12` or an object for
 * a string) is `invalid_type:<column>`, before the column's other rules.
 */
function jsonKindRule(name: string, column: ColumnSpec, j: string): string[] {
  const wrong =
    column.type === 'integer' || column.type === 'double'
      ? `left(${j}, 1) NOT IN ('-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9')`
      : column.type === 'boolean'
        ? `${j} NOT IN ('true', 'false')`
        : `NOT starts_with(${j}, '"')`;
  return [`WHEN ${j} IS NOT NULL AND ${wrong} THEN ${quoteLiteral(`invalid_type:${name}`)}`];
}

function headerPosition(header: readonly string[], source: string): number | undefined {
  const wanted = source.trim().toLowerCase();
  const index = header.findIndex((h) => h.trim().toLowerCase() === wanted);
  return index < 0 ? undefined : index;
}

function escapeRegex(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|-]/g, '\\$&');
}

/**
 * Source text after trimming and empty-to-null; NULL means "missing". The guard skips `trim` (which
 * copies every string) when there is nothing to strip: that halves the cost of clean input.
 */
function cleanText(raw: string, column: ColumnSpec): string {
  const trimmed =
    column.trim === false
      ? raw
      : `CASE WHEN starts_with(${raw}, ' ') OR ends_with(${raw}, ' ') THEN trim(${raw}) ELSE ${raw} END`;
  return column.emptyAsNull === false ? trimmed : `nullif(${trimmed}, '')`;
}

function typedValue(r: string, column: ColumnSpec): string {
  switch (column.type) {
    case 'string':
      return stringValue(r, column.case, column.canonical, column.aliases);
    case 'integer':
      // TRY_CAST('1.5' AS BIGINT) rounds; an integer column accepts only integer text.
      return `CASE WHEN regexp_full_match(${r}, '[+-]?[0-9]+') THEN TRY_CAST(${r} AS BIGINT) END`;
    case 'double':
      return `CASE WHEN isfinite(TRY_CAST(${r} AS DOUBLE)) THEN TRY_CAST(${r} AS DOUBLE) END`;
    case 'boolean':
      return `TRY_CAST(${r} AS BOOLEAN)`;
    case 'timestamp':
      // RFC 3339 only (T_SHAPE); offsets (and Z) are applied, giving the UTC instant; no offset means UTC
      // (session zone) unless the column requires one. An hour of 24 is not a time of day: DuckDB would roll
      // `…T24:00:00Z` over to the next day. `t`/`z` are read as `T`/`Z`.
      return `CASE WHEN regexp_full_match(${r}, ${quoteLiteral(T_SHAPE)}) AND NOT regexp_matches(${r}, '[Tt ]24:') THEN TRY_CAST(upper(${r}) AS TIMESTAMPTZ) END`;
    case 'date':
      return `TRY_CAST(${r} AS DATE)`;
  }
}

/**
 * The text a timestamp column accepts (RFC 3339): date, `T`, `t` or a space, time with seconds, an optional
 * fraction, then `Z`/`z` or `±HH:MM` (optional here; `requireOffset` makes its absence `missing_offset`).
 */
const T_SHAPE =
  '[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2})?';

function stringValue(
  r: string,
  letterCase: 'lower' | 'upper' | undefined,
  canonical: readonly string[] | undefined,
  aliases: Readonly<Record<string, string>> | undefined,
): string {
  if (canonical !== undefined) {
    const pairs = new Map<string, string>();
    for (const value of canonical) pairs.set(canonicalKey(value), value);
    for (const [alias, target] of Object.entries(aliases ?? {})) pairs.set(canonicalKey(alias), target);
    const whens = [...pairs].map(([key, value]) => `WHEN ${quoteLiteral(key)} THEN ${quoteLiteral(value)}`);
    return `CASE lower(regexp_replace(${r}, '\\s+', '', 'g')) ${whens.join(' ')} END`;
  }
  if (letterCase === 'lower') return `lower(${r})`;
  if (letterCase === 'upper') return `upper(${r})`;
  return r;
}

/** `WHEN <broken> THEN '<code>:<column>'` clauses of one column, in the order they are reported. */
function columnRules(name: string, column: ColumnSpec, r: string, runDate: string | undefined): string[] {
  const v = quoteIdent(name);
  const rules: string[] = [];
  const rule = (condition: string, code: string): void => {
    rules.push(`WHEN ${condition} THEN ${quoteLiteral(`${code}:${name}`)}`);
  };
  if (column.required === true) rule(`${r} IS NULL`, 'missing_required');
  const unmapped = column.type === 'string' && column.canonical !== undefined;
  rule(`${r} IS NOT NULL AND ${v} IS NULL`, unmapped ? 'not_allowed' : 'invalid_type');
  if (column.type === 'timestamp' && column.requireOffset === true) {
    rule(`NOT regexp_matches(${r}, '([Zz]|[+-][0-9]{2}:[0-9]{2})$')`, 'missing_offset');
  }
  if ((column.type === 'string' || column.type === 'integer') && column.allowed !== undefined) {
    rule(`${v} NOT IN ${sqlList(column.allowed)}`, 'not_allowed');
  }
  if (column.pattern !== undefined) {
    // Strings are matched after normalisation (so `upper` + `^[A-Z]{2}$` works); others on their text.
    const subject = column.type === 'string' ? v : r;
    rule(`NOT regexp_matches(${subject}, ${quoteLiteral(column.pattern)})`, 'pattern');
  }
  const bounds = [...boundsOf(column), ...windowBounds(column, runDate)];
  if (bounds.length > 0) rule(`(${bounds.map((b) => `${v} ${b}`).join(' OR ')})`, 'out_of_range');
  return rules;
}

const DAY_MS = 86_400_000;

/** `window` bounds of a timestamp column as comparisons with constant instants (UTC day boundaries). */
function windowBounds(column: ColumnSpec, runDate: string | undefined): string[] {
  if (column.type !== 'timestamp' || column.window === undefined) return [];
  const day = runDate === undefined ? Number.NaN : Date.parse(`${runDate}T00:00:00Z`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(runDate ?? '') || Number.isNaN(day)) {
    throw new RangeError(`a timestamp window needs the run's date as YYYY-MM-DD, got ${String(runDate)}`);
  }
  const instant = (ms: number): string => `TIMESTAMPTZ ${quoteLiteral(new Date(ms).toISOString())}`;
  const { daysBefore, daysAfter } = column.window;
  return [`< ${instant(day - daysBefore * DAY_MS)}`, `>= ${instant(day + (daysAfter + 1) * DAY_MS)}`];
}

function boundsOf(column: ColumnSpec): string[] {
  if (column.type === 'string' || column.type === 'boolean') return [];
  const cast = (value: string | number): string =>
    typeof value === 'number'
      ? sqlValue(value)
      : `CAST(${quoteLiteral(value)} AS ${DUCKDB_TYPES[column.type]})`;
  const out: string[] = [];
  if (column.min !== undefined) out.push(`< ${cast(column.min)}`);
  if (column.max !== undefined) out.push(`> ${cast(column.max)}`);
  return out;
}
