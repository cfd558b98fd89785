import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ResultRow } from './report.js';

/** What `run.ts` hands every benchmark. */
export interface BenchContext {
  /** Smoke mode: tiny sizes, one repetition, targets not judged. */
  readonly quick: boolean;
  /** Repetitions of each measurement (`--reps`, else the benchmark's default; 1 in quick mode). */
  readonly reps: number | undefined;
  /** `--sizes 1e6,1e7`: input sizes for benchmarks that have them. */
  readonly sizes: readonly number[] | undefined;
  readonly log: (message: string) => void;
}

export interface BenchOutcome {
  readonly params: Readonly<Record<string, string | number | boolean>>;
  readonly rows: readonly ResultRow[];
  readonly notes: readonly string[];
}

export type Benchmark = (ctx: BenchContext) => Promise<BenchOutcome>;

export function repsOf(ctx: BenchContext, full: number): number {
  return ctx.quick ? 1 : (ctx.reps ?? full);
}

/** A fresh folder under the OS temp dir, removed after `fn` whatever happens. */
export async function withTempDir<T>(prefix: string, fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `streampro-bench-${prefix}-`));
  try {
    return await fn(dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
