/** Median, min and max of repeated measurements: the shape every figure in the tables has. */
export interface Summary {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  /** Number of repetitions. */
  readonly n: number;
}

export function summarize(values: readonly number[]): Summary {
  if (values.length === 0) throw new RangeError('summarize: no values');
  const sorted = [...values].sort((a, b) => a - b);
  return {
    median: percentile(sorted, 50),
    min: sorted[0]!,
    max: sorted[sorted.length - 1]!,
    n: values.length,
  };
}

/** Linear interpolation between closest ranks; `sorted` must be ascending. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) throw new RangeError('percentile: no values');
  const rank = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (rank - lo);
}

/** Wall and CPU time of one measured section; CPU time is the steadier figure on a shared machine. */
export interface Timing {
  readonly wallMs: number;
  readonly cpuMs: number;
}

export async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; timing: Timing }> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const value = await fn();
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { value, timing: { wallMs, cpuMs: (cpu.user + cpu.system) / 1000 } };
}
