/** Human-readable renderings of a Report: a Markdown document and three terminal lines. */
import { CHART_FILES } from './charts.js';
import type { DataQuality } from './quality.js';
import { type Report, THRESHOLDS } from './report.js';
import { Z_95_ONE_SIDED } from './stats.js';
import { TRUSTED_TABLES } from './tables.js';
import type { Trend } from './trend.js';
import { pct, q1Headline, q1Pct, q2Headline, q3Headline } from './wording.js';

const cell = (text: string): string => text.replaceAll('|', '\\|');
const interval = ([lo, hi]: readonly [number, number]): string => `${pct(lo)}–${pct(hi)}`;
const known = (n: number | null): string => (n === null ? 'n/a' : String(n));

/** Dates in words: `none`, `2025-09-09, 2025-09-10`, or from four on `2025-09-01 … 2025-09-13 (13)`. */
function dateList(dates: readonly string[]): string {
  if (dates.length === 0) return 'none';
  if (dates.length < 4) return dates.join(', ');
  return `${dates[0]} … ${dates[dates.length - 1]} (${dates.length})`;
}

/** What a provisional report still waits for, in words: `events 2025-09-10 … 2025-09-13`. */
export function missingText(report: Report): string {
  const dates = [...new Set(Object.values(report.partitionsMissing).flat())].sort();
  if (dates.length === 0) return 'nothing';
  return dates.length === 1 ? dates[0]! : `${dates[0]} … ${dates[dates.length - 1]}`;
}

/** Short lines for the terminal: the status, then one per question. */
export function renderAnswers(report: Report): string {
  const status =
    report.status === 'final'
      ? `Report ${report.reportDate}: final (every partition its windows need was read)`
      : `Report ${report.reportDate}: provisional (waiting for partitions ${missingText(report)})`;
  return [
    status,
    `Q1  ${q1Headline(report)}`,
    `Q2  top genre for ${report.q2.windowHours} h 2nd-session retention: ${q2Headline(report)}`,
    `Q3  abnormal drop-off: ${q3Headline(report)}`,
  ].join('\n');
}

function qualitySection(quality: DataQuality): string[] {
  const reasons = (q: DataQuality[keyof DataQuality]): string =>
    Object.keys(q.quarantinedByReason).length === 0
      ? '—'
      : Object.entries(q.quarantinedByReason)
          .map(([reason, n]) => `${cell(reason)} ${n}`)
          .join(', ');
  return [
    '## Data quality',
    '',
    'Over the partitions read. Written = rows in the trusted Parquet; quarantined = rows in quarantine/ by ' +
      'reason; duplicates = exact repeats dropped, from the counts the trusted task records beside each ' +
      'partition (n/a for a partition without them); read = written + quarantined + duplicates.',
    '',
    '| Dataset | Partitions | Read | Written | Quarantined | By reason | Duplicates |',
    '|---|---:|---:|---:|---:|---|---:|',
    ...TRUSTED_TABLES.map((t) => {
      const q = quality[t];
      return `| ${t} | ${q.partitions.length} | ${known(q.rowsRead)} | ${q.rowsWritten} | ${q.quarantined} | ${reasons(q)} | ${known(q.duplicatesDropped)} |`;
    }),
    '',
  ];
}

function trendSection(trend: Trend, dir: string): string[] {
  const first = trend.dates[0] ?? '';
  const last = trend.dates[trend.dates.length - 1] ?? '';
  return [
    `## Trend — ${first} to ${last}`,
    '',
    `From the report.json of each of these report dates as it was last written (${trend.points.length} of ` +
      `${trend.dates.length} dates have one); not part of report.json.`,
    '',
    `![Trend of Q1–Q3](${dir}${CHART_FILES.trend})`,
    '',
    '| Report date | Q1 | Q2 top | Q2 rate | Clear lead | Q3 abnormal |',
    '|---|---:|---|---:|---|---|',
    ...trend.points.map(
      (p) =>
        `| ${p.reportDate} | ${p.q1Pct === null ? 'n/a' : `${p.q1Pct.toFixed(1)}%`} | ${cell(p.q2Top ?? '—')} | ` +
        `${p.q2TopRate === null ? '—' : pct(p.q2TopRate)} | ${p.q2ClearWinner === null ? 'n/a' : p.q2ClearWinner ? 'yes' : 'no'} | ` +
        `${p.q3Abnormal.length === 0 ? '—' : cell(p.q3Abnormal.join(', '))} |`,
    ),
    '',
  ];
}

/**
 * The report as Markdown. Charts are linked as relative files (see CHART_FILES / renderCharts,
 * renderTrendChart), because GitHub renders neither inline SVG nor data: URIs; `chartDir` is the
 * link prefix. With `trend`, a trend section is added (it is not part of the report itself).
 */
