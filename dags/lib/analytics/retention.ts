/**
 * Q2's answer from the per-genre counts: the leader, the runner-up, and whether the lead is clear.
 *
 * The lead is clear when a one-sided pooled two-proportion z-test of the leader's rate against the
 * runner-up's (the best other eligible genre) gives z ≥ Z_95_ONE_SIDED (1.645, one-sided 95%). The
 * runner-up is picked after looking at the data, so this is a screen, not a corrected test.
 */
import { twoProportionZ, wilsonInterval, Z_95_ONE_SIDED } from './stats.js';

export interface GenreRetention {
  readonly genre: string;
  readonly users: number;
  readonly retained: number;
  readonly rate: number;
  /** Wilson 95% interval of the rate. */
  readonly ci95: readonly [number, number];
}

export interface RetentionAnswer {
  /** Sorted by rate, then users (more first), then name. */
  readonly genres: readonly GenreRetention[];
  /** Retained / users over every genre (users with a first-session genre); null when there are none. */
  readonly overallRate: number | null;
  /** Highest rate among genres with at least `minUsers` users; null when none qualifies. */
  readonly top: string | null;
  /** The next eligible genre in that order; null when fewer than two qualify. */
  readonly runnerUp: string | null;
  /** z of top against runnerUp; null without a runner-up. */
  readonly leadZ: number | null;
  /** leadZ ≥ Z_95_ONE_SIDED; false without a runner-up (there is no lead to test). */
  readonly clearWinner: boolean;
}

export function retentionAnswer(
  counts: readonly { readonly genre: string; readonly users: number; readonly retained: number }[],
  minUsers: number,
): RetentionAnswer {
  const genres: GenreRetention[] = counts.map(({ genre, users, retained }) => ({
    genre,
    users,
    retained,
    rate: retained / users,
    ci95: wilsonInterval(retained, users),
  }));
  genres.sort((a, b) => b.rate - a.rate || b.users - a.users || (a.genre < b.genre ? -1 : 1));
  const [top, runnerUp] = genres.filter((g) => g.users >= minUsers);
  const users = genres.reduce((sum, g) => sum + g.users, 0);
  const retained = genres.reduce((sum, g) => sum + g.retained, 0);
  const leadZ =
    top && runnerUp ? twoProportionZ(top.retained, top.users, runnerUp.retained, runnerUp.users) : null;
  return {
    genres,
    overallRate: users === 0 ? null : retained / users,
    top: top?.genre ?? null,
    runnerUp: runnerUp?.genre ?? null,
    leadZ,
    clearWinner: leadZ !== null && leadZ >= Z_95_ONE_SIDED,
  };
}
