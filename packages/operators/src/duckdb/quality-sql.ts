import type { DatasetInput } from './datasets.js';
import type { JsonValue } from './json-rows.js';
import type { DuckDBSession } from './session.js';
import { quoteIdent, quoteLiteral, sqlList } from './sql.js';

interface CheckBase {
  /** Shown in results and failure tables. @default kind and columns, e.g. `unique(user_id)` */
  readonly name?: string;
  /** A failed blocking check fails the task; a non-blocking one is only reported. @default true */
  readonly blocking?: boolean;
}

export type QualityCheck = CheckBase &
  (
    | { readonly kind: 'row_count'; readonly min?: number; readonly max?: number }
    | { readonly kind: 'not_null'; readonly columns: readonly string[] }
    | { readonly kind: 'unique'; readonly columns: readonly string[] }
    | {
        readonly kind: 'accepted_values';
        readonly column: string;
        readonly values: readonly (string | number | boolean)[];
      }
    | {
        /** Every non-null `column` value must exist in `toColumn` of the `to` dataset. */
        readonly kind: 'relationship';
        readonly column: string;
        readonly to: DatasetInput;
        readonly toColumn: string;
      }
    | {
        /** `max(column)` must be at most `maxAgeHours` before the reference instant. */
        readonly kind: 'freshness';
        readonly column: string;
        readonly maxAgeHours: number;
      }
  );

export type QualityCheckKind = QualityCheck['kind'];

export interface CheckResult {
  readonly name: string;
  readonly kind: QualityCheckKind;
  readonly passed: boolean;
  readonly observed: JsonValue;
  readonly expected: string;
  readonly blocking: boolean;
  /** A few offending values (orphans, duplicated keys, unexpected values). */
  readonly examples?: JsonValue[];
}

const EXAMPLES = 5;

export function checkName(check: QualityCheck): string {
  if (check.name !== undefined) return check.name;
  switch (check.kind) {
    case 'row_count':
      return 'row_count';
    case 'not_null':
    case 'unique':
      return `${check.kind}(${check.columns.join(',')})`;
    case 'relationship':
      return `relationship(${check.column}->${check.toColumn})`;
    case 'accepted_values':
    case 'freshness':
      return `${check.kind}(${check.column})`;
  }
}

/**
 * Evaluates one check against the view `dataset`; `refView` is the staged view of a
 * relationship's target, `reference` the ISO instant freshness is measured from.
 */
export async function evaluateCheck(
  session: DuckDBSession,
  dataset: string,
  check: QualityCheck,
  refView: string | undefined,
  reference: string,
): Promise<CheckResult> {
  const t = quoteIdent(dataset);
  const base = { name: checkName(check), kind: check.kind, blocking: check.blocking ?? true };
  const scalar = async (sql: string): Promise<JsonValue> =>
    Object.values((await session.all(sql))[0] ?? {})[0] ?? null;
  const examples = async (sql: string): Promise<JsonValue[]> =>
    (await session.all(`${sql} LIMIT ${EXAMPLES}`)).map((row) => {
      const values = Object.values(row);
      return values.length === 1 ? (values[0] ?? null) : row;
    });
  switch (check.kind) {
    case 'row_count': {
      const n = Number(await scalar(`SELECT count(*) FROM ${t}`));
      const passed =
        (check.min === undefined || n >= check.min) && (check.max === undefined || n <= check.max);
      return {
        ...base,
        passed,
        observed: n,
        expected: `between ${check.min ?? '-inf'} and ${check.max ?? '+inf'}`,
      };
    }
    case 'not_null': {
      const counts = check.columns.map(
        (c) => `count(*) FILTER (WHERE ${quoteIdent(c)} IS NULL) AS ${quoteIdent(c)}`,
      );
      const observed = (await session.all(`SELECT ${counts.join(', ')} FROM ${t}`))[0] ?? {};
      const passed = Object.values(observed).every((n) => n === 0);
      return { ...base, passed, observed, expected: '0 nulls in each column' };
    }
    case 'unique': {
      const cols = check.columns.map(quoteIdent).join(', ');
      const dupes = `SELECT ${cols}, count(*) AS n FROM ${t} GROUP BY ${cols} HAVING count(*) > 1`;
      const n = Number(await scalar(`SELECT count(*) FROM (${dupes})`));
      const result = { ...base, passed: n === 0, observed: n, expected: '0 duplicated keys' };
      return n === 0 ? result : { ...result, examples: await examples(`${dupes} ORDER BY n DESC, ${cols}`) };
    }
    case 'accepted_values': {
      const c = quoteIdent(check.column);
      const bad = `${c} IS NOT NULL AND ${c} NOT IN ${sqlList(check.values)}`;
      const n = Number(await scalar(`SELECT count(*) FROM ${t} WHERE ${bad}`));
      const result = {
        ...base,
        passed: n === 0,
        observed: n,
        expected: `0 rows outside [${check.values.join(', ')}]`,
      };
      return n === 0
        ? result
        : { ...result, examples: await examples(`SELECT DISTINCT ${c} FROM ${t} WHERE ${bad} ORDER BY 1`) };
    }
    case 'relationship': {
      const c = quoteIdent(check.column);
      const orphan = `${c} IS NOT NULL AND ${c} NOT IN (SELECT ${quoteIdent(check.toColumn)} FROM ${quoteIdent(refView ?? '')} WHERE ${quoteIdent(check.toColumn)} IS NOT NULL)`;
      const n = Number(await scalar(`SELECT count(*) FROM ${t} WHERE ${orphan}`));
      const result = { ...base, passed: n === 0, observed: n, expected: '0 orphan rows' };
      return n === 0
        ? result
        : {
            ...result,
            examples: await examples(`SELECT DISTINCT ${c} FROM ${t} WHERE ${orphan} ORDER BY 1`),
          };
    }
    case 'freshness': {
      const threshold = new Date(Date.parse(reference) - check.maxAgeHours * 3_600_000).toISOString();
      const latest = `CAST(max(${quoteIdent(check.column)}) AS TIMESTAMPTZ)`;
      const fresh = `coalesce(${latest} >= CAST(${quoteLiteral(threshold)} AS TIMESTAMPTZ), FALSE)`;
      const row = (await session.all(`SELECT ${latest} AS latest, ${fresh} AS fresh FROM ${t}`))[0];
      return {
        ...base,
        passed: row?.fresh === true,
        observed: row?.latest ?? null,
        expected: `>= ${threshold} (${check.maxAgeHours}h before ${reference})`,
      };
    }
  }
}

/** Throws a precise message for a check that cannot be evaluated. */
export function checkProblems(check: QualityCheck): string[] {
  const name = checkName(check);
  const problems: string[] = [];
  if (check.kind === 'row_count' && check.min === undefined && check.max === undefined) {
    problems.push(`${name}: set min and/or max`);
  }
  if ((check.kind === 'not_null' || check.kind === 'unique') && check.columns.length === 0) {
    problems.push(`${name}: columns is empty`);
  }
  if (check.kind === 'accepted_values' && check.values.length === 0)
    problems.push(`${name}: values is empty`);
  if (check.kind === 'freshness' && !(check.maxAgeHours > 0))
    problems.push(`${name}: maxAgeHours must be > 0`);
  return problems;
}
