import type { DuckDBResultReader, DuckDBTypeId } from '@duckdb/node-api';

/** A value that survives JSON.stringify unchanged (what task outputs must be). */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type JsonRow = Record<string, JsonValue>;

/**
 * Rows of a result as JSON-safe objects. The node-api's own JSON conversion renders BIGINT as a
 * string and timestamps without a `T`; here integers that fit a double become numbers (counts are
 * the common case), larger ones stay exact as strings, DECIMAL becomes a number, DATE `YYYY-MM-DD`
 * and timestamps ISO 8601 UTC, so outputs compare and sort the same in JS as in SQL. `dateTypeId` is the
 * DATE type id of the loaded DuckDB module (passed in so this module does not load DuckDB itself).
 */
export function jsonRows(
  reader: DuckDBResultReader,
  dateTypeId: DuckDBTypeId,
  limit = Number.POSITIVE_INFINITY,
): JsonRow[] {
  const names = reader.deduplicatedColumnNames();
  const dateColumns = names.map((_, i) => reader.columnTypeId(i) === dateTypeId);
  const rows = reader.getRowsJS();
  const out: JsonRow[] = [];
  for (const row of rows.slice(0, Math.min(rows.length, limit))) {
    const obj: JsonRow = {};
    names.forEach((name, i) => {
      obj[name] = toJsonValue(row[i] ?? null, dateColumns[i] === true);
    });
    out.push(obj);
  }
  return out;
}

function toJsonValue(value: unknown, isDate: boolean): JsonValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') {
    return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
      ? Number(value)
      : value.toString();
  }
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) return null;
    const iso = value.toISOString();
    return isDate ? iso.slice(0, 10) : iso;
  }
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (Array.isArray(value)) return value.map((v) => toJsonValue(v, false));
  if (typeof value === 'object') {
    const obj: Record<string, JsonValue> = {};
    for (const [k, v] of Object.entries(value)) obj[k] = toJsonValue(v, false);
    return obj;
  }
  return String(value);
}
