/** Human-readable renderings of a Report: a Markdown document and three terminal lines. */
import { CHART_FILES } from './charts.js';
import { type Report, THRESHOLDS } from './report.js';

const pct = (v: number): string => `${(v * 100).toFixed(1)}%`;
const cell = (text: string): string => text.replaceAll('|', '\\|');

function q2Headline(report: Report): string {
  const top = report.q2.genres.find((g) => g.genre === report.q2.top);
  if (!top) return `no genre has at least ${THRESHOLDS.q2MinUsers} users`;
  const [lo, hi] = top.ci95;
  return `${top.genre} ${pct(top.rate)} (${top.retained}/${top.users}, 95% CI ${pct(lo)}–${pct(hi)})`;
}

function q3Headline(report: Report): string {
  const abnormal = report.q3.cohorts.filter((c) => c.abnormal);
  if (abnormal.length === 0) return 'no abnormal cohort';
  return abnormal
    .map(
      (c) => `${c.deviceOs} ${c.appVersion} ${pct(c.rate)} of ${c.sessions} sessions (z ${c.z.toFixed(2)})`,
    )
    .join('; ');
}

/** Three short lines for the terminal. */
export function renderAnswers(report: Report): string {
  const { q1 } = report;
  const incomplete = report.q2.windowComplete ? '' : ' [window incomplete]';
  return [
    `Q1  ${q1.pct.toFixed(1)}% of ${q1.newUsers} new users reached ${THRESHOLDS.q1WatchSeconds} s in their first session (${q1.reached30s})`,
    `Q2  top genre for ${report.q2.windowHours} h 2nd-session retention: ${q2Headline(report)}${incomplete}`,
    `Q3  abnormal drop-off: ${q3Headline(report)}`,
  ].join('\n');
}

/**
 * The report as Markdown. Charts are linked as relative files (see CHART_FILES / renderCharts),
 * because GitHub renders neither inline SVG nor data: URIs; `chartDir` is the link prefix.
 */
export function renderReportMarkdown(report: Report, options: { chartDir?: string } = {}): string {
  const dir =
    options.chartDir === undefined || options.chartDir === ''
      ? ''
      : `${options.chartDir.replace(/\/$/, '')}/`;
  const { q1, q2, q3 } = report;
  const lines = [
    `# StreamPro analytics — ${report.reportDate}`,
    '',
    '```text',
    renderAnswers(report),
    '```',
    '',
    `Partitions read: ${Object.entries(report.partitionsRead)
      .map(([table, dates]) => `${table} ${dates.length === 0 ? 'none' : dates.join(', ')}`)
      .join('; ')}.`,
    '',
    '## Q1 — Do new users reach 30 s of watch time in their first session?',
    '',
    `**${q1.pct.toFixed(1)}%**: ${q1.reached30s} of ${q1.newUsers} users who signed up on ${report.reportDate} (UTC) ` +
      `reached ${THRESHOLDS.q1WatchSeconds} s in their first session; ${q1.withSession} had a session at all.`,
    '',
    `## Q2 — Which first-session genres bring users back within ${q2.windowHours} h?`,
    '',
    `Top genre (at least ${THRESHOLDS.q2MinUsers} users): **${q2Headline(report)}**.`,
    `Window ${q2.windowComplete ? 'complete' : '**incomplete**'}: the data must reach ${q2.windowRequiredUntil}; ` +
      `the latest event is ${q2.latestEventTs ?? 'absent'}.`,
    '',
    `![Q2 retention by genre](${dir}${CHART_FILES.q2})`,
    '',
    '| Genre | Users | Retained | Rate | 95% CI |',
    '|---|---:|---:|---:|---|',
    ...q2.genres.map(
      (g) =>
        `| ${cell(g.genre)} | ${g.users} | ${g.retained} | ${pct(g.rate)} | ${pct(g.ci95[0])}–${pct(g.ci95[1])} |`,
    ),
    '',
    '## Q3 — Is drop-off abnormally high on a device OS + app version?',
    '',
    `Sessions starting in [${q3.windowStart}, ${q3.windowEnd}); a session drops off under ` +
      `${THRESHOLDS.q3DropOffSeconds} s of watch time; abnormal = at least ${THRESHOLDS.q3MinSessions} sessions ` +
      `and z ≥ ${THRESHOLDS.q3MinZ} against all other sessions. Result: **${q3Headline(report)}**.`,
    '',
    `![Q3 drop-off by cohort](${dir}${CHART_FILES.q3})`,
    '',
    '| Device OS | App version | Sessions | Drop-offs | Rate | z | Abnormal |',
    '|---|---|---:|---:|---:|---:|---|',
    ...q3.cohorts.map(
      (c) =>
        `| ${cell(c.deviceOs)} | ${cell(c.appVersion)} | ${c.sessions} | ${c.dropOffs} | ${pct(c.rate)} | ${c.z.toFixed(2)} | ${c.abnormal ? '**yes**' : ''} |`,
    ),
    '',
  ];
  return lines.join('\n');
}
