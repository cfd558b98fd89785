/**
 * Stages exactly the partitions the report of D declares (inputs.ts) into DuckDB: the four trusted views, the
 * quarantine rows of the same dates, and the counts the trusted task recorded beside each partition.
 */
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import {
  type DuckDBSession,
  defaultCacheDir,
  makeWorkFolder,
  type ObjectStore,
  type OperatorContext,
  stageDatasets,
} from '@streampro/operators';
import { DATASET } from '../streampro/datasets.js';
import { ingestionDateOf, inputRange } from './inputs.js';
import type { SuppliedQuality } from './quality.js';
import { stageQuarantine } from './stage-quarantine.js';
import { type PartitionsByTable, TRUSTED_TABLES, type TrustedTable } from './tables.js';

export interface StagedInputs {
  /** Ingestion dates staged per table (a partition counts when its Parquet object exists). */
  readonly partitions: PartitionsByTable;
  /** Duplicates dropped per partition, from the counts files the pipeline writes. */
  readonly quality: SuppliedQuality;
}

export async function stageReportInputs(
  session: DuckDBSession,
  store: ObjectStore,
  ctx: OperatorContext,
): Promise<StagedInputs> {
  const inputs = Object.fromEntries(
    TRUSTED_TABLES.map((t) => [
      t,
      { store, prefix: DATASET[t].trustedPrefix, partitions: inputRange(t, ctx.ds) },
    ]),
  );
  const staged = await stageDatasets(session, inputs, ctx, { cacheDir: defaultCacheDir() });
  const partitions = {} as Record<TrustedTable, string[]>;
  for (const s of staged) {
    const table = TRUSTED_TABLES.find((t) => t === s.name)!;
    partitions[table] = [
      ...new Set(s.keys.map(ingestionDateOf).filter((d): d is string => d !== undefined)),
    ].sort();
  }
  const dir = await makeWorkFolder(tmpdir(), 'streampro-analytics-quarantine-');
  try {
    await stageQuarantine(session.connection, store, dir, { partitions, signal: ctx.signal });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const quality: Partial<Record<TrustedTable, Record<string, { duplicatesDropped: number }>>> = {};
  for (const table of TRUSTED_TABLES) {
    const byDate: Record<string, { duplicatesDropped: number }> = {};
    for (const date of partitions[table]) {
      const key = DATASET[table].keys(date).counts;
      if (!(await store.exists(key))) continue;
      const counts: unknown = JSON.parse((await store.getBytes(key)).toString('utf8'));
      const dropped = (counts as { duplicatesDropped?: unknown }).duplicatesDropped;
      if (typeof dropped === 'number') byDate[date] = { duplicatesDropped: dropped };
    }
    quality[table] = byDate;
  }
  return { partitions, quality };
}
