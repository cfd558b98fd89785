import { defineDag } from '@streampro/engine';
import { copyObjects, toParquet } from '@streampro/operators';
import { DATASET, DATASETS } from './lib/streampro/datasets.js';
import { checkUtf8 } from './lib/streampro/encoding-check.js';
import { checkAgainstManifest } from './lib/streampro/file-manifest.js';
import { qualityChecksFor } from './lib/streampro/quality.js';
import { lake, landing, salt } from './lib/streampro/resources.js';

/**
 * The StreamPro daily pipeline: for each dataset, landing -> raw (byte-identical) -> trusted (validated
 * Parquet, rejects quarantined), then data-quality checks across datasets. Tasks get the lake, the landing
 * folder and the email salt from `ctx.resources`; each try opens what it reads and closes it afterwards.
 */
export const streampro = defineDag({
  id: 'streampro',
  description: 'Daily ingestion of users, videos, devices and playback events: landing -> raw -> trusted',
  schedule: '@daily',
  startDate: '2025-09-01',
  maxActiveTasks: 4,
  defaultTaskOptions: { retries: 2, retryDelay: 2_000, retryExponentialBackoff: true, maxRetryDelay: 30_000 },
  tags: ['streampro', 'ingestion'],
  resources: { lake, landing, salt },
});

const trustedTasks = DATASETS.map((name) => {
  const dataset = DATASET[name];
  const group = streampro.group(name);
  const land = group.task({
    id: 'land',
    description: `Copy ${name}_<date> from the data folder into landing/`,
    run: async (ctx) => {
      const landing = await ctx.resources.landing;
      const file = landing.require(dataset.landingFile(ctx.ds));
      // A delivery with a manifest must match it (size, SHA-256, lines) before anything lands.
      await checkAgainstManifest(landing.path, file, ctx.ds);
      // …and be UTF-8: a file in a legacy 8-bit encoding fails here, naming it, instead of line by line.
      await checkUtf8(landing.path, file);
      return copyObjects({
        source: landing.path,
        destination: await ctx.resources.lake,
        mappings: [{ from: file, to: dataset.keys(ctx.ds).landing }],
        missingIsFatal: true,
      })(ctx);
    },
  });
  const raw = group.task({
    id: 'raw',
    upstream: [land],
    description: 'Byte-identical copy of the landing file into raw/ (never modified afterwards)',
    run: async (ctx) => {
      const store = await ctx.resources.lake;
      const keys = dataset.keys(ctx.ds);
      return copyObjects({
        source: store,
        destination: store,
        mappings: [{ from: keys.landing, to: keys.raw }],
      })(ctx);
    },
  });
  return group.task({
    id: 'trusted',
    upstream: [raw],
    description: 'Validate, normalise and de-duplicate into Parquet; rejected rows go to quarantine/',
    outlets: [dataset.asset],
    run: async (ctx) => {
      const store = await ctx.resources.lake;
      const keys = dataset.keys(ctx.ds);
      const out = await toParquet({
        input: { store, key: keys.raw },
        output: { store, key: keys.trusted },
        quarantine: { key: keys.quarantine },
        schema: dataset.schema,
        maxRejectRatio: 0.2,
        secrets: { email_salt: await ctx.resources.salt },
      })(ctx);
      const { rowsRead, rowsWritten, rowsRejected, rejectedByReason, duplicatesDropped } = out;
      const counts = { rowsRead, rowsWritten, rowsRejected, rejectedByReason, duplicatesDropped };
      await store.putBytes(keys.counts, `${JSON.stringify(counts, null, 2)}\n`);
      ctx.log.info(`${name}: ${out.rowsWritten} rows trusted, ${out.rowsRejected} quarantined`, {
        rejectedByReason: out.rejectedByReason,
        duplicatesDropped: out.duplicatesDropped,
      });
      return out;
    },
  });
});

streampro.task({
  id: 'quality',
  upstream: trustedTasks,
  description: 'Keys unique and not null; events reference known users, devices and videos; rows above zero',
  run: async (ctx) => qualityChecksFor(await ctx.resources.lake)(ctx),
});

export default streampro;
