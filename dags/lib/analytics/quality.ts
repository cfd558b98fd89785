/**
 * The report's data-quality section, from what the lake keeps per ingestion partition: the trusted
 * Parquet (rows written) and quarantine/<dataset>/ingestion_date=D/rejects.jsonl (rows rejected, by
 * reason), staged as the relation `quarantine` (QUARANTINE_TABLE_SQL). Duplicates dropped are not
 * persisted anywhere (only returned by toParquet), so they, and rows read (written + quarantined +
 * duplicates), are known only when the caller supplies them; otherwise null.
 */
import type { DuckDBConnection, Json } from '@duckdb/node-api';
import { type PartitionsByTable, TRUSTED_TABLES, type TrustedTable } from './tables.js';

/** The relation computeReport reads rejects from: one row per quarantined line. */
export const QUARANTINE_TABLE_SQL =
  'CREATE OR REPLACE TABLE quarantine (dataset VARCHAR, ingestion_date DATE, reason VARCHAR)';

/** Rows per trusted partition. */
export const WRITTEN_SQL = TRUSTED_TABLES.map(
  (t) =>
    `SELECT '${t}' AS dataset, strftime(ingestion_date, '%Y-%m-%d') AS ingestion_date, count(*)::INTEGER AS n FROM ${t} GROUP BY ALL`,
).join('\nUNION ALL ');

/** Quarantined rows per partition and reason. */
export const QUARANTINED_SQL = `SELECT dataset, strftime(ingestion_date, '%Y-%m-%d') AS ingestion_date, reason, count(*)::INTEGER AS n
FROM quarantine GROUP BY ALL`;

export interface DatasetQuality {
  /** The ingestion dates these figures cover: those the report read. */
  readonly partitions: readonly string[];
  /** written + quarantined + duplicatesDropped; null when duplicates are not known. */
  readonly rowsRead: number | null;
  readonly rowsWritten: number;
  readonly quarantined: number;
  /** Keys sorted. */
  readonly quarantinedByReason: Readonly<Record<string, number>>;
  /** Exact repeats dropped by toParquet; null unless supplied for every partition read. */
  readonly duplicatesDropped: number | null;
}

export type DataQuality = Readonly<Record<TrustedTable, DatasetQuality>>;

/** Counts the lake does not keep, per table and ingestion date, from whoever has them (toParquet's output). */
export type SuppliedQuality = Readonly<
  Partial<Record<TrustedTable, Readonly<Record<string, { readonly duplicatesDropped: number }>>>>
>;

const num = (row: Record<string, Json>, key: string): number => {
  const v = row[key];
  if (typeof v !== 'number') throw new TypeError(`analytics quality: column "${key}" is not a number`);
  return v;
};
const str = (row: Record<string, Json>, key: string): string => {
  const v = row[key];
  if (typeof v !== 'string') throw new TypeError(`analytics quality: column "${key}" is not a string`);
  return v;
};

export async function computeQuality(
  connection: DuckDBConnection,
  partitions: PartitionsByTable,
  supplied: SuppliedQuality = {},
): Promise<DataQuality> {
  const read = async (sql: string) => (await connection.runAndReadAll(sql)).getRowObjectsJson();
  const inWindow = (row: Record<string, Json>): TrustedTable | undefined => {
    const table = TRUSTED_TABLES.find((t) => t === row.dataset);
    return table !== undefined && partitions[table].includes(str(row, 'ingestion_date')) ? table : undefined;
  };
  const written = Object.fromEntries(TRUSTED_TABLES.map((t) => [t, 0])) as Record<TrustedTable, number>;
  for (const row of await read(WRITTEN_SQL)) {
    const table = inWindow(row);
    if (table) written[table] += num(row, 'n');
  }
  const reasons = Object.fromEntries(TRUSTED_TABLES.map((t) => [t, new Map<string, number>()])) as Record<
    TrustedTable,
    Map<string, number>
  >;
  for (const row of await read(QUARANTINED_SQL)) {
    const table = inWindow(row);
    if (!table) continue;
    const reason = row.reason === null ? '(none)' : str(row, 'reason');
    reasons[table].set(reason, (reasons[table].get(reason) ?? 0) + num(row, 'n'));
  }
  const entry = (table: TrustedTable): DatasetQuality => {
    const byReason = [...reasons[table]].sort(([a], [b]) => (a < b ? -1 : 1));
    const quarantined = byReason.reduce((sum, [, n]) => sum + n, 0);
    const dates = [...partitions[table]].sort();
    const known = dates.map((d) => supplied[table]?.[d]?.duplicatesDropped);
    const duplicatesDropped = known.every((n) => n !== undefined)
      ? known.reduce<number>((sum, n) => sum + n, 0)
      : null;
    return {
      partitions: dates,
      rowsRead: duplicatesDropped === null ? null : written[table] + quarantined + duplicatesDropped,
      rowsWritten: written[table],
      quarantined,
      quarantinedByReason: Object.fromEntries(byReason),
      duplicatesDropped,
    };
  };
  return Object.fromEntries(TRUSTED_TABLES.map((t) => [t, entry(t)])) as Record<TrustedTable, DatasetQuality>;
}
