import { defineDag } from '@streampro/engine';
import { defaultCacheDir, stageDatasets } from '@streampro/operators';
import { computeReport, renderAnswers, renderCharts, renderReportMarkdown } from './lib/analytics/index.js';
import { DATASET, DATASETS } from './lib/streampro/datasets.js';
import { duckdb, lake } from './lib/streampro/resources.js';

/**
 * Answers StreamPro's three business questions for a report date over all trusted data available when it
 * runs. Scheduled on the trusted assets, so a successful `streampro` run for D is followed by this DAG for D.
 */
export const analytics = defineDag({
  id: 'analytics',
  description: 'Q1 first-session reach, Q2 retention by genre, Q3 drop-off by device cohort',
  schedule: { assets: DATASETS.map((d) => DATASET[d].asset) },
  startDate: '2025-09-01',
  defaultTaskOptions: { retries: 1, retryDelay: 2_000 },
  tags: ['streampro', 'analytics'],
  resources: { lake, duckdb },
});

analytics.task({
  id: 'report',
  description: 'Compute report.json and report.md (with SVG charts) under analytics/report_date=<date>/',
  run: async (ctx) => {
    const store = await ctx.resources.lake;
    const session = await ctx.resources.duckdb;
    const inputs = Object.fromEntries(DATASETS.map((d) => [d, { store, prefix: DATASET[d].trustedPrefix }]));
    await stageDatasets(session, inputs, ctx, { cacheDir: defaultCacheDir() });
    const report = await computeReport(session.connection, ctx.ds);
    const prefix = `analytics/report_date=${ctx.ds}/`;
    await store.putBytes(`${prefix}report.json`, `${JSON.stringify(report, null, 2)}\n`);
    for (const [file, svg] of Object.entries(renderCharts(report)))
      await store.putBytes(`${prefix}${file}`, svg);
    await store.putBytes(`${prefix}report.md`, renderReportMarkdown(report));
    const summary = renderAnswers(report);
    ctx.log.info('report written', { prefix, partitionsRead: report.partitionsRead });
    return {
      reportKey: `${prefix}report.json`,
      markdownKey: `${prefix}report.md`,
      partitionsRead: report.partitionsRead,
      windowComplete: report.q2.windowComplete,
      q1Pct: report.q1.pct,
      q2Top: report.q2.top,
      q3Abnormal: report.q3.abnormal,
      summary,
    };
  },
});

export default analytics;
