export { CHART_FILES, renderCharts, renderDropOffChart, renderRetentionChart } from './charts.js';
export { renderAnswers, renderReportMarkdown } from './markdown.js';
export { BASE_CTES, PARTITIONS_SQL, Q1_SQL, Q2_SQL, Q3_SQL, WINDOW_SQL } from './queries.js';
export {
  type CohortKey,
  computeReport,
  type DropOffCohort,
  type GenreRetention,
  type Report,
  THRESHOLDS,
  TRUSTED_TABLES,
  type TrustedTable,
} from './report.js';
export { twoProportionZ, wilsonInterval, Z_95, Z_95_ONE_SIDED } from './stats.js';
