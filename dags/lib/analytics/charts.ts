/**
 * The report's charts as standalone SVG documents. GitHub strips inline <svg> and data: URIs from
 * rendered Markdown, so the report links to these as separate files.
 */
import { barChart } from './bar-chart.js';
import { WATCH_TIME_EDGES } from './histogram.js';
import { type Report, THRESHOLDS } from './report.js';
import { COLORS, niceAxis } from './svg.js';
import { pct, q1Headline, q2Headline, q2Verdict, q3Headline } from './wording.js';

export const CHART_FILES = {
  q1: 'q1-watch-time.svg',
  q2: 'q2-retention.svg',
  q3: 'q3-dropoff.svg',
  trend: 'trend.svg',
} as const;

const RATE_TICKS = [0, 0.25, 0.5, 0.75, 1] as const;

const binLabel = (from: number, to: number | null): string =>
  to === null ? `≥ ${from} s` : `${from}–${to} s`;

/** Q1: first-session watch time of the new users with a session, bins at or above 30 s highlighted. */
export function renderWatchTimeChart(report: Report): string {
  const { q1 } = report;
  const bins = q1.watchTimeHistogram;
  const axis = niceAxis(Math.max(0, ...bins.map((b) => b.users)), 1);
  const threshold = WATCH_TIME_EDGES.indexOf(THRESHOLDS.q1WatchSeconds);
  return barChart({
    title: `Q1 · first-session watch time of new users (${report.reportDate})`,
    desc:
      `Histogram of the first-session watch time of the ${q1.withSession} new users of ${report.reportDate} ` +
      `with a session, in fixed bins: ${bins.map((b) => `${binLabel(b.fromSeconds, b.toSeconds)} ${b.users}`).join(', ')}. ` +
      `The dashed line marks the ${THRESHOLDS.q1WatchSeconds} s threshold. ${q1Headline(report)}.`,
    axisLabel: 'new users (count)',
    max: axis.max,
    ticks: axis.ticks,
    tickLabel: (v) => String(v),
    bars: bins.map((b) => ({
      label: binLabel(b.fromSeconds, b.toSeconds),
      value: b.users,
      note: q1.withSession === 0 ? String(b.users) : `${b.users} (${pct(b.users / q1.withSession)})`,
      color: b.fromSeconds >= THRESHOLDS.q1WatchSeconds ? COLORS.highlight : COLORS.bar,
    })),
    rowRule: { beforeRow: threshold, color: COLORS.ink },
    legend: [
      { kind: 'box', color: COLORS.bar, label: `under ${THRESHOLDS.q1WatchSeconds} s` },
      { kind: 'box', color: COLORS.highlight, label: `${THRESHOLDS.q1WatchSeconds} s or more` },
      { kind: 'dash', color: COLORS.ink, label: `${THRESHOLDS.q1WatchSeconds} s threshold` },
    ],
    emptyText: 'no new users',
  });
}

/** Q2: retention rate per first-session genre with its Wilson 95% interval; the top genre highlighted. */
export function renderRetentionChart(report: Report): string {
  const { q2 } = report;
  return barChart({
    title: `Q2 · 2nd session within ${q2.windowHours} h, by first-session genre (${report.reportDate})`,
    desc:
      `Share of new users of ${report.reportDate} with another session within ${q2.windowHours} h, per ` +
      `first-session genre, with Wilson 95% intervals; genres under ${THRESHOLDS.q2MinUsers} users are not ranked. ` +
      `${q2.overallRate === null ? '' : `All genres: ${pct(q2.overallRate)}. `}${q2Headline(report)}.`,
    subtitle: q2Verdict(report),
    axisLabel: `retained within ${q2.windowHours} h (% of users)`,
    max: 1,
    ticks: [...RATE_TICKS],
    tickLabel: (v) => `${v * 100}%`,
    bars: q2.genres.map((g) => ({
      label: g.genre,
      value: g.rate,
      whisker: g.ci95,
      note: `${pct(g.rate)} (${g.retained}/${g.users})`,
      color:
        g.genre === q2.top ? COLORS.highlight : g.users >= THRESHOLDS.q2MinUsers ? COLORS.bar : COLORS.muted,
    })),
    ...(q2.overallRate === null
      ? {}
      : { reference: { value: q2.overallRate, label: `all ${pct(q2.overallRate)}` } }),
    legend: [
      { kind: 'box', color: COLORS.highlight, label: 'top genre' },
      { kind: 'box', color: COLORS.bar, label: 'other genres' },
      { kind: 'box', color: COLORS.muted, label: `< ${THRESHOLDS.q2MinUsers} users` },
      { kind: 'whisker', color: COLORS.ink, label: 'Wilson 95% CI' },
      { kind: 'dash', color: COLORS.ink, label: 'all genres' },
    ],
    emptyText: 'no new user with a first-session genre',
  });
}

/** Q3: drop-off rate of the eligible cohorts with Wilson 95% intervals; abnormal highlighted, overall dashed. */
export function renderDropOffChart(report: Report): string {
  const { q3 } = report;
  const eligible = q3.cohorts.filter((c) => c.eligible);
  const others = q3.cohorts.length - eligible.length;
  return barChart({
    title: `Q3 · session drop-off (< ${THRESHOLDS.q3DropOffSeconds} s) by device OS + app version (${report.reportDate})`,
    desc:
      `Drop-off rate of the ${eligible.length} cohorts with at least ${THRESHOLDS.q3MinSessions} sessions starting in ` +
      `[${q3.windowStart}, ${q3.windowEnd}), with Wilson 95% intervals` +
      `${others === 0 ? '' : `; ${others} smaller cohorts are listed in report.md only`}. ` +
      `${q3.overallRate === null ? '' : `All sessions: ${pct(q3.overallRate)}. `}Abnormal (z ≥ ${THRESHOLDS.q3MinZ}): ${q3Headline(report)}.`,
    axisLabel: `sessions under ${THRESHOLDS.q3DropOffSeconds} s of watch time (% of sessions)`,
    max: 1,
    ticks: [...RATE_TICKS],
    tickLabel: (v) => `${v * 100}%`,
    bars: eligible.map((c) => ({
      label: `${c.deviceOs} ${c.appVersion}`,
      value: c.rate,
      whisker: c.ci95,
      note: `${pct(c.rate)} of ${c.sessions}, z ${c.z?.toFixed(1)}`,
      color: c.abnormal ? COLORS.highlight : COLORS.bar,
    })),
    ...(q3.overallRate === null
      ? {}
      : { reference: { value: q3.overallRate, label: `all ${pct(q3.overallRate)}` } }),
    legend: [
      { kind: 'box', color: COLORS.highlight, label: `abnormal (z ≥ ${THRESHOLDS.q3MinZ})` },
      { kind: 'box', color: COLORS.bar, label: 'other cohorts' },
      { kind: 'whisker', color: COLORS.ink, label: 'Wilson 95% CI' },
      { kind: 'dash', color: COLORS.ink, label: 'all sessions' },
    ],
    emptyText: `no cohort with at least ${THRESHOLDS.q3MinSessions} sessions`,
  });
}

/** File name -> SVG text of the report's own charts, to be written next to the Markdown report. */
export function renderCharts(report: Report): Record<string, string> {
  return {
    [CHART_FILES.q1]: renderWatchTimeChart(report),
    [CHART_FILES.q2]: renderRetentionChart(report),
    [CHART_FILES.q3]: renderDropOffChart(report),
  };
}
