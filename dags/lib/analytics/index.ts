export {
  CHART_FILES,
  renderCharts,
  renderDropOffChart,
  renderRetentionChart,
  renderWatchTimeChart,
} from './charts.js';
export { type DropOffAnswer, dropOffAnswer } from './dropoff.js';
export { type HistogramBin, WATCH_TIME_EDGES, watchTimeHistogram } from './histogram.js';
export {
  ingestionDateOf,
  inputRange,
  missingPartitions,
  requiredDates,
  WINDOW_DAYS,
  WINDOWS,
} from './inputs.js';
export { missingText, renderAnswers, renderReportMarkdown } from './markdown.js';
export {
  computeQuality,
  type DataQuality,
  type DatasetQuality,
  QUARANTINE_TABLE_SQL,
  type SuppliedQuality,
} from './quality.js';
export { BASE_CTES, PARTITIONS_SQL, Q1_SQL, Q1_WATCH_SQL, Q2_SQL, Q3_SQL, WINDOW_SQL } from './queries.js';
export {
  type CohortKey,
  computeReport,
  type DropOffCohort,
  type GenreRetention,
  MISSING_VALUE,
  type PartitionsByTable,
  type Report,
  type ReportOptions,
  THRESHOLDS,
  TRUSTED_TABLES,
  type TrustedTable,
} from './report.js';
export { type RetentionAnswer, retentionAnswer } from './retention.js';
export { type StagedInputs, stageReportInputs } from './stage-inputs.js';
export { stageQuarantine } from './stage-quarantine.js';
export { twoProportionZ, wilsonInterval, Z_95, Z_95_ONE_SIDED } from './stats.js';
export { computeTrend, TREND_DAYS, type Trend, type TrendPoint, trendDates, trendPoint } from './trend.js';
export { renderTrendChart } from './trend-chart.js';
