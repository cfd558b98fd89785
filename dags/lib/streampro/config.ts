import path from 'node:path';

/**
 * Where the pipeline reads and writes, from the environment the CLI prepares (a profile may point the lake
 * at S3). Read at run time, not import time, so `dag list` never touches storage.
 */
export function dataDir(): string {
  return path.resolve(process.env.STREAMPRO_DATA_DIR ?? 'data');
}

/** Development salt for email pseudonymisation; production sets STREAMPRO_EMAIL_SALT to a secret. */
export const DEV_EMAIL_SALT = 'streampro-dev-salt';

export function emailSalt(): string {
  return process.env.STREAMPRO_EMAIL_SALT || DEV_EMAIL_SALT;
}

export const DATASETS = ['users', 'videos', 'devices', 'events'] as const;
export type Dataset = (typeof DATASETS)[number];

export function landingFileName(dataset: Dataset, ds: string): string {
  return `${dataset}_${ds}.${dataset === 'events' ? 'jsonl' : 'csv'}`;
}

/** Lake keys of one dataset and ingestion date, the same on a local folder and on S3. */
export function lakeKeys(dataset: Dataset, ds: string) {
  const file = landingFileName(dataset, ds);
  const partition = `${dataset}/ingestion_date=${ds}`;
  return {
    landing: `landing/${partition}/${file}`,
    raw: `raw/${partition}/${file}`,
    trusted: `trusted/${partition}/part-0.parquet`,
    quarantine: `quarantine/${partition}/rejects.jsonl`,
  };
}

export function trustedAsset(dataset: Dataset): string {
  return `lake://trusted/${dataset}`;
}
