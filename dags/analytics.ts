import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { defineDag } from '@streampro/engine';
import { defaultCacheDir, stageDatasets } from '@streampro/operators';
import {
  CHART_FILES,
  computeReport,
  computeTrend,
  type Report,
  renderAnswers,
  renderCharts,
  renderReportMarkdown,
  renderTrendChart,
  stageQuarantine,
  trendDates,
} from './lib/analytics/index.js';
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
    const quarantineDir = await mkdtemp(path.join(tmpdir(), 'streampro-analytics-quarantine-'));
    let report: Report;
    try {
      await stageQuarantine(session.connection, store, quarantineDir, { signal: ctx.signal });
      report = await computeReport(session.connection, ctx.ds);
    } finally {
      await rm(quarantineDir, { recursive: true, force: true });
    }
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
