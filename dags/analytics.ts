import { defineDag } from '@streampro/engine';
import { defaultCacheDir, lakeUri, openStore, stageDatasets, withWorkSession } from '@streampro/operators';
import { computeReport, renderAnswers, renderCharts, renderReportMarkdown } from './lib/analytics/index.js';
import { DATASETS, trustedAsset } from './lib/streampro/config.js';

/**
 * Answers StreamPro's three business questions for a report date over all trusted data available when it
 * runs. Scheduled on the trusted assets, so a successful `streampro` run for D is followed by this DAG for D.
 */
export const analytics = defineDag({
  id: 'analytics',
  description: 'Q1 first-session reach, Q2 retention by genre, Q3 drop-off by device cohort',
  schedule: { assets: DATASETS.map(trustedAsset) },
  startDate: '2025-09-01',
  defaultTaskOptions: { retries: 1, retryDelay: 2_000 },
  tags: ['streampro', 'analytics'],
});

analytics.task({
  id: 'report',
  description: 'Compute report.json and report.md (with SVG charts) under analytics/report_date=<date>/',
  run: async (ctx) => {
    const lake = await openStore(lakeUri());
    try {
      const report = await withWorkSession({}, ctx, 'streampro-analytics-', async (session) => {
        const inputs = Object.fromEntries(DATASETS.map((d) => [d, { store: lake, prefix: `trusted/${d}/` }]));
        await stageDatasets(session, inputs, ctx, { cacheDir: defaultCacheDir() });
        return computeReport(session.connection, ctx.ds);
      });
      const prefix = `analytics/report_date=${ctx.ds}/`;
      await lake.putBytes(`${prefix}report.json`, `${JSON.stringify(report, null, 2)}\n`);
      for (const [file, svg] of Object.entries(renderCharts(report)))
        await lake.putBytes(`${prefix}${file}`, svg);
      await lake.putBytes(`${prefix}report.md`, renderReportMarkdown(report));
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
    } finally {
      await lake.close();
    }
  },
});

export default analytics;
