/**
 * Q3's cohorts from their counts. Only eligible cohorts (at least `minSessions` sessions) get a
 * z-score: below that the normal approximation is too rough to call anything abnormal.
 */
import { twoProportionZ, wilsonInterval } from './stats.js';

export interface CohortKey {
  readonly deviceOs: string;
  readonly appVersion: string;
}

export interface DropOffCohort extends CohortKey {
  readonly sessions: number;
  readonly dropOffs: number;
  readonly rate: number;
  /** Wilson 95% interval of the rate. */
  readonly ci95: readonly [number, number];
  /** sessions ≥ q3MinSessions. */
  readonly eligible: boolean;
  /** One-sided two-proportion z-score against all other sessions; null when not eligible. */
  readonly z: number | null;
  /** eligible and z ≥ q3MinZ. */
  readonly abnormal: boolean;
}

export interface DropOffAnswer {
  /** Sorted by rate (highest first), then device OS and app version. */
  readonly cohorts: readonly DropOffCohort[];
  /** Drop-offs / sessions over all cohorts; null without sessions. */
  readonly overallRate: number | null;
}

const order = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export function dropOffAnswer(
  counts: readonly (CohortKey & { readonly sessions: number; readonly dropOffs: number })[],
  thresholds: { readonly minSessions: number; readonly minZ: number },
): DropOffAnswer {
  const sessions = counts.reduce((sum, c) => sum + c.sessions, 0);
  const dropOffs = counts.reduce((sum, c) => sum + c.dropOffs, 0);
  const cohorts: DropOffCohort[] = counts.map((c) => {
    const eligible = c.sessions >= thresholds.minSessions;
    const z = eligible
      ? twoProportionZ(c.dropOffs, c.sessions, dropOffs - c.dropOffs, sessions - c.sessions)
      : null;
    return {
      deviceOs: c.deviceOs,
      appVersion: c.appVersion,
      sessions: c.sessions,
      dropOffs: c.dropOffs,
      rate: c.dropOffs / c.sessions,
      ci95: wilsonInterval(c.dropOffs, c.sessions),
      eligible,
      z,
      abnormal: z !== null && z >= thresholds.minZ,
    };
  });
  cohorts.sort(
    (a, b) => b.rate - a.rate || order(a.deviceOs, b.deviceOs) || order(a.appVersion, b.appVersion),
  );
  return { cohorts, overallRate: sessions === 0 ? null : dropOffs / sessions };
}
