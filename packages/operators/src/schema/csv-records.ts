import type { DuckDBSession } from '../duckdb/session.js';
import { quoteLiteral } from '../duckdb/sql.js';
import { isMarked, MARKED_SQL } from './marked-lines.js';
import { quoteStateAfter } from './quote-state.js';
import {
  candidateGaps,
  type GapFacts,
  type OddLine,
  planRecords,
  type RecordPlan,
  type RecordSpan,
} from './record-plan.js';

/** The table of physical lines (`rowid + 1` is the line number) that `linesTableSql` creates. */
export const LINES_TABLE = '__lines';

/** Tables `markCsvRecords` leaves for `stagingSql` when some record spans lines or a quote is unterminated. */
export const RECORD_TABLES = {
  /** `(__line, line)`: the text of each multi-line record, at its first line. */
  records: '__records',
  /** `(__line)`: lines that continue a record above them (not records of their own). */
  continued: '__continued',
  /** `(__line)`: lines opening a quoted field that nothing closes properly. */
  unterminated: '__unterminated',
} as const;

const NUMBERED = `(SELECT rowid + 1 AS __line, line FROM ${LINES_TABLE})`;

export interface CsvRecordsInput {
  readonly delimiter: string;
  /** Lines up to this one (the header) are not data. */
  readonly firstRow: number;
  /** A record longer than this is not joined (its first line is then unterminated). */
  readonly maxBytes: number;
}

/**
 * Finds the CSV records that span lines (see record-plan.ts for the rule) in the lines table and, when
 * there are any, or unterminated quotes, creates `RECORD_TABLES`. A file without an odd number of quotes on
 * any line costs one filtered scan; the other queries only run when a line opens a quoted field.
 */
export async function markCsvRecords(session: DuckDBSession, input: CsvRecordsInput): Promise<RecordPlan> {
  const rows = await session.all(`SELECT __line, line, strlen(line) AS bytes FROM ${NUMBERED}
    WHERE __line > ${input.firstRow} AND contains(line, '"') AND NOT ${MARKED_SQL}
      AND (length(line) - length(replace(line, '"', ''))) % 2 = 1
    ORDER BY __line`);
  const odd: OddLine[] = rows.map((row) => {
    const text = String(row.line);
    return {
      line: Number(row.__line),
      bytes: Number(row.bytes),
      opens: !isMarked(text) && quoteStateAfter(text, 'closed', input.delimiter) === 'open',
      closes: quoteStateAfter(text, 'open', input.delimiter) === 'closed',
    };
  });
  if (!odd.some((o) => o.opens)) return { joined: [], unterminated: [] };
  const gaps = await gapFacts(session, candidateGaps(odd), input.delimiter);
  const plan = planRecords(odd, gaps, input.maxBytes);
  await session.run(recordTablesSql(plan));
  return plan;
}

async function gapFacts(
  session: DuckDBSession,
  spans: readonly RecordSpan[],
  delimiter: string,
): Promise<Map<number, GapFacts>> {
  const facts = new Map<number, GapFacts>();
  if (spans.length === 0) return facts;
  await session.run(spansTableSql('__gaps', spans));
  const rows = await session.all(`SELECT g.first, count(*) FILTER (WHERE ${breaksSql(delimiter)}) AS breaks,
      sum(strlen(coalesce(l.line, '')) + 1) AS bytes
    FROM ${NUMBERED} l ASOF JOIN __gaps g ON l.__line > g.first
    WHERE l.__line < g.last GROUP BY g.first`);
  await session.run('DROP TABLE __gaps');
  for (const row of rows) {
    facts.set(Number(row.first), { breaks: Number(row.breaks), bytes: Number(row.bytes) });
  }
  return facts;
}

/**
 * True for a line that cannot continue a quoted field: one whose quotes, read from inside a field, are
 * not `""` pairs or a proper close-and-reopen (`",next,"`), and any marked line (invalid UTF-8, too long).
 */
function breaksSql(delimiter: string): string {
  const d = delimiter.replace(/[\\^$.*+?()[\]{}|-]/g, '\\$&');
  const inside = '(?:[^"]|"")*';
  const field = `(?:"(?:[^"]|"")*"|[^"${d}]*)`;
  const staysOpen = `${inside}(?:"(?:${d}${field})*${d}"${inside})*`;
  return `(contains(l.line, '"') AND NOT regexp_full_match(l.line, ${quoteLiteral(staysOpen)})) OR ${MARKED_SQL}`;
}

function spansTableSql(name: string, spans: readonly RecordSpan[]): string {
  const rows = spans.map((s) => `(${s.first}, ${s.last})`).join(', ');
  return `CREATE OR REPLACE TEMP TABLE ${name} AS SELECT * FROM (VALUES ${rows}) AS t(first, last)`;
}

function recordTablesSql(plan: RecordPlan): string {
  const { records, continued, unterminated } = RECORD_TABLES;
  const spans =
    plan.joined.length > 0
      ? spansTableSql('__spans', plan.joined)
      : 'CREATE OR REPLACE TEMP TABLE __spans AS SELECT 0::BIGINT AS first, 0::BIGINT AS last WHERE FALSE';
  const open =
    plan.unterminated.length > 0
      ? `SELECT * FROM (VALUES ${plan.unterminated.map((n) => `(${n})`).join(', ')}) AS t(__line)`
      : 'SELECT 0::BIGINT AS __line WHERE FALSE';
  // A line break inside a field is stored as LF, whatever the file's line endings were.
  return `${spans};
CREATE OR REPLACE TEMP TABLE ${records} AS
  SELECT s.first AS __line, string_agg(coalesce(l.line, ''), chr(10) ORDER BY l.__line) AS line
  FROM ${NUMBERED} l ASOF JOIN __spans s ON l.__line >= s.first
  WHERE l.__line <= s.last GROUP BY s.first;
CREATE OR REPLACE TEMP TABLE ${continued} AS SELECT unnest(range(first + 1, last + 1)) AS __line FROM __spans;
CREATE OR REPLACE TEMP TABLE ${unterminated} AS ${open};
DROP TABLE __spans`;
}
