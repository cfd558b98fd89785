import type { TableSchema } from '@streampro/operators';
import { devicesSchema, eventsSchema, usersSchema, videosSchema } from './schemas.js';

export const DATASETS = ['users', 'videos', 'devices', 'events'] as const;
export type Dataset = (typeof DATASETS)[number];

/** A column of one dataset that must hold a key of another (checked by the quality task). */
export interface Reference {
  readonly column: string;
  readonly dataset: Dataset;
}

/** Lake keys of one dataset and ingestion date, the same on a local folder and on S3. */
export interface LakeKeys {
  readonly landing: string;
  readonly raw: string;
  readonly trusted: string;
  readonly quarantine: string;
  /** What the trusted task read, wrote, rejected and dropped (JSON), beside the partition's Parquet. */
  readonly counts: string;
}

/** Everything the pipeline knows about one dataset, in one place. */
export interface DatasetFacts {
  readonly name: Dataset;
  /** The data contract of its landing file (types, rules, dedup key). */
  readonly schema: TableSchema;
  readonly format: 'csv' | 'jsonl';
  /** Key column: the schema's dedup key, unique and present in every trusted partition. */
  readonly key: string;
  readonly references: readonly Reference[];
  /** Asset URI the trusted task updates. */
  readonly asset: string;
  /** Prefix of its trusted partitions (`ingestion_date=<ds>/`). */
  readonly trustedPrefix: string;
  landingFile(ds: string): string;
  keys(ds: string): LakeKeys;
}

function dataset(
  name: Dataset,
  schema: TableSchema,
  format: DatasetFacts['format'],
  references: readonly Reference[] = [],
): DatasetFacts {
  const [key, ...more] = schema.dedupKey ?? [];
  if (key === undefined || more.length > 0)
    throw new Error(`dataset ${name}: the schema needs a one-column dedupKey`);
  const landingFile = (ds: string): string => `${name}_${ds}.${format}`;
  return {
    name,
    schema,
    format,
    key,
    references,
    asset: `lake://trusted/${name}`,
    trustedPrefix: `trusted/${name}/`,
    landingFile,
    keys(ds) {
      const file = landingFile(ds);
      const partition = `${name}/ingestion_date=${ds}`;
      return {
        landing: `landing/${partition}/${file}`,
        raw: `raw/${partition}/${file}`,
        trusted: `trusted/${partition}/part-0.parquet`,
        quarantine: `quarantine/${partition}/rejects.jsonl`,
        counts: `trusted/${partition}/_counts.json`,
      };
    },
  };
}

/** The four StreamPro datasets. */
export const DATASET: Readonly<Record<Dataset, DatasetFacts>> = {
  users: dataset('users', usersSchema, 'csv'),
  videos: dataset('videos', videosSchema, 'csv'),
  devices: dataset('devices', devicesSchema, 'csv'),
  events: dataset('events', eventsSchema, 'jsonl', [
    { column: 'user_id', dataset: 'users' },
    { column: 'device_id', dataset: 'devices' },
    { column: 'video_id', dataset: 'videos' },
  ]),
};