export function renderReportMarkdown(
  report: Report,
  options: { chartDir?: string; trend?: Trend } = {},
): string {
  const dir =
    options.chartDir === undefined || options.chartDir === ''
      ? ''
      : `${options.chartDir.replace(/\/$/, '')}/`;
  const { q1, q2, q3 } = report;
  const eligible = q3.cohorts.filter((c) => c.eligible);
  const small = q3.cohorts.filter((c) => !c.eligible);
  const lines = [
    `# StreamPro analytics — ${report.reportDate}`,
    '',
    '```text',
    renderAnswers(report),
    '```',
    '',
    `Status: **${report.status}**. Partitions read: ${Object.entries(report.partitionsRead)
      .map(([table, dates]) => `${table} ${dateList(dates)}`)
      .join('; ')}.`,
    '',
    '## Q1 — Do new users reach 30 s of watch time in their first session?',
    '',
    q1.pct === null
      ? `**n/a**: no user signed up on ${report.reportDate} (UTC).`
      : `**${q1Pct(report)}**: ${q1.reached30s} of ${q1.newUsers} users who signed up on ${report.reportDate} (UTC) ` +
        `reached ${THRESHOLDS.q1WatchSeconds} s in their first session; ${q1.withSession} had a session at all.`,
    '',
    `![Q1 first-session watch time](${dir}${CHART_FILES.q1})`,
    '',
    '| First-session watch time | Users |',
    '|---|---:|',
    ...q1.watchTimeHistogram.map(
      (b) =>
        `| ${b.toSeconds === null ? `≥ ${b.fromSeconds} s` : `${b.fromSeconds} s to < ${b.toSeconds} s`} | ${b.users} |`,
    ),
    '',
    `## Q2 — Which first-session genres bring users back within ${q2.windowHours} h?`,
    '',
    `Top genre (at least ${THRESHOLDS.q2MinUsers} users): **${q2Headline(report)}**. The lead is clear when a ` +
      `one-sided two-proportion z-test against the runner-up gives z ≥ ${Z_95_ONE_SIDED.toFixed(3)} (95%); ` +
      `${q2.clearWinner ? 'it is' : 'it is **not**'}.` +
      (q2.overallRate === null ? '' : ` All genres together: ${pct(q2.overallRate)}.`),
    `Window ${q2.windowComplete ? 'complete' : `**incomplete** (missing partitions ${missingText(report)})`}: ` +
      `it ends at ${q2.windowRequiredUntil}; the latest event read is ${q2.latestEventTs ?? 'absent'}.`,
    '',
    `![Q2 retention by genre](${dir}${CHART_FILES.q2})`,
    '',
    '| Genre | Users | Retained | Rate | 95% CI |',
    '|---|---:|---:|---:|---|',
    ...q2.genres.map(
      (g) => `| ${cell(g.genre)} | ${g.users} | ${g.retained} | ${pct(g.rate)} | ${interval(g.ci95)} |`,
    ),
    '',
    '## Q3 — Is drop-off abnormally high on a device OS + app version?',
    '',
    `Sessions starting in [${q3.windowStart}, ${q3.windowEnd}); a session drops off under ` +
      `${THRESHOLDS.q3DropOffSeconds} s of watch time; abnormal = at least ${THRESHOLDS.q3MinSessions} sessions ` +
      `and z ≥ ${THRESHOLDS.q3MinZ} against all other sessions. Result: **${q3Headline(report)}**.` +
      (q3.overallRate === null ? '' : ` All sessions: ${pct(q3.overallRate)}.`),
    '',
    `![Q3 drop-off by cohort](${dir}${CHART_FILES.q3})`,
    '',
    '| Device OS | App version | Sessions | Drop-offs | Rate | 95% CI | z | Abnormal |',
    '|---|---|---:|---:|---:|---|---:|---|',
    ...eligible.map(
      (c) =>
        `| ${cell(c.deviceOs)} | ${cell(c.appVersion)} | ${c.sessions} | ${c.dropOffs} | ${pct(c.rate)} | ${interval(c.ci95)} | ${c.z?.toFixed(2)} | ${c.abnormal ? '**yes**' : ''} |`,
    ),
    '',
    ...(small.length === 0
      ? []
      : [
          `Cohorts with fewer than ${THRESHOLDS.q3MinSessions} sessions (no z-score, not in the chart):`,
          '',
          '| Device OS | App version | Sessions | Drop-offs | Rate | 95% CI |',
          '|---|---|---:|---:|---:|---|',
          ...small.map(
            (c) =>
              `| ${cell(c.deviceOs)} | ${cell(c.appVersion)} | ${c.sessions} | ${c.dropOffs} | ${pct(c.rate)} | ${interval(c.ci95)} |`,
          ),
          '',
        ]),
    ...qualitySection(report.dataQuality),
    ...(options.trend ? trendSection(options.trend, dir) : []),
  ];
  return lines.join('\n');
}
