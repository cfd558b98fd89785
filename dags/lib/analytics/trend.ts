/**
 * Q1–Q3 over the last TREND_DAYS report dates, from the report.json files of those dates as they
 * were last written. Kept out of report.json, which must stay a pure function of its partitions;
 * it goes to report.md and trend.svg only. Earlier reports may predate fields (then null), so each
 * one is read defensively from plain JSON.
 */

export const TREND_DAYS = 14;

export interface TrendPoint {
  readonly reportDate: string;
  /** Q1 percentage; null when the report had no new users. */
  readonly q1Pct: number | null;
  readonly q2Top: string | null;
  /** The top genre's retention rate. */
  readonly q2TopRate: number | null;
  /** null when the report predates clearWinner. */
  readonly q2ClearWinner: boolean | null;
  /** `deviceOs appVersion` of each abnormal cohort. */
  readonly q3Abnormal: readonly string[];
}

export interface Trend {
  /** D − (TREND_DAYS − 1) .. D, every date, oldest first. */
  readonly dates: readonly string[];
  /** One per date with a report, oldest first. */
  readonly points: readonly TrendPoint[];
}

const DAY_MS = 86_400_000;

/** D − 13 .. D as YYYY-MM-DD, oldest first. */
export function trendDates(reportDate: string): string[] {
  const end = Date.parse(`${reportDate}T00:00:00Z`);
  if (Number.isNaN(end))
    throw new RangeError(`trendDates: reportDate must be YYYY-MM-DD, got "${reportDate}"`);
  return Array.from({ length: TREND_DAYS }, (_, i) =>
    new Date(end - (TREND_DAYS - 1 - i) * DAY_MS).toISOString().slice(0, 10),
  );
}

type Obj = Readonly<Record<string, unknown>>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const obj = (v: unknown): Obj => (isObj(v) ? v : {});
const numOrNull = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const strOrNull = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/** One report.json (parsed) as a point; null when it has no report date. */
export function trendPoint(report: unknown): TrendPoint | null {
  const r = obj(report);
  const reportDate = strOrNull(r.reportDate);
  if (reportDate === null) return null;
  const q1 = obj(r.q1);
  const q2 = obj(r.q2);
  const q3 = obj(r.q3);
  const q2Top = strOrNull(q2.top);
  const genres = Array.isArray(q2.genres) ? q2.genres.map(obj) : [];
  const top = genres.find((g) => q2Top !== null && g.genre === q2Top);
  const abnormal = Array.isArray(q3.abnormal) ? q3.abnormal.map(obj) : [];
  return {
    reportDate,
    // Reports written before pct became nullable said 0 for a day without new users.
    q1Pct: q1.newUsers === 0 ? null : numOrNull(q1.pct),
    q2Top,
    q2TopRate: top === undefined ? null : numOrNull(top.rate),
    q2ClearWinner: typeof q2.clearWinner === 'boolean' ? q2.clearWinner : null,
    q3Abnormal: abnormal.map((c) => `${strOrNull(c.deviceOs) ?? '?'} ${strOrNull(c.appVersion) ?? '?'}`),
  };
}

/**
 * The trend ending at `reportDate` from parsed report.json files; reports outside the window are
 * ignored, and when two share a date the later in `reports` wins (pass the current report last).
 */
export function computeTrend(reportDate: string, reports: readonly unknown[]): Trend {
  const dates = trendDates(reportDate);
  const byDate = new Map<string, TrendPoint>();
  for (const report of reports) {
    const point = trendPoint(report);
    if (point !== null && dates.includes(point.reportDate)) byDate.set(point.reportDate, point);
  }
  return { dates, points: dates.flatMap((d) => byDate.get(d) ?? []) };
}
