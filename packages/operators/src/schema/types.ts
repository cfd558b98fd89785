/**
 * Declarative, typed table schemas for `toParquet`. A schema lists the columns of a raw CSV or
 * JSON Lines file, how each value is normalised, what makes a row invalid, which key
 * de-duplicates rows, and which columns are derived by SQL; `InferRow` gives the row type of the
 * Parquet output so downstream code is checked against the declaration.
 */

export type ColumnType = 'string' | 'integer' | 'double' | 'boolean' | 'timestamp' | 'date';

interface ColumnBase {
  /** Name of the field in the source (CSV header or JSON key). @default the column's name */
  readonly source?: string;
  /** A null (missing or empty) value rejects the row with `missing_required:<column>`. @default false */
  readonly required?: boolean;
  /** Strip leading and trailing spaces before anything else (tabs are kept, as SQL `trim` does). @default true */
  readonly trim?: boolean;
  /** Treat an empty string (after trimming) as null. @default true */
  readonly emptyAsNull?: boolean;
  /** Regular expression (RE2 syntax, unanchored: add `^`/`$`) the source text must match, else `pattern:<column>`. */
  readonly pattern?: string;
}

export interface StringColumn extends ColumnBase {
  readonly type: 'string';
  /** Case folding applied after trimming. */
  readonly case?: 'lower' | 'upper';
  /**
   * Canonical spellings: a value matching one of them ignoring case and whitespace is replaced by
   * it (` IOS` -> `iOS`); any other value rejects the row with `not_allowed:<column>`.
   */
  readonly canonical?: readonly string[];
  /** Extra spellings of canonical values, matched like `canonical` (e.g. `{ 'apple tv': 'TV' }`). */
  readonly aliases?: Readonly<Record<string, string>>;
  /** Values allowed after normalisation, compared exactly; else `not_allowed:<column>`. */
  readonly allowed?: readonly string[];
}

export interface IntegerColumn extends ColumnBase {
  readonly type: 'integer';
  /** Inclusive bounds; else `out_of_range:<column>`. */
  readonly min?: number;
  readonly max?: number;
  readonly allowed?: readonly number[];
}

export interface DoubleColumn extends ColumnBase {
  readonly type: 'double';
  readonly min?: number;
  readonly max?: number;
}

export interface BooleanColumn extends ColumnBase {
  readonly type: 'boolean';
}

export interface TimestampColumn extends ColumnBase {
  /**
   * An instant: ISO 8601 with any offset or `Z`, stored as UTC (Parquet `isAdjustedToUTC`).
   * A value without an offset is read as UTC.
   */
  readonly type: 'timestamp';
  /**
   * Reject a value without an offset or `Z` (`missing_offset:<column>`) instead of reading it as UTC.
   * @default false
   */
  readonly requireOffset?: boolean;
  /** Inclusive bounds as ISO 8601 strings. */
  readonly min?: string;
  readonly max?: string;
  /**
   * Bounds relative to the run's date D (`ctx.ds`, for a lake the ingestion date), by UTC day: a value whose
   * UTC day is before D − `daysBefore` or after D + `daysAfter` is `out_of_range:<column>`.
   */
  readonly window?: { readonly daysBefore: number; readonly daysAfter: number };
}

export interface DateColumn extends ColumnBase {
  readonly type: 'date';
  /** Inclusive bounds as `YYYY-MM-DD`. */
  readonly min?: string;
  readonly max?: string;
}

export type ColumnSpec =
  | StringColumn
  | IntegerColumn
  | DoubleColumn
  | BooleanColumn
  | TimestampColumn
  | DateColumn;

/** A named row-level rule over the normalised columns; a row where it is false or NULL is rejected. */
export interface RowCheck {
  /** Stable name; rejects carry the reason `check:<name>`. */
  readonly name: string;
  /** SQL boolean expression over the normalised column names, e.g. `watch_time IS NULL OR watch_time >= 0`. */
  readonly predicate: string;
  /** Human explanation, written to the quarantine record's `detail`. */
  readonly reason: string;
}

/** A column computed by SQL from the normalised columns of a valid row. */
export interface DerivedColumn {
  readonly type: ColumnType;
  /** SQL expression; session variables set from `secrets` are read with `getvariable('name')`. */
  readonly sql: string;
}

export type ColumnSpecs = Readonly<Record<string, ColumnSpec>>;
export type DerivedColumns = Readonly<Record<string, DerivedColumn>>;

export interface TableSchema<C extends ColumnSpecs = ColumnSpecs, D extends DerivedColumns = DerivedColumns> {
  readonly columns: C;
  /** Row-level checks, evaluated after every column passed its own rules, in order. */
  readonly checks?: readonly RowCheck[];
  /**
   * Columns identifying a row: later rows with the same key (by line number) are dropped and
   * counted as duplicates, not quarantined. Rows whose key has a null are never duplicates.
   */
  readonly dedupKey?: readonly string[];
  readonly derived?: D;
  /** Source columns left out of the output (e.g. a raw email once its hash is derived). */
  readonly drop?: readonly string[];
}

/**
 * Declares a schema, checking at compile time that `dedupKey` and `drop` name declared columns,
 * and keeping its literal column names and types for `InferRow`. (The key lists are plain
 * strings in `TableSchema` itself so that any declared schema is assignable to it.)
 */
export function defineSchema<
  const C extends ColumnSpecs,
  const D extends DerivedColumns = Record<never, never>,
  const X extends keyof C & string = never,
>(
  schema: TableSchema<C, D> & {
    readonly dedupKey?: readonly (keyof C & string)[];
    readonly drop?: readonly X[];
  },
): TableSchema<C, D> & { readonly drop?: readonly X[] } {
  return schema;
}

/** TypeScript type of a column value as read back from the Parquet output (timestamps/dates as ISO strings). */
export type ValueOf<T extends ColumnType> = T extends 'string' | 'timestamp' | 'date'
  ? string
  : T extends 'integer' | 'double'
    ? number
    : boolean;

type ColumnValue<S extends ColumnSpec> = S extends { readonly required: true }
  ? ValueOf<S['type']>
  : ValueOf<S['type']> | null;

type DroppedOf<S> = S extends { readonly drop?: readonly (infer X)[] } ? X : never;

/** The row type of a schema's Parquet output: kept columns plus derived ones (derived values may be null). */
export type InferRow<S> =
  S extends TableSchema<infer C, infer D>
    ? {
        [K in Exclude<keyof C, DroppedOf<S>>]: ColumnValue<C[K]>;
      } & {
        [K in keyof D]: ValueOf<D[K]['type']> | null;
      }
    : never;
