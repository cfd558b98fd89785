import fs from 'node:fs';
import path from 'node:path';
import { defineDag, NonRetryableError } from '@streampro/engine';
import { copyObjects, lakeUri, type OperatorContext, openStore, toParquet } from '@streampro/operators';
import {
  DATASETS,
  type Dataset,
  dataDir,
  emailSalt,
  lakeKeys,
  landingFileName,
  trustedAsset,
} from './lib/streampro/config.js';
import { checkAgainstManifest } from './lib/streampro/file-manifest.js';
import { qualityChecksFor } from './lib/streampro/quality.js';
import { devicesSchema, eventsSchema, usersSchema, videosSchema } from './lib/streampro/schemas.js';

const SCHEMAS = { users: usersSchema, videos: videosSchema, devices: devicesSchema, events: eventsSchema };

/**
 * The StreamPro daily pipeline: for each dataset, landing -> raw (byte-identical) -> trusted (validated
 * Parquet, rejects quarantined), then data-quality checks across datasets.
 */
export const streampro = defineDag({
  id: 'streampro',
  description: 'Daily ingestion of users, videos, devices and playback events: landing -> raw -> trusted',
  schedule: '@daily',
  startDate: '2025-09-01',
  maxActiveTasks: 4,
  defaultTaskOptions: { retries: 2, retryDelay: 2_000, retryExponentialBackoff: true, maxRetryDelay: 30_000 },
  tags: ['streampro', 'ingestion'],
});

/** Opens the lake for one task and closes it afterwards, whatever happens. */
async function withLake<T>(fn: (lake: Awaited<ReturnType<typeof openStore>>) => Promise<T>): Promise<T> {
  const lake = await openStore(lakeUri());
  try {
    return await fn(lake);
  } finally {
    await lake.close();
  }
}

function landingTask(dataset: Dataset) {
  return async (ctx: OperatorContext) => {
    const folder = dataDir();
    const file = landingFileName(dataset, ctx.ds);
    if (!fs.existsSync(path.join(folder, file))) {
      throw new NonRetryableError(
        `landing file ${file} not found in data folder ${folder}: put the day's files there ` +
          '(npm run generate -- --start D --end D writes them) or set STREAMPRO_DATA_DIR',
      );
    }
    await checkAgainstManifest(folder, file, ctx.ds);
    return withLake((lake) =>
      copyObjects({
        source: folder,
        destination: lake,
        mappings: [{ from: file, to: lakeKeys(dataset, ctx.ds).landing }],
        missingIsFatal: true,
      })(ctx),
    );
  };
}

const trustedTasks = DATASETS.map((dataset) => {
  const group = streampro.group(dataset);
  const land = group.task({
    id: 'land',
    description: `Copy ${dataset}_<date> from the data folder into landing/`,
    run: landingTask(dataset),
  });
  const raw = group.task({
    id: 'raw',
    upstream: [land],
    description: 'Byte-identical copy of the landing file into raw/ (never modified afterwards)',
    run: (ctx) =>
      withLake((lake) => {
        const keys = lakeKeys(dataset, ctx.ds);
        return copyObjects({
          source: lake,
          destination: lake,
          mappings: [{ from: keys.landing, to: keys.raw }],
        })(ctx);
      }),
  });
  return group.task({
    id: 'trusted',
    upstream: [raw],
    description: 'Validate, normalise and de-duplicate into Parquet; rejected rows go to quarantine/',
    outlets: [trustedAsset(dataset)],
    run: (ctx) =>
      withLake(async (lake) => {
        const keys = lakeKeys(dataset, ctx.ds);
        const salt = emailSalt();
        ctx.maskSecret(salt);
        const out = await toParquet({
          input: { store: lake, key: keys.raw },
          output: { store: lake, key: keys.trusted },
          quarantine: { key: keys.quarantine },
          schema: SCHEMAS[dataset],
          maxRejectRatio: 0.2,
          secrets: { email_salt: salt },
        })(ctx);
        ctx.log.info(`${dataset}: ${out.rowsWritten} rows trusted, ${out.rowsRejected} quarantined`, {
          rejectedByReason: out.rejectedByReason,
          duplicatesDropped: out.duplicatesDropped,
        });
        return out;
      }),
  });
});

streampro.task({
  id: 'quality',
  upstream: trustedTasks,
  description: 'Keys unique and not null; events reference known users, devices and videos; rows above zero',
  run: (ctx) => withLake((lake) => qualityChecksFor(lake)(ctx)),
});

export default streampro;
