/**
 * Q1's distribution of first-session watch time in fixed bins, so two reports compare bin by bin.
 * The edges include the 30 s threshold, so the bins below it sum to the users who did not reach it.
 */

/** Lower edges in seconds; each bin is [edge, next edge), the last one is open-ended. */
export const WATCH_TIME_EDGES = [0, 5, 10, 15, 20, 25, 30, 60, 120, 300, 600] as const;

export interface HistogramBin {
  /** Inclusive lower edge, seconds. */
  readonly fromSeconds: number;
  /** Exclusive upper edge, seconds; null for the last, open-ended bin. */
  readonly toSeconds: number | null;
  readonly users: number;
}

/** Counts `count` users per distinct watch time into the bins; a negative value is a bug upstream. */
export function watchTimeHistogram(
  values: readonly { readonly watchTime: number; readonly users: number }[],
): HistogramBin[] {
  const counts: number[] = WATCH_TIME_EDGES.map(() => 0);
  for (const { watchTime, users } of values) {
    if (!(watchTime >= 0)) throw new RangeError(`watchTimeHistogram: watch time ${watchTime} is not ≥ 0`);
    let bin = WATCH_TIME_EDGES.length - 1;
    while (WATCH_TIME_EDGES[bin]! > watchTime) bin -= 1;
    counts[bin]! += users;
  }
  return WATCH_TIME_EDGES.map((from, i) => ({
    fromSeconds: from,
    toSeconds: WATCH_TIME_EDGES[i + 1] ?? null,
    users: counts[i]!,
  }));
}
