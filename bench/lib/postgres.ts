import { randomBytes } from 'node:crypto';
import { type Fence, PostgresRunStore, type RunStore, type StateChange } from '@streampro/engine';
import { postgresUnreachable } from '@streampro/engine/internal';
import pg from 'pg';

/**
 * The PostgreSQL server of the benchmarks: STREAMPRO_BENCH_DATABASE_URL, else the test suites' server
 * (STREAMPRO_TEST_DATABASE_URL, default database `test` on 127.0.0.1:5432). Each measured run gets a schema
 * of its own, dropped after.
 */
export const BENCH_DATABASE_URL =
  process.env.STREAMPRO_BENCH_DATABASE_URL ||
  process.env.STREAMPRO_TEST_DATABASE_URL ||
  'postgres://postgres@127.0.0.1:5432/test';

/** Why the benchmark server cannot be used, or undefined when it can. */
export function postgresUnavailable(): Promise<string | undefined> {
  return postgresUnreachable(BENCH_DATABASE_URL);
}

/** Runs `fn` with the URL of a new schema (created by the store that opens it), dropped afterwards. */
export async function withSchema<T>(fn: (url: string) => Promise<T>): Promise<T> {
  const name = `sp_bench_${randomBytes(6).toString('hex')}`;
  const url = new URL(BENCH_DATABASE_URL);
  url.searchParams.set('schema', name);
  try {
    return await fn(url.toString());
  } finally {
    const client = new pg.Client({ connectionString: BENCH_DATABASE_URL });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS "${name}" CASCADE`);
    await client.end();
  }
}

export function openPostgres(url: string): Promise<RunStore> {
  return PostgresRunStore.open(url);
}

/**
 * Median wall time (ms) of one fenced `apply` of `size` task changes, the batch of a scheduling pass that
 * queues `size` tasks (state, try number, retry time), over `count` batches after `warmup` unmeasured ones.
 */
export async function applyCost(store: RunStore, size: number, count: number, warmup = 5): Promise<number> {
  const taskIds = Array.from({ length: size }, (_, i) => `t${i}`);
  const t0 = '2025-01-01T00:00:00.000Z';
  await store.ensureRun(
    { dagId: 'bench_apply', runId: 'r', logicalDate: t0, runType: 'manual', params: {}, createdAt: t0 },
    taskIds,
  );
  const lease = await store.acquireLease(
    'bench_apply',
    'r',
    { owner: 'bench', host: 'bench', pid: process.pid, now: t0, expiresAt: '2025-01-02T00:00:00.000Z' },
    () => false,
  );
  if (!lease.acquired) throw new Error('bench: lease not acquired');
  const fence: Fence = { dagId: 'bench_apply', runId: 'r', owner: 'bench', epoch: lease.epoch };
  const times: number[] = [];
  for (let i = 0; i < warmup + count; i++) {
    const changes: StateChange[] = taskIds.map((taskId) => ({
      kind: 'task',
      dagId: 'bench_apply',
      runId: 'r',
      taskId,
      state: i % 2 === 0 ? 'queued' : 'scheduled',
      tryNumber: i,
      nextTryAt: null,
    }));
    const start = performance.now();
    await store.apply(changes, fence);
    if (i >= warmup) times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}
