import { defineDag } from '@streampro/engine';
import {
  CHART_FILES,
  computeReport,
  computeTrend,
  renderAnswers,
  renderCharts,
  renderReportMarkdown,
  renderTrendChart,
  stageReportInputs,
  trendDates,
  WINDOWS,
} from './lib/analytics/index.js';
import { DATASET, DATASETS } from './lib/streampro/datasets.js';
import { duckdb, lake } from './lib/streampro/resources.js';

/**
 * Answers StreamPro's three business questions for a report date D from the trusted partitions its windows
 * declare (dags/lib/analytics/inputs.ts). Scheduled on the trusted assets, so a successful `streampro` run for
 * D is followed by this DAG for D, and for every earlier report whose window holds D; a report is provisional
 * until all its partitions exist.
 */
export const analytics = defineDag({
  id: 'analytics',
  description: 'Q1 first-session reach, Q2 retention by genre, Q3 drop-off by device cohort',
  // The report of D reads events D … D+4 and the other datasets up to D+4: a new or re-processed partition
  // in those windows runs the report again.
  schedule: {
    assets: DATASETS.map((d) => DATASET[d].asset),
    partitions: Object.fromEntries(DATASETS.map((d) => [DATASET[d].asset, WINDOWS[d]])),
  },
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
    const { partitions, quality } = await stageReportInputs(session, store, ctx);
    const report = await computeReport(session.connection, ctx.ds, { partitions, quality });
    const prefix = `analytics/report_date=${ctx.ds}/`;
    await store.putBytes(`${prefix}report.json`, `${JSON.stringify(report, null, 2)}\n`);
    for (const [file, svg] of Object.entries(renderCharts(report)))
      await store.putBytes(`${prefix}${file}`, svg);
    // The trend reads the earlier reports as they were last written; it stays out of report.json.
    const earlier: unknown[] = [];
    for (const date of trendDates(ctx.ds).filter((d) => d !== ctx.ds)) {
      const key = `analytics/report_date=${date}/report.json`;
      if (!(await store.exists(key))) continue;
      try {
        earlier.push(JSON.parse((await store.getBytes(key)).toString('utf8')));
      } catch (error) {
        ctx.log.warn(`trend: ${key} is not JSON, left out`, { error: (error as Error).message });
      }
    }
    const trend = computeTrend(ctx.ds, [...earlier, report]);
    await store.putBytes(`${prefix}${CHART_FILES.trend}`, renderTrendChart(trend));
    await store.putBytes(`${prefix}report.md`, renderReportMarkdown(report, { trend }));
    const summary = renderAnswers(report);
    ctx.log.info('report written', { prefix, partitionsRead: report.partitionsRead });
    return {
      reportKey: `${prefix}report.json`,
      markdownKey: `${prefix}report.md`,
      partitionsRead: report.partitionsRead,
      status: report.status,
      windowComplete: report.q2.windowComplete,
      q1Pct: report.q1.pct,
      q2Top: report.q2.top,
      q2ClearWinner: report.q2.clearWinner,
      q3Abnormal: report.q3.abnormal,
      summary,
    };
  },
});

export default analytics;
