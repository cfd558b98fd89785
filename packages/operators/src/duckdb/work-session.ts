import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { OperatorContext } from '../tasks/operator.js';
import { makeWorkFolder } from '../work/work-folder.js';
import { type DuckDBSession, withSession } from './session.js';

/** Options shared by the operators that query staged datasets. */
export interface WorkSessionOptions {
  /** Download cache kept between runs. @default `<os.tmpdir()>/streampro-duckdb-cache` */
  readonly cacheDir?: string;
  /** Parent of the per-run work folder (spill files, local results). @default os.tmpdir() */
  readonly workDir?: string;
  /** DuckDB memory cap; beyond it DuckDB spills to the work folder. @default '1GB' */
  readonly memoryLimit?: string;
  /** @default the machine's available parallelism */
  readonly threads?: number;
}

export function defaultCacheDir(): string {
  return path.join(tmpdir(), 'streampro-duckdb-cache');
}

/**
 * Runs `fn` with a session that spills into a fresh work folder; the folder and the session are
 * removed however `fn` ends, and the task's signal interrupts DuckDB.
 */
export async function withWorkSession<T>(
  options: WorkSessionOptions,
  ctx: OperatorContext,
  label: string,
  fn: (session: DuckDBSession, dir: string) => Promise<T>,
): Promise<T> {
  const dir = await makeWorkFolder(options.workDir ?? tmpdir(), label);
  try {
    const sessionOptions = {
      tempDirectory: path.join(dir, 'spill'),
      memoryLimit: options.memoryLimit ?? '1GB',
      ...(options.threads !== undefined ? { threads: options.threads } : {}),
    };
    return await withSession(sessionOptions, ctx.signal, (session) => fn(session, dir));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
