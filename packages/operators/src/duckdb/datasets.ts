import { createHash } from 'node:crypto';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { NonRetryableError } from '@streampro/engine';
import type { ObjectInfo, ObjectStore } from '../storage/object-store.js';
import { type OperatorContext, type Resolvable, resolve } from '../tasks/operator.js';
import type { DuckDBSession } from './session.js';
import { pathLiteral, quoteIdent } from './sql.js';

/** Partitions `column=from` .. `column=to` (inclusive, compared as strings: use ISO dates). */
export interface PartitionRange {
  /** Hive partition column in the object keys. @default 'ingestion_date' */
  readonly column?: string;
  readonly from?: string;
  readonly to?: string;
}

/** An explicit set of partition values. */
export interface PartitionList {
  /** @default 'ingestion_date' */
  readonly column?: string;
  readonly values: readonly string[];
}

/** A Parquet dataset: every `.parquet` object under a prefix, optionally restricted to partitions. */
export interface DatasetInput {
  readonly store: ObjectStore;
  readonly prefix: Resolvable<string>;
  readonly partitions?: Resolvable<PartitionRange | PartitionList>;
}

export interface StagedDataset {
  readonly name: string;
  readonly prefix: string;
  /** Keys of the staged objects, sorted. */
  readonly keys: string[];
  /** Objects fetched from the store this time (the rest came from the cache). */
  readonly downloaded: number;
}

export interface StageOptions {
  /** Folder that keeps downloaded objects between runs, keyed by store and object key. */
  readonly cacheDir: string;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Downloads each dataset's objects into the cache (skipping objects already there with the same
 * size and etag) and exposes each as a view named after the input, with hive partition columns.
 */
export async function stageDatasets(
  session: DuckDBSession,
  inputs: Readonly<Record<string, DatasetInput>>,
  ctx: OperatorContext,
  options: StageOptions,
): Promise<StagedDataset[]> {
  const staged: StagedDataset[] = [];
  for (const [name, input] of Object.entries(inputs)) {
    if (!NAME.test(name))
      throw new NonRetryableError(`dataset name ${JSON.stringify(name)} must be a SQL identifier`);
    const prefix = await resolve(input.prefix, ctx);
    const partitions = input.partitions === undefined ? undefined : await resolve(input.partitions, ctx);
    const objects = (await input.store.list(prefix, { signal: ctx.signal })).filter(
      (o) => o.key.endsWith('.parquet') && inPartitions(o.key, partitions),
    );
    if (objects.length === 0) {
      throw new NonRetryableError(
        `dataset ${name}: no Parquet object under ${input.store.uri} prefix ${JSON.stringify(prefix)}${describe(partitions)}`,
      );
    }
    const storeDir = path.join(
      options.cacheDir,
      createHash('sha256').update(input.store.uri).digest('hex').slice(0, 16),
    );
    const files: string[] = [];
    let downloaded = 0;
    for (const object of objects) {
      const local = path.join(storeDir, ...object.key.split('/'));
      if (!(await isCached(local, object))) {
        await mkdir(path.dirname(local), { recursive: true });
        const info = await input.store.getToFile(object.key, local, { signal: ctx.signal });
        await writeFile(metaPath(local), JSON.stringify(cacheTag(info)));
        downloaded += 1;
      }
      files.push(local);
    }
    await session.run(
      `CREATE OR REPLACE VIEW ${quoteIdent(name)} AS SELECT * FROM read_parquet([${files.map(pathLiteral).join(', ')}], hive_partitioning = true, union_by_name = true)`,
    );
    staged.push({ name, prefix, keys: objects.map((o) => o.key), downloaded });
  }
  return staged;
}

function inPartitions(key: string, partitions: PartitionRange | PartitionList | undefined): boolean {
  if (partitions === undefined) return true;
  const column = partitions.column ?? 'ingestion_date';
  const segment = key.split('/').find((s) => s.startsWith(`${column}=`));
  if (segment === undefined) return false;
  const value = decodeURIComponent(segment.slice(column.length + 1));
  if ('values' in partitions) return partitions.values.includes(value);
  return (
    (partitions.from === undefined || value >= partitions.from) &&
    (partitions.to === undefined || value <= partitions.to)
  );
}

function describe(partitions: PartitionRange | PartitionList | undefined): string {
  if (partitions === undefined) return '';
  const column = partitions.column ?? 'ingestion_date';
  if ('values' in partitions) return ` with ${column} in [${partitions.values.join(', ')}]`;
  return ` with ${column} from ${partitions.from ?? '-'} to ${partitions.to ?? '-'}`;
}

interface CacheTag {
  readonly size: number;
  readonly etag: string | null;
}

function cacheTag(info: ObjectInfo): CacheTag {
  // Without an etag the modification time stands in, so a rewritten object of equal size is refetched.
  return { size: info.size, etag: info.etag ?? info.lastModified.toISOString() };
}

function metaPath(local: string): string {
  return `${local}.cache.json`;
}

async function isCached(local: string, object: ObjectInfo): Promise<boolean> {
  try {
    const [tag, file] = await Promise.all([readFile(metaPath(local), 'utf8'), stat(local)]);
    const cached = JSON.parse(tag) as CacheTag;
    const wanted = cacheTag(object);
    return file.size === object.size && cached.size === wanted.size && cached.etag === wanted.etag;
  } catch {
    return false;
  }
}
