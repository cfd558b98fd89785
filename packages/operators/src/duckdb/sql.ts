/** SQL text helpers: every identifier and literal that reaches DuckDB from a declaration goes through these. */

/** Quotes an identifier (`"my col"`), doubling embedded quotes. */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** Quotes a string literal (`'it''s'`), doubling embedded quotes. */
export function quoteLiteral(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** A SQL literal for a number, string or boolean value. */
export function sqlValue(value: string | number | boolean): string {
  if (typeof value === 'string') return quoteLiteral(value);
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (!Number.isFinite(value)) throw new RangeError(`not a finite number: ${value}`);
  return String(value);
}

/** `(a, b, c)` for an IN list. */
export function sqlList(values: readonly (string | number | boolean)[]): string {
  return `(${values.map(sqlValue).join(', ')})`;
}

/** A local path as a SQL string literal, with forward slashes so Windows paths also work. */
export function pathLiteral(localPath: string): string {
  return quoteLiteral(localPath.replaceAll('\\', '/'));
}
