/**
 * Loads the lake's quarantine files into the DuckDB table `quarantine` that the report's
 * data-quality section reads: one row per rejected line, with its dataset, ingestion date and reason.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { ObjectStore } from '@streampro/operators';
import { QUARANTINE_TABLE_SQL } from './quality.js';
import { type PartitionsByTable, TRUSTED_TABLES, type TrustedTable } from './tables.js';

const KEY = /^quarantine\/([a-z]+)\/ingestion_date=(\d{4}-\d{2}-\d{2})\/[^/]+\.jsonl$/;

const literal = (text: string): string => `'${text.replaceAll("'", "''")}'`;

/**
 * Downloads every `quarantine/<dataset>/ingestion_date=D/*.jsonl` (only the dates in `partitions`
 * when given) into `dir` and (re)creates `quarantine` from them. Returns the keys loaded, sorted.
 */
export async function stageQuarantine(
  connection: DuckDBConnection,
  store: ObjectStore,
  dir: string,
  options: { partitions?: PartitionsByTable; signal?: AbortSignal } = {},
): Promise<string[]> {
  await connection.run(QUARANTINE_TABLE_SQL);
  const signal = options.signal ? { signal: options.signal } : {};
  const loaded: string[] = [];
  for (const object of await store.list('quarantine/', signal)) {
    const match = KEY.exec(object.key);
    const table = TRUSTED_TABLES.find((t): t is TrustedTable => t === match?.[1]);
    const date = match?.[2];
    if (table === undefined || date === undefined) continue;
    if (options.partitions && !options.partitions[table].includes(date)) continue;
    const local = path.join(dir, ...object.key.split('/'));
    await mkdir(path.dirname(local), { recursive: true });
    await store.getToFile(object.key, local, signal);
    await connection.run(
      `INSERT INTO quarantine SELECT ${literal(table)}, DATE ${literal(date)}, reason
       FROM read_json(${literal(local)}, format = 'newline_delimited', columns = {reason: 'VARCHAR'})`,
    );
    loaded.push(object.key);
  }
  return loaded.sort();
}
