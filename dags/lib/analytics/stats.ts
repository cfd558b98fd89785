/** The two statistics of the report, kept apart from SQL so they can be checked by hand. */

/** Two-sided 95% normal quantile (Wilson intervals). */
export const Z_95 = 1.959963984540054;

/** One-sided 95% normal quantile (Q2's clear-winner test). */
export const Z_95_ONE_SIDED = 1.6448536269514722;

/** Wilson score interval for `successes` of `trials`; [0, 0] when there are no trials. */
export function wilsonInterval(successes: number, trials: number, z = Z_95): [number, number] {
  if (trials === 0) return [0, 0];
  const p = successes / trials;
  const z2 = z * z;
  const denominator = 1 + z2 / trials;
  const centre = (p + z2 / (2 * trials)) / denominator;
  const half = (z * Math.sqrt((p * (1 - p)) / trials + z2 / (4 * trials * trials))) / denominator;
  // At 0 or `trials` successes the bound is exactly 0 or 1; rounding would leave it off by ~1e-17.
  return [
    successes === 0 ? 0 : Math.max(0, centre - half),
    successes === trials ? 1 : Math.min(1, centre + half),
  ];
}

/**
 * One-sided two-proportion z-score (pooled variance) that rate x1/n1 exceeds x2/n2. Zero when it
 * is undefined (an empty group, or a pooled rate of 0 or 1 where both rates are equal).
 */
export function twoProportionZ(x1: number, n1: number, x2: number, n2: number): number {
  if (n1 === 0 || n2 === 0) return 0;
  const pooled = (x1 + x2) / (n1 + n2);
  const variance = pooled * (1 - pooled) * (1 / n1 + 1 / n2);
  if (variance === 0) return 0;
  return (x1 / n1 - x2 / n2) / Math.sqrt(variance);
}
