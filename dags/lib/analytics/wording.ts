/** The answers in words, shared by the terminal summary, report.md and the charts' descriptions. */
import type { Report } from './report.js';
import { THRESHOLDS } from './report.js';
import { Z_95_ONE_SIDED } from './stats.js';

export const pct = (v: number): string => `${(v * 100).toFixed(1)}%`;

/** Q1's percentage, or why there is none. */
export function q1Pct(report: Report): string {
  return report.q1.pct === null ? 'n/a' : `${report.q1.pct.toFixed(1)}%`;
}

export function q1Headline(report: Report): string {
  const { q1 } = report;
  if (q1.pct === null) return `no new users signed up on ${report.reportDate}`;
  return `${q1Pct(report)} of ${q1.newUsers} new users reached ${THRESHOLDS.q1WatchSeconds} s in their first session (${q1.reached30s})`;
}

export function q2Headline(report: Report): string {
  const { q2 } = report;
  const top = q2.genres.find((g) => g.genre === q2.top);
  if (!top) return `no genre has at least ${THRESHOLDS.q2MinUsers} users`;
  const [lo, hi] = top.ci95;
  const lead = `${top.genre} leads with ${pct(top.rate)} (${top.retained}/${top.users}, 95% CI ${pct(lo)}–${pct(hi)})`;
  const runnerUp = q2.genres.find((g) => g.genre === q2.runnerUp);
  if (!runnerUp || q2.leadZ === null)
    return `${lead}, the only genre with at least ${THRESHOLDS.q2MinUsers} users`;
  const test = `z ${q2.leadZ.toFixed(2)} ${q2.clearWinner ? '≥' : '<'} ${Z_95_ONE_SIDED.toFixed(3)}`;
  return q2.clearWinner
    ? `${lead}, clearly ahead of ${runnerUp.genre} (${pct(runnerUp.rate)}; ${test})`
    : `${lead}, not significantly ahead of ${runnerUp.genre} (${pct(runnerUp.rate)}; ${test})`;
}

/** Q2's verdict in one short line (chart subtitles): who leads and whether clearly. */
export function q2Verdict(report: Report): string {
  const { q2 } = report;
  if (q2.top === null) return `no genre has at least ${THRESHOLDS.q2MinUsers} users`;
  if (q2.runnerUp === null || q2.leadZ === null)
    return `${q2.top} leads, the only genre with at least ${THRESHOLDS.q2MinUsers} users`;
  const test = `z ${q2.leadZ.toFixed(2)} ${q2.clearWinner ? '≥' : '<'} ${Z_95_ONE_SIDED.toFixed(3)}`;
  return `${q2.top} leads, ${q2.clearWinner ? 'clearly' : 'not significantly'} ahead of ${q2.runnerUp} (${test})`;
}

export function q3Headline(report: Report): string {
  const abnormal = report.q3.cohorts.filter((c) => c.abnormal);
  if (abnormal.length === 0) return 'no abnormal cohort';
  return abnormal
    .map(
      (c) => `${c.deviceOs} ${c.appVersion} ${pct(c.rate)} of ${c.sessions} sessions (z ${c.z?.toFixed(2)})`,
    )
    .join('; ');
}
